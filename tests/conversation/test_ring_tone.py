"""The ring tones: what they are made of, how loud, and that no note starts or ends with a click."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_py.ring_tone import PEAK, ring_tone


def strongest_hertz(samples: np.ndarray, sample_rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float32)))
    return float(np.fft.rfftfreq(len(samples), 1 / sample_rate)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("sample_rate", [16_000, 24_000, 48_000])
def test_a_timer_chimes_and_an_alarm_beeps(sample_rate: int) -> None:
    chime, beeps = ring_tone(sample_rate, alarm=False), ring_tone(sample_rate, alarm=True)
    assert chime.dtype == np.int16 and beeps.dtype == np.int16
    assert 1.0 < len(chime) / sample_rate < 2.0 and 1.0 < len(beeps) / sample_rate < 2.0
    assert abs(strongest_hertz(chime, sample_rate) - 1318.5) < 15 or abs(strongest_hertz(chime, sample_rate) - 1046.5) < 15
    assert abs(strongest_hertz(beeps, sample_rate) - 988.0) < 15
    # the beeps stop and start: a run of short notes, not one long tone
    window = sample_rate // 100   # 10 ms
    level = np.abs(beeps[: len(beeps) // window * window].astype(np.float32)).reshape(-1, window).max(axis=1)
    loud = level > 0.1 * 32767
    assert int(loud[0]) + int(np.sum(loud[1:] & ~loud[:-1])) == 8, "two groups of four beeps"


def test_the_level_and_the_edges() -> None:
    for alarm in (False, True):
        tone = ring_tone(24_000, alarm)
        assert abs(int(np.abs(tone.astype(np.int32)).max()) - round(PEAK * 32767)) <= 1
        assert abs(int(tone[0])) < 200 and np.all(tone[-100:] == 0), "it fades in and ends in quiet"
        assert np.max(np.abs(np.diff(tone.astype(np.int32)))) < 0.5 * PEAK * 32767 * 2, "no sample-to-sample jump"


def test_made_once_and_never_changed() -> None:
    assert ring_tone(24_000, False) is ring_tone(24_000, False)
    with pytest.raises(ValueError):
        ring_tone(24_000, False)[0] = 1
