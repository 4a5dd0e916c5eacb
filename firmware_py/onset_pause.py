"""The bot falls quiet at the first sound of the user talking over it, and goes on if no words follow.

A barge-in is confirmed by the VAD's start (`vad.start_secs` of speech, 0.2 s), and over the bot's echo
the canceller mutes the user's first syllable: waiting for that start, the bot would talk on 0.4-0.9 s into
an interruption. A person talking pauses as soon as they hear the other begin. So does the bot: once the
VAD has heard a little possible speech over it (`conversation.barge_in_pause_secs`) its voice pauses.
Paused, its echo is gone and the VAD hears the user plainly: a start while paused makes the pause the
interruption (and the turn begins where that first sound did); quiet instead, and the voice goes on from a
little before where it stopped. A false onset costs a short gap in the answer, never the answer.
"""

from __future__ import annotations

from enum import Enum

from .audio.frames import SAMPLE_RATE

MIN_HOLD_SECS = 0.3
"""The shortest pause: the room's echo dies away and the VAD hears what is left."""
QUIET_SECS = 0.4
"""A pause ends once the VAD has heard no speech this long (a comma's gap in "Stop, what time is it?" is
shorter) and no start is under way."""
MAX_HOLD_SECS = 1.0
"""The longest pause: a sound that never becomes a start (a fan, music) must not hold the answer."""
REWIND_SECS = 0.12
"""The voice resumes this much before where it paused: what was in the sink's queue and lost to the pause."""


class PauseAction(Enum):
    NONE = "none"
    PAUSE = "pause"
    RESUME = "resume"


class OnsetPause:
    """Decides, frame by frame, when the bot's voice pauses for possible speech and when it goes on."""

    def __init__(self) -> None:
        self.paused_at: int | None = None
        """Stream index (16 kHz samples) where the voice paused; None while it plays or is stopped."""
        self.onset_from: int | None = None
        """Where the speech that paused it began (a stream index): a turn it becomes starts there."""
        self._last_heard = 0
        self._last_run = -1

    def step(self, now: int, may_pause: bool, heard: bool, starting: bool, starting_secs: float,
             starting_from: int, after_secs: float) -> PauseAction:
        """One frame: `now` the stream index after it, `may_pause` whether speech now would interrupt the
        bot (it is speaking and barge-in is on), `heard` whether the VAD took the frame for speech,
        `starting` whether a start is being counted, `starting_secs` how much it has counted and
        `starting_from` where that speech began."""
        if heard:
            self._last_heard = now
        if self.paused_at is None:
            if (may_pause and after_secs > 0 and starting and starting_secs >= after_secs
                    and starting_from != self._last_run):   # the sound that paused it once does not again
                self.paused_at, self.onset_from = now, starting_from
                self._last_run = starting_from
                return PauseAction.PAUSE
            return PauseAction.NONE
        if not may_pause:   # the barge-in (the voice is stopped: going on is a no-op), or barge-in turned off
            self.forget()
            return PauseAction.RESUME
        held = now - self.paused_at
        quiet = now - self._last_heard
        if held >= MAX_HOLD_SECS * SAMPLE_RATE or (
                held >= MIN_HOLD_SECS * SAMPLE_RATE and quiet >= QUIET_SECS * SAMPLE_RATE and not starting):
            self.forget()
            return PauseAction.RESUME
        return PauseAction.NONE

    def forget(self) -> None:
        """The voice was stopped, replaced or goes on: nothing is paused any more."""
        self.paused_at = self.onset_from = None
