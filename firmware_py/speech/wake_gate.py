"""When the wake word may skip its embedding model: while every mel frame a score depends on is at the
room's floor.

The mel frames are computed every step (0.1 ms); the embedding model (most of the work) and the
classifier run only while the gate is open. The floor adapts: it is the quietest step of the last few
seconds, so a fan or traffic hum that never changes closes the gate as digital silence does, and
anything `MARGIN` above it (a voice, a door) opens it. The gate stays open until a whole classifier
window has been quiet, so a score is skipped only when all of its input is near the floor; when sound
returns the stream computes the skipped embeddings from the kept mel frames and scores exactly as without
the gate.
"""

from __future__ import annotations

import collections
import math

import numpy as np

FRAMES_PER_STEP = 8
FLOOR_STEPS = 62
"""5 s of 80 ms steps: the quietest of them is the floor (a louder room raises it within this time)."""
MARGIN = 0.3
"""In scaled mel units (10 dB each): a step whose mean mel is 3 dB above the floor is sound. Steady pink
noise moves the step mean by at most 1.3 dB, so it stays shut; "Hey Jarvis" at -5 dB SNR in pink noise
opens it in time for the very scores the ungated stream computes (tests/speech)."""
FIRST_STEPS = 12
"""Open for the first second: no floor is known yet."""


def hold_steps(mel_frames: int, embeddings: int) -> int:
    """Steps whose mel frames feed one score: this step's and the `embeddings - 1` before it each end an
    embedding, and the oldest of those reads `mel_frames` frames (76 frames touch 10 steps): 25."""
    return embeddings - 1 + math.ceil(mel_frames / FRAMES_PER_STEP)


class QuietGate:
    """Feed each step's mel frames; `open_for` says whether the score of that step can differ from the
    floor's, i.e. whether any of the last `hold` steps (those the score reads) was above the floor."""

    def __init__(self, hold: int) -> None:
        self.hold = hold
        self._levels: collections.deque[float] = collections.deque(maxlen=FLOOR_STEPS)
        self._quiet_steps = 0
        self._steps = 0

    def open_for(self, mel: np.ndarray) -> bool:
        level = float(mel.mean())   # mean log-mel: one number per step, cheap and steady on steady noise
        self._steps += 1
        if self._steps > 1:         # the first step's frames read the zeros before the stream's first sample
            self._levels.append(level)
        if self._steps <= FIRST_STEPS or level > min(self._levels) + MARGIN:
            self._quiet_steps = 0
        else:
            self._quiet_steps += 1
        return self._quiet_steps < self.hold
