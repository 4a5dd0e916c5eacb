"""Where speech began, when the VAD noticed it late.

Silero VAD needs a run of voiced frames before its probability crosses the threshold. A soft start (a "wh",
an "h", an "un" said low) or speech right after digital silence can be 0.3-0.5 s old by then, beyond the
listener's pre-roll, and the recogniser hears a word without its first sound: "Unmute the speaker" as "Ah,
new to the speaker" (then read as "mute"), "What day is it today?" as nothing at all. The signal's energy
still shows where the sound started: walk back from the VAD's start while the frames stand clearly above
the noise floor before them.
"""

from __future__ import annotations

import numpy as np

from ..audio.frames import SAMPLE_RATE

FRAME = SAMPLE_RATE // 100
"""10 ms frames."""
ABOVE_FLOOR = 4.0
"""A frame is sound when its RMS is this many times the floor's (12 dB): steady room noise never is."""
MIN_LEVEL = 40.0
"""int16 RMS below which nothing is sound (a digitally silent or near-silent floor)."""
FLOOR_QUANTILE = 0.2
"""The floor: this quantile of the frame levels before the VAD's start (the quiet between sounds)."""
MAX_GAP_FRAMES = 10
"""Quiet frames a sentence may hold without its sound being over: a stop consonant's closure, 40-100 ms
("Wha|t day": 50 ms of quiet in a clip the VAD started 0.34 s late)."""


def frame_levels(samples: np.ndarray) -> np.ndarray:
    """The RMS level of each whole 10 ms frame of `samples` (int16)."""
    frames = len(samples) // FRAME
    if frames == 0:
        return np.zeros(0, np.float32)
    shaped = samples[:frames * FRAME].astype(np.float32).reshape(frames, FRAME)
    return np.sqrt(np.mean(np.square(shaped), axis=1))


def sound_onset(samples: np.ndarray, start: int) -> int:
    """Index in `samples` (int16, 16 kHz) where the sound the VAD found starting at index `start` began: the
    earliest frame of an unbroken run of sound (gaps of up to MAX_GAP_FRAMES) that reaches `start`; `start`
    itself when the frames just before it are no louder than the floor."""
    levels = frame_levels(samples[:start - start % FRAME])
    if len(levels) == 0:
        return start
    threshold = max(MIN_LEVEL, ABOVE_FLOOR * float(np.quantile(levels, FLOOR_QUANTILE)))
    onset, gap = len(levels), 0
    for index in range(len(levels) - 1, -1, -1):
        if levels[index] >= threshold:
            onset, gap = index, 0
        else:
            gap += 1
            if gap > MAX_GAP_FRAMES:
                break
    return min(start, onset * FRAME)
