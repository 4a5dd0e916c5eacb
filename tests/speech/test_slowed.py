"""The second hearing's audio: the same sounds, 8/7 as long and as much lower, nothing added above them."""

from __future__ import annotations

import numpy as np

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.speech.slowed import MAX_SECS, SLOWER, slowed, worth_hearing_again


def tone(hz: float, secs: float = 1.0) -> np.ndarray:
    t = np.arange(int(secs * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * SAMPLE_RATE / len(samples))


def test_a_tone_lasts_longer_and_sounds_lower_by_the_same_factor() -> None:
    out = slowed(tone(800.0))
    assert len(out) == round(SAMPLE_RATE * SLOWER)
    assert abs(peak_hz(out) - 800.0 / SLOWER) < 3.0
    assert abs(float(np.sqrt(np.mean(out[2000:-2000] ** 2))) - 0.5 / np.sqrt(2)) < 0.02   # same loudness


def test_int16_is_taken_as_full_scale_and_nothing_is_added_above_the_band() -> None:
    loud = (tone(7000.0) * 32767).astype(np.int16)
    out = slowed(loud)
    assert out.dtype == np.float32 and 0.4 < float(np.max(np.abs(out))) < 0.6
    spectrum = np.abs(np.fft.rfft(out))
    above = spectrum[int(len(spectrum) * (1 / SLOWER)) + 50:]   # above 7 kHz once slowed: nothing
    assert float(above.max()) < 1e-3 * float(spectrum.max())


def test_only_short_turns_are_heard_again() -> None:
    assert len(slowed(np.zeros(0, np.float32))) == 0
    assert worth_hearing_again(np.zeros(SAMPLE_RATE, np.int16))
    assert not worth_hearing_again(np.zeros(int((MAX_SECS + 1) * SAMPLE_RATE), np.int16))
    assert not worth_hearing_again(np.zeros(0, np.int16))
