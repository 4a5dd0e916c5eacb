"""Each turn's audio is kept only when asked for, as a playable WAV beside an index of what was heard."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from firmware_py.turn_keeper import INDEX, KEEP_TURNS_ENV, keep_turn


def test_nothing_is_kept_unless_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(KEEP_TURNS_ENV, raising=False)
    assert keep_turn("session-1", np.ones(1600, np.int16), "Mute.") is None
    assert list(tmp_path.iterdir()) == []


def test_a_turn_is_kept_as_a_wav_with_its_words(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(KEEP_TURNS_ENV, str(tmp_path / "turns"))
    audio = (np.sin(np.arange(16_000) / 10) * 0.5).astype(np.float32)
    path = keep_turn("session-1", audio, "Turn on the kitchen light.")
    assert path is not None and path.parent == tmp_path / "turns"
    with wave.open(str(path)) as kept:
        assert (kept.getframerate(), kept.getnchannels(), kept.getnframes()) == (16_000, 1, 16_000)
        samples = np.frombuffer(kept.readframes(16_000), np.int16)
    assert abs(samples.astype(np.float32) / 32768 - audio).max() < 1e-3
    entry = json.loads((tmp_path / "turns" / INDEX).read_text())
    assert entry["file"] == path.name and entry["text"] == "Turn on the kitchen light." and entry["secs"] == 1.0


def test_a_directory_that_cannot_be_written_costs_no_turn(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert keep_turn("session-1", np.zeros(160, np.int16), "", directory=str(blocker / "turns")) is None
