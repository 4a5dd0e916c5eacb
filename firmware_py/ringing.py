"""A timer or alarm that ends rings: its words said again after each quiet gap until someone answers or its
ringing time is up, as a kitchen timer or an alarm clock does, not said once to an empty room.

With the ring tone on (`timers.tone`), each ring is a chime (an alarm's beeps) and the words are said with the
first ring and every third after, and at once for a timer that joins: a tone carries across a room, and words
said fifteen times over are a nag. Speech over it pauses it (the conversation interrupts the words as for any answer); a turn with words stops it
("stop", "snooze", "thanks", any request); a turn that gave no words (a cough, a door) lets it go on. Several
that end together ring as one, their words one after the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

WORDS_EVERY = 3
"""With the tone, the words come with every this many rings."""
DISMISSAL = re.compile(r"^\W*(?:(?:ok|okay|oh|uh|um|please)\W+)*(?:turn|switch|shut) (?:it|that|this)(?: thing)? off"
                       r"\W*(?:(?:please|thanks|thank you)\W*)?$", re.I)
"""What is said to a ringing timer or alarm to silence it and nothing else ("Turn it off."): while nothing
rings, the same words name nothing, and are asked about ("What should I turn off?")."""
HOLD_MAX_SECS = 15.0
"""Speech that paused the ringing and never became a turn (the listener dropped it) lets it go on after this."""


def dismisses(text: str) -> bool:
    """Do these words only silence what rings?"""
    return DISMISSAL.match(text.strip()) is not None


class Ringing:
    def __init__(self, ring: Callable[[str, bool, str], Awaitable[None]], gap_secs: Callable[[], float],
                 quieted: Callable[[list[str]], None], tone_on: Callable[[], bool] = lambda: False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`ring(words, first, tone)` plays one ring and returns once it is played or cut off: `tone` "timer",
        "alarm" or "" (none), then `words` ("" for the tone alone); `first`: the first ring, whose words join
        the conversation's history. `gap_secs()` is the quiet between rings and `tone_on()` whether to ring with
        the tone (live settings); `quieted(timer_ids)` is told when they stop ringing."""
        self._ring_once, self._gap_secs, self._quieted, self._clock = ring, gap_secs, quieted, clock
        self._tone_on = tone_on
        self._words: dict[str, str] = {}   # timer id -> its words
        self._alarm = False       # an alarm among them: the alarm's tone
        self._unsaid = False      # a timer joined whose words are not said yet
        self._until = 0.0
        self._held = False
        self._held_at = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def ringing(self) -> bool:
        return self._task is not None and not self._task.done()

    def add(self, timer_id: str, words: str, ring_secs: float, alarm: bool = False) -> None:
        """Ring `words` now, and again until `ring_secs` from now (0: once); `alarm`: with the alarm's tone."""
        self._words[timer_id] = words
        self._until = max(self._until if self.ringing else 0.0, self._clock() + ring_secs)
        self._alarm = alarm or (self._alarm and self.ringing)
        self._unsaid = True
        if not self.ringing:
            self._held = False
            self._task = asyncio.create_task(self._ring(), name="ringing")
        self._wake.set()

    def hold(self) -> None:
        """Someone began to speak: no more rings until their turn is known."""
        self._held, self._held_at = True, self._clock()

    def go_on(self) -> None:
        """Their turn gave no words: ring again after the gap."""
        if self._held:
            self._held = False
            self._wake.set()

    def stop(self) -> None:
        """Answered: no more rings."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            self._done()

    def _done(self) -> None:
        if self._words:
            log.info("ringing stopped", extra={"timers": list(self._words)})
            self._quieted(list(self._words))
        self._words = {}

    async def _ring(self) -> None:
        first, rings_since_words = True, 0
        try:
            while self._words:
                if not self._held:
                    tone = ("alarm" if self._alarm else "timer") if self._tone_on() else ""
                    speak = not tone or self._unsaid or rings_since_words >= WORDS_EVERY - 1
                    self._unsaid, rings_since_words = False, 0 if speak else rings_since_words + 1
                    await self._ring_once(" ".join(self._words.values()) if speak else "", first, tone)
                    first = False
                    if self._clock() >= self._until:
                        break
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._gap_secs())
                if self._held and self._clock() - self._held_at > HOLD_MAX_SECS:
                    self._held = False
                if self._clock() >= self._until and not self._held:
                    break
        finally:
            if asyncio.current_task() is self._task:
                self._done()
