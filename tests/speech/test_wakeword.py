"""openWakeWord "hey jarvis": fires on the phrase in both test voices, stays quiet on everything else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_py.config import ConfigError, WakeWordSettings
from firmware_py.speech.wakeword import WakeWordEngine
from tests.speechgen import noise, silence, speech, tones, with_pause

from .streams import detections

THRESHOLD = WakeWordSettings().threshold
OTHER_SPEECH = ["What is the weather like today?", "Turn on the kitchen light.", "Hey, how are you doing?",
                "Set a timer for ten minutes.", "Harvest the garden this weekend."]


def padded(samples: np.ndarray) -> np.ndarray:
    return np.concatenate([silence(1.0), samples, silence(1.0)])


@pytest.mark.parametrize("voice, text, options", [
    ("hibari", "Hey Jarvis", {}),
    ("hibari", "Hey, Jarvis.", {}),
    ("hibari", "Hey Jarvis", {"speed": 1.2}),
    ("espeak", "Hey Jarvis", {}),
    ("espeak", "Hey Jarvis!", {"espeak_voice": "en-gb"}),
    ("espeak", "Hey Jarvis", {"speed": 0.8}),
])
def test_fires_once_on_the_phrase(jarvis: WakeWordEngine, voice: str, text: str, options: dict) -> None:
    stream = jarvis.new_stream(THRESHOLD, refractory_secs=2.0)
    fired = detections(stream, padded(speech(text, voice=voice, **options)[0]))
    assert len(fired) == 1
    assert fired[0] >= THRESHOLD


@pytest.mark.parametrize("voice", ["hibari", "espeak"])
def test_other_speech_does_not_fire(jarvis: WakeWordEngine, voice: str) -> None:
    stream = jarvis.new_stream(THRESHOLD, refractory_secs=2.0)
    clip = with_pause([speech(text, voice=voice)[0] for text in OTHER_SPEECH], pause_secs=0.7)
    assert detections(stream, padded(clip)) == []
    assert stream.max_score < THRESHOLD


def test_noise_and_music_do_not_fire(jarvis: WakeWordEngine) -> None:
    stream = jarvis.new_stream(THRESHOLD, refractory_secs=2.0)
    assert detections(stream, np.concatenate([noise(4.0, 0.05), tones(4.0), silence(1.0)])) == []


def test_the_score_rises_on_the_phrase(jarvis: WakeWordEngine) -> None:
    other = jarvis.new_stream(THRESHOLD, 2.0)
    detections(other, padded(speech("What is the weather like today?")[0]))
    phrase = jarvis.new_stream(THRESHOLD, 2.0)
    detections(phrase, padded(speech("Hey Jarvis")[0]))
    assert phrase.max_score > 0.9 > 0.2 > other.max_score


def test_chunk_size_does_not_matter(jarvis: WakeWordEngine) -> None:
    clip = padded(speech("Hey Jarvis")[0])
    scores = []
    for chunk in (160, 1280, 4000, len(clip)):
        stream = jarvis.new_stream(THRESHOLD, 2.0)
        detections(stream, clip, chunk)
        scores.append(stream.max_score)
    assert np.allclose(scores, scores[0], atol=1e-5)


def test_refractory_period_holds_back_repeats(jarvis: WakeWordEngine) -> None:
    phrase = speech("Hey Jarvis")[0]
    twice = padded(with_pause([phrase, phrase], pause_secs=1.0))
    assert len(detections(jarvis.new_stream(THRESHOLD, refractory_secs=10.0), twice)) == 1
    assert len(detections(jarvis.new_stream(THRESHOLD, refractory_secs=1.0), twice)) == 2


def test_live_threshold_and_reset(jarvis: WakeWordEngine) -> None:
    stream = jarvis.new_stream(THRESHOLD, 2.0)
    stream.threshold = 0.9999  # raised while running
    detections(stream, padded(speech("What time is it?")[0]))
    assert stream.max_score < 0.9999
    stream.reset()
    assert stream.max_score == 0.0 and stream.last_score == 0.0


def test_odd_input_is_harmless(jarvis: WakeWordEngine) -> None:
    stream = jarvis.new_stream(THRESHOLD, 2.0)
    assert stream.process(np.zeros(0, np.int16)) is None
    assert stream.process(np.zeros(7, np.int16)) is None
    assert stream.process(np.full(5000, 32767, np.int16)) is None


def test_unknown_phrase_names_the_installed_ones(models_root: Path) -> None:
    with pytest.raises(ConfigError, match="hey_jarvis"):
        WakeWordEngine(models_root / "wakeword", "ok_computer")
