"""Where a soft start began, before the VAD noticed it (speech/onset.py)."""

from __future__ import annotations

import numpy as np

from firmware_py.speech.onset import sound_onset

RATE = 16000


def floor(secs: float, level: float, seed: int = 1) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(int(secs * RATE)) * level).astype(np.int16)


def voice(secs: float, level: float) -> np.ndarray:
    t = np.arange(int(secs * RATE)) / RATE
    return (np.sin(2 * np.pi * 180 * t) * level * np.sqrt(2)).astype(np.int16)


def test_a_soft_start_is_found_before_the_vad_start() -> None:
    audio = np.concatenate([floor(0.6, 20), voice(0.35, 150), voice(0.5, 2000)])   # soft, then loud
    vad_start = int(0.9 * RATE)
    assert abs(sound_onset(audio, vad_start) - int(0.6 * RATE)) <= RATE // 100


def test_speech_right_after_digital_silence() -> None:
    audio = np.concatenate([floor(0.4, 20), np.zeros(int(0.3 * RATE), np.int16), voice(0.6, 300)])
    assert abs(sound_onset(audio, int(1.0 * RATE)) - int(0.7 * RATE)) <= RATE // 100


def test_a_stop_consonants_closure_does_not_end_the_walk() -> None:
    audio = np.concatenate([floor(0.5, 20), voice(0.1, 400), floor(0.02, 20, 2), voice(0.3, 400)])
    assert abs(sound_onset(audio, int(0.8 * RATE)) - int(0.5 * RATE)) <= RATE // 100


def test_steady_noise_and_an_earlier_separate_sound_are_not_the_start() -> None:
    noisy = np.concatenate([floor(1.0, 200), voice(0.3, 3000)])
    assert sound_onset(noisy, int(1.0 * RATE)) >= int(0.98 * RATE)   # room noise is no speech
    apart = np.concatenate([floor(0.2, 20), voice(0.2, 800), floor(0.3, 20, 3), voice(0.3, 800)])
    assert abs(sound_onset(apart, int(0.8 * RATE)) - int(0.7 * RATE)) <= RATE // 100   # a cough 0.3 s before


def test_nothing_before_the_start() -> None:
    assert sound_onset(np.zeros(0, np.int16), 0) == 0
    assert sound_onset(voice(0.005, 500), 80) == 80


def test_the_closure_of_a_stop_consonant_after_a_first_word() -> None:
    """ "Wha|t day": 50 ms of quiet between the first word and the next, the VAD's start after it."""
    audio = np.concatenate([floor(0.3, 15), np.zeros(int(0.3 * RATE), np.int16), voice(0.15, 1500),
                            np.zeros(int(0.05 * RATE), np.int16), voice(0.1, 600), voice(0.4, 3000)])
    assert abs(sound_onset(audio, int(0.9 * RATE)) - int(0.6 * RATE)) <= RATE // 100
