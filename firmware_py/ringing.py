"""A timer or alarm that ends rings: its words said again after each quiet gap until someone answers or its
ringing time is up, as a kitchen timer or an alarm clock does, not said once to an empty room.

Speech over it pauses it (the conversation interrupts the words as for any answer); a turn with words stops it
("stop", "snooze", "thanks", any request); a turn that gave no words (a cough, a door) lets it go on. Several
that end together ring as one, their words one after the other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

HOLD_MAX_SECS = 15.0
"""Speech that paused the ringing and never became a turn (the listener dropped it) lets it go on after this."""


class Ringing:
    def __init__(self, say: Callable[[str, bool], Awaitable[None]], gap_secs: Callable[[], float],
                 quieted: Callable[[list[str]], None], clock: Callable[[], float] = time.monotonic) -> None:
        """`say(words, first)` speaks and returns once the words are spoken or cut off (`first`: the first
        ring, which joins the conversation's history); `gap_secs()` the quiet between rings (a live setting);
        `quieted(timer_ids)` is told when they stop ringing."""
        self._say, self._gap_secs, self._quieted, self._clock = say, gap_secs, quieted, clock
        self._words: dict[str, str] = {}   # timer id -> its words
        self._until = 0.0
        self._held = False
        self._held_at = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def ringing(self) -> bool:
        return self._task is not None and not self._task.done()

    def add(self, timer_id: str, words: str, ring_secs: float) -> None:
        """Ring `words` now, and again until `ring_secs` from now (0: once)."""
        self._words[timer_id] = words
        self._until = max(self._until if self.ringing else 0.0, self._clock() + ring_secs)
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
        first = True
        try:
            while self._words:
                if not self._held:
                    said = dict(self._words)
                    await self._say(" ".join(said.values()), first)
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
