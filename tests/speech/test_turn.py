"""Smart Turn: finished questions end the turn, a mid-sentence pause does not; its Whisper features."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_py.audio.frames import to_float
from firmware_py.config import TurnSettings, VadSettings
from firmware_py.speech.turn import SmartTurn
from firmware_py.speech.whisper_mel import fit_to_window, log_mel, mel_filters
from tests.speechgen import silence, speech, with_pause

THRESHOLD = TurnSettings().threshold
PAUSE_CHECKED_AFTER = VadSettings().stop_secs  # an unfinished early verdict is checked again at the VAD's stop


def turn_so_far(*parts: np.ndarray, pause_secs: float = 0.6) -> np.ndarray:
    return to_float(np.concatenate([with_pause(list(parts), pause_secs), silence(PAUSE_CHECKED_AFTER)]))


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
@pytest.mark.parametrize("question", ["What time is it?", "What is the capital of France?",
                                      "Set a timer for ten minutes.", "How tall is Mount Everest?"])
def test_a_finished_question_ends_the_turn(turn: SmartTurn, voice: str, question: str) -> None:
    assert turn.completion_probability(turn_so_far(speech(question, voice=voice)[0])) >= THRESHOLD


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
def test_a_pause_mid_sentence_does_not_end_the_turn(turn: SmartTurn, voice: str) -> None:
    # A hesitation, as people pause: synthetic voices end a bare fragment ("I would like to") with a
    # falling, finished-sounding tone, which the model rightly hears as complete.
    start = speech("I would like to, um,", voice=voice)[0]
    assert turn.completion_probability(turn_so_far(start)) < THRESHOLD
    rest = speech("order a large pizza with mushrooms.", voice=voice)[0]
    assert turn.completion_probability(turn_so_far(start, rest)) >= THRESHOLD


def test_only_the_last_eight_seconds_count(turn: SmartTurn) -> None:
    question = speech("What time is it?")[0]
    long_turn = turn_so_far(speech("I would like to, um,")[0], silence(9.0), question)
    assert len(long_turn) > 8 * 16000
    assert turn.completion_probability(long_turn) == pytest.approx(
        turn.completion_probability(long_turn[-8 * 16000:]), abs=1e-4)


def test_nothing_said_is_not_a_finished_turn(turn: SmartTurn) -> None:
    assert turn.completion_probability(np.zeros(0, np.float32)) == 0.0
    assert turn.completion_probability(np.zeros(16000, np.float32)) == 0.0
    odd = np.array([np.nan, np.inf, -np.inf, 0.5] * 4000, np.float32)
    assert 0.0 <= turn.completion_probability(odd) <= 1.0
    assert turn.last_secs > 0


def test_short_audio_is_padded_at_the_start() -> None:
    audio = np.arange(1, 11, dtype=np.float32)
    window = fit_to_window(audio, 16)
    assert window.shape == (16,) and not window[:6].any() and (window[6:] == audio).all()
    assert (fit_to_window(audio, 4) == audio[-4:]).all()


def test_features_follow_the_whisper_recipe() -> None:
    """Compare with a plain frame-by-frame computation of the same recipe (no shared code)."""
    rng = np.random.default_rng(3)
    audio = (0.1 * rng.standard_normal(8000)).astype(np.float32)
    normalised = (audio - audio.mean()) / np.sqrt(audio.var() + 1e-7)
    padded = np.pad(normalised.astype(np.float64), 200, mode="reflect")
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(400) / 400)
    frames = [padded[i * 160:i * 160 + 400] * window for i in range(len(normalised) // 160 + 1)]
    power = np.array([np.abs(np.fft.rfft(frame)) ** 2 for frame in frames]).T
    expected = np.log10(np.maximum(mel_filters() @ power, 1e-10))[:, :-1]
    expected = (np.maximum(expected, expected.max() - 8.0) + 4.0) / 4.0
    features = log_mel(audio)
    assert features.shape == (80, 50)
    assert np.allclose(features, expected, atol=1e-4)


def test_mel_filters_are_slaney_shaped() -> None:
    filters = mel_filters()
    assert filters.shape == (80, 201)
    assert (filters >= 0).all()
    peaks = filters.argmax(axis=1)
    assert (np.diff(peaks) >= 0).all()  # bands rise in frequency
    # Slaney normalisation: each triangle is 2 / (its width in Hz) high, so its area in Hz is 1
    areas = filters.sum(axis=1) * (8000 / 200)
    assert np.allclose(areas[10:], 1.0, atol=0.1)


def test_eight_second_window_gives_the_model_its_shape() -> None:
    assert log_mel(fit_to_window(np.zeros(100, np.float32) + 0.01, 8 * 16000)).shape == (80, 800)
