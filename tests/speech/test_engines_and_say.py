"""Loading every engine from checked files, and `rtvi-edge say`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from firmware_py.audio.alsa import list_devices
from firmware_py.audio.frames import SAMPLE_RATE, resample, to_float
from firmware_py.audio.io import read_wav
from firmware_py.cli import main
from firmware_py.config import Settings
from firmware_py.models import ModelError
from firmware_py.speech.engines import load_speech_engines
from firmware_py.speech.say import say_command
from firmware_py.speech.stt import MoonshineStt
from tests.speechgen import word_error_rate


def linked_models(root: Path, target: Path, leave_out: str) -> Path:
    """A models directory linking every file of `root` except `leave_out`."""
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if path.is_file() and str(relative) != leave_out and path.name != ".verified.json":
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            (target / relative).symlink_to(path)
    return target


def test_everything_loads_with_and_without_wake_word(models_root: Path) -> None:
    engines = load_speech_engines(Settings(), models_root, with_wakeword=True)
    assert engines.wakeword is not None and engines.wakeword.phrase == "hey_jarvis"
    assert engines.tts.sample_rate == 24000
    assert load_speech_engines(Settings(), models_root, with_wakeword=False).wakeword is None


def test_small_profile_loads_tiny_speech_to_text(models_root: Path) -> None:
    settings = Settings()
    settings = replace(settings, models=replace(settings.models, profile="small"))
    engines = load_speech_engines(settings, models_root, with_wakeword=False)
    assert engines.stt.model_dir == models_root / "stt-tiny"


def test_a_missing_model_names_the_file_and_the_fix(models_root: Path, tmp_path: Path) -> None:
    root = linked_models(models_root, tmp_path, leave_out="vad/silero_vad.onnx")
    with pytest.raises(ModelError, match=r"vad/silero_vad.onnx.*missing.*rtvi-edge models install vad"):
        load_speech_engines(Settings(), root, with_wakeword=False)


def test_a_corrupt_model_is_refused(models_root: Path, tmp_path: Path) -> None:
    root = linked_models(models_root, tmp_path, leave_out="turn/smart-turn-v3.2-cpu.onnx")
    (root / "turn").mkdir(exist_ok=True)
    (root / "turn" / "smart-turn-v3.2-cpu.onnx").write_bytes(b"\0" * 100)
    with pytest.raises(ModelError, match=r"smart-turn-v3.2-cpu.onnx.*corrupt"):
        load_speech_engines(Settings(), root, with_wakeword=False)


@pytest.mark.parametrize("engine, rate", [("hibari", 24000), ("piper", 22050)])
def test_say_writes_a_wav_at_the_voice_rate(tmp_path: Path, stt: MoonshineStt, engine: str, rate: int) -> None:
    settings = Settings()
    settings = replace(settings, tts=replace(settings.tts, engine=engine))
    out = tmp_path / "hello.wav"
    text = "Good morning. The kitchen light is on."
    assert say_command(settings, text, out) == 0
    samples, wav_rate = read_wav(out)
    assert wav_rate == rate
    assert 1.5 < len(samples) / rate < 6.0
    assert word_error_rate(text, stt.transcribe(to_float(resample(samples, rate, SAMPLE_RATE)))) < 0.2


def test_say_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.wav"
    assert main(["say", "It is 12:30.", "--out", str(out)]) == 0
    assert read_wav(out)[1] == 24000
    assert "wrote" in capsys.readouterr().err


def test_say_refuses_what_it_cannot_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert say_command(Settings(), "   ", tmp_path / "x.wav") == 1
    assert say_command(Settings(), "🙂", tmp_path / "x.wav") == 1
    assert say_command(Settings(), "Hi.", tmp_path / "no" / "such" / "dir.wav") == 1
    assert not list(tmp_path.iterdir())
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.skipif(any(d.max_output_channels for d in list_devices()), reason="this machine has a speaker")
def test_say_without_a_speaker_suggests_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert say_command(Settings(), "Hello.", None) == 1
    message = capsys.readouterr().err
    assert "no audio output device" in message and "--out" in message


def test_say_with_a_missing_voice_explains_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = replace(Settings(), models=replace(Settings().models, dir=str(tmp_path)))
    assert say_command(settings, "Hello.", tmp_path / "x.wav") == 1
    assert "rtvi-edge models install tts" in capsys.readouterr().err
