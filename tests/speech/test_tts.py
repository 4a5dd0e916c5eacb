"""Both voices speak what they are given: the audio transcribes back to the text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE, resample, to_float, to_int16
from firmware_py.config import ConfigError, TtsSettings
from firmware_py.models import ModelError
from firmware_py.speech.piper import EspeakPhonemizer
from firmware_py.speech.stt import MoonshineStt
from firmware_py.speech.tts import TtsEngine, create_tts
from tests.speechgen import word_error_rate

SENTENCES = [
    "Sure, I can help with that.",
    "It is 21 degrees and sunny in Paris today.",
    "Your timer for 10 minutes has started.",
    "The kitchen light is now on.",
]
MAX_WER = 0.2


@pytest.fixture(params=["hibari", "piper"])
def voice(request: pytest.FixtureRequest) -> TtsEngine:
    return request.getfixturevalue(request.param)


def heard(stt: MoonshineStt, tts: TtsEngine, audio: np.ndarray) -> str:
    return stt.transcribe(to_float(resample(to_int16(audio), tts.sample_rate, SAMPLE_RATE)))


def test_speech_transcribes_back_to_its_text(voice: TtsEngine, stt: MoonshineStt) -> None:
    errors, words, transcripts = 0.0, 0, []
    for sentence in SENTENCES:
        audio = voice.synthesize(sentence)
        assert audio.dtype == np.float32 and audio.ndim == 1
        assert np.abs(audio).max() <= 1.0
        transcripts.append(heard(stt, voice, audio))
        count = len(sentence.split())
        errors += word_error_rate(sentence, transcripts[-1]) * count
        words += count
    assert errors / words < MAX_WER, transcripts
    assert voice.last_secs > 0


def test_native_rates(hibari: TtsEngine, piper: TtsEngine) -> None:
    assert hibari.sample_rate == 24000
    assert piper.sample_rate == 22050


def test_a_sentence_lasts_as_long_as_speech_does(voice: TtsEngine) -> None:
    secs = len(voice.synthesize("The kitchen light is now on.")) / voice.sample_rate
    assert 0.8 < secs < 4.0


def test_speed_changes_the_pace(voice: TtsEngine) -> None:
    text = "The kitchen light is now on."
    original = voice.speed  # type: ignore[attr-defined]
    try:
        voice.speed = 1.5  # type: ignore[attr-defined]
        fast = len(voice.synthesize(text))
        voice.speed = 0.75  # type: ignore[attr-defined]
        slow = len(voice.synthesize(text))
    finally:
        voice.speed = original  # type: ignore[attr-defined]
    assert fast < 0.8 * slow


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "\x00\x07", "..."])
def test_nothing_speakable_gives_no_audio(voice: TtsEngine, text: str) -> None:
    assert len(voice.synthesize(text)) == 0


@pytest.mark.parametrize("text", ["Ünïcödé çafé naïve", "<b>bold</b> & {json: 1}", "A" * 300, "x" * 40 + "!?" * 20])
def test_odd_text_does_not_break_it(voice: TtsEngine, text: str) -> None:
    assert voice.synthesize(text).dtype == np.float32


def test_sentences_are_split_for_streaming(voice: TtsEngine) -> None:
    assert voice.sentences("Dr. Smith paid $3.50. Then he left!") == ["Dr. Smith paid $3.50.", "Then he left!"]


def test_piper_phonemes_keep_clause_punctuation() -> None:
    phonemes = EspeakPhonemizer().phonemize("Hello there, how are you? Fine.")
    assert phonemes.count(",") == 1 and phonemes.count("?") == 1 and phonemes.endswith(".")
    assert "ˈ" in phonemes  # stress marks, as the voice was trained with


def test_offline_voices_only(models_root: Path) -> None:
    with pytest.raises(ConfigError, match="heart"):
        create_tts(TtsSettings(engine="hibari", voice="emma"), models_root)
    with pytest.raises(ConfigError, match="joe"):
        create_tts(TtsSettings(engine="piper", voice="amy"), models_root)


def test_missing_voice_files_are_model_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="hibari.onnx"):
        create_tts(TtsSettings(engine="hibari"), tmp_path)
    with pytest.raises(ModelError, match="joe-medium"):
        create_tts(TtsSettings(engine="piper"), tmp_path)
