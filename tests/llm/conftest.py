"""Fixtures for the LLM tests: a tiny random-weight GGUF (generated once per test session) and small helpers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from firmware_py.config import LlmSettings
from firmware_py.events import Event, EventBus

from .tiny_gguf import write_tiny_gguf


class SpeakerControls:
    """Volume and mute of a device without a speaker: remembers what it was told."""

    def __init__(self) -> None:
        self.volume = 0.5
        self.muted = False

    def get_volume(self) -> float:
        return self.volume

    def set_volume(self, value: float) -> None:
        self.volume = value

    def set_muted(self, muted: bool) -> None:
        self.muted = muted


class Recorder:
    """Every event published on a bus, in order."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(self.events.append)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.fixture(scope="session")
def tiny_settings(tiny_gguf: Path) -> LlmSettings:
    return replace(LlmSettings(), model=str(tiny_gguf), n_ctx=4096, max_tokens=40, seed=7, temperature=0.8)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def recorder(bus: EventBus) -> Recorder:
    return Recorder(bus)


@pytest.fixture
def device() -> SpeakerControls:
    return SpeakerControls()


@pytest.fixture(scope="session")
def tiny_llm(tiny_settings: LlmSettings, tiny_gguf: Path) -> Iterator[Any]:
    from firmware_py.llm.local import LocalLlm

    engine = LocalLlm.from_settings(tiny_settings, tiny_gguf.parent)
    yield engine
    engine.close()
