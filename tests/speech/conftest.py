"""Real engines, loaded once for the whole speech suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_py.config import TtsSettings
from firmware_py.models import models_dir
from firmware_py.speech.stt import MoonshineStt
from firmware_py.speech.tts import TtsEngine, create_tts
from firmware_py.speech.turn import SmartTurn
from firmware_py.speech.vad import SileroVad
from firmware_py.speech.wakeword import WakeWordEngine


@pytest.fixture(scope="session")
def models_root() -> Path:
    return models_dir()


@pytest.fixture(scope="session")
def vad(models_root: Path) -> SileroVad:
    return SileroVad(models_root / "vad" / "silero_vad.onnx")


@pytest.fixture(scope="session")
def turn(models_root: Path) -> SmartTurn:
    return SmartTurn(models_root / "turn" / "smart-turn-v3.2-cpu.onnx")


@pytest.fixture(scope="session")
def stt(models_root: Path) -> MoonshineStt:
    return MoonshineStt(models_root / "stt")


@pytest.fixture(scope="session")
def hibari(models_root: Path) -> TtsEngine:
    return create_tts(TtsSettings(engine="hibari"), models_root)


@pytest.fixture(scope="session")
def piper(models_root: Path) -> TtsEngine:
    return create_tts(TtsSettings(engine="piper", voice="joe"), models_root)


@pytest.fixture(scope="session")
def jarvis(models_root: Path) -> WakeWordEngine:
    return WakeWordEngine(models_root / "wakeword", "hey_jarvis")



@pytest.fixture(scope="session")
def stt_tiny(models_root: Path) -> MoonshineStt:
    """The small profile's speech to text (Moonshine tiny-en)."""
    return MoonshineStt(models_root / "stt-tiny")
