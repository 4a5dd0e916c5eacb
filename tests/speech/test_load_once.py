"""Start-up loads each model file once and leaves the first sentence to the engines' warm-up when asked to."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import onnxruntime as ort
import pytest

from firmware_py.config import TtsSettings
from firmware_py.speech.moonshine import read_tokens
from firmware_py.speech.tts import create_tts


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The model files onnxruntime opens from now on."""
    paths: list[str] = []
    real = ort.InferenceSession

    def session(path: Any, *args: Any, **kwargs: Any) -> ort.InferenceSession:
        paths.append(Path(str(path)).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ort, "InferenceSession", session)
    return paths


def test_the_voice_opens_its_model_once(models_root: Path, opened: list[str]) -> None:
    voice = create_tts(TtsSettings(engine="hibari"), models_root, warm=False)
    assert len(opened) == 1 and opened[0].startswith("hibari.")  # the model or its compiled copy, once
    assert len(voice.synthesize("The kitchen light is now on.")) > voice.sample_rate // 2


@pytest.mark.parametrize("voice", [("hibari", "heart"), ("piper", "joe")])
def test_warm_false_leaves_the_first_sentence_to_the_caller(models_root: Path, voice: tuple[str, str]) -> None:
    settings = TtsSettings(engine=voice[0], voice=voice[1])
    assert create_tts(settings, models_root, warm=False).last_secs == 0.0  # nothing synthesized yet
    assert create_tts(settings, models_root).last_secs > 0.0


def test_tokens_read_as_base64_did(tmp_path: Path) -> None:
    words = [b"\xe2\x96\x81the", b"", b"<s>", "\u2581caf\u00e9".encode()]
    path = tmp_path / "tokens.txt"
    path.write_text("".join(f"{base64.b64encode(word).decode()} {i}\n" for i, word in enumerate(words)))
    assert list(read_tokens(path)) == words
