"""The sound a timer or alarm rings with: a two-note chime for a timer, a run of short beeps for an alarm.

Made here from sine tones (no file to ship or lose), at the rate the sink plays, and kept once made. Their level
is well under full scale: a ring is heard across a kitchen, not a shock at the bedside, and the device's volume
still sets it, as it does the voice.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

PEAK = 0.35
"""Of full scale (about -9 dBFS): near the voice's own loudness."""
EDGE_SECS = 0.005   # a raised-cosine edge on every note: no click where a sine starts or stops


@lru_cache(maxsize=4)
def ring_tone(sample_rate: int, alarm: bool) -> np.ndarray:
    """One ring as int16 samples at `sample_rate`: a timer's chime (1.53 s) or an alarm's beeps (1.89 s), each
    with its breath before the words."""
    if alarm:   # two groups of four quick beeps, as an alarm clock
        beep = _note(sample_rate, 988.0, 0.11, decay_secs=None)
        gap = np.zeros(int(0.07 * sample_rate), dtype=np.float32)
        group = np.concatenate([np.concatenate([beep, gap]) for _ in range(4)])
        pause = np.zeros(int(0.3 * sample_rate), dtype=np.float32)
        sound = np.concatenate([group, pause, group])
    else:   # "ding-dong" twice, as a kitchen timer's bell
        ding = _note(sample_rate, 1318.5, 0.32, decay_secs=0.12)
        dong = _note(sample_rate, 1046.5, 0.32, decay_secs=0.12)
        pause = np.zeros(int(0.1 * sample_rate), dtype=np.float32)
        sound = np.concatenate([ding, dong, pause, ding, dong])
    sound = np.concatenate([sound, np.zeros(int(0.15 * sample_rate), dtype=np.float32)])   # a breath before words
    samples = np.round(sound / max(1e-9, float(np.abs(sound).max())) * PEAK * 32767).astype(np.int16)
    samples.flags.writeable = False   # shared by every ring
    return samples


def _note(sample_rate: int, hertz: float, secs: float, decay_secs: float | None) -> np.ndarray:
    """A sine with its octave a little under it in level (a bell's brightness), faded in and out."""
    t = np.arange(int(secs * sample_rate), dtype=np.float32) / sample_rate
    wave = np.sin(2 * np.pi * hertz * t) + 0.3 * np.sin(2 * np.pi * 2 * hertz * t)
    if decay_secs is not None:
        wave *= np.exp(-t / decay_secs)
    edge = min(len(t) // 2, int(EDGE_SECS * sample_rate))
    if edge:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, edge, dtype=np.float32))
        wave[:edge] *= ramp
        wave[-edge:] *= ramp[::-1]
    return wave.astype(np.float32)
