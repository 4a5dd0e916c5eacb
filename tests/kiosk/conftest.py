"""Fixtures for the kiosk browser tests: tools, the fake-mic question, the real daemon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_tools import missing_browser_tools
from tests.kiosk.harness import Daemon, ensure_node_modules, start_daemon, write_config

TOKEN = "kiosk-test-token"
QUESTION = "What is the capital of France?"
LOOP_SECS = 20.0


@pytest.fixture(scope="session")
def browser_tools() -> None:
    reason = missing_browser_tools()
    if reason:
        pytest.skip(reason)
    ensure_node_modules()


@pytest.fixture(scope="session")
def fake_mic_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The question for chromium's fake microphone (played once: the driver adds %noloop)."""
    from tests.kiosk.harness import write_question_wav

    path = tmp_path_factory.mktemp("kiosk-audio") / "question-48k.wav"
    return write_question_wav(path, QUESTION, rate=48_000, lead_secs=2.0, tail_secs=30.0)


def daemon_sections(**extra: dict[str, object]) -> dict[str, dict[str, object]]:
    sections: dict[str, dict[str, object]] = {
        "server": {"token": TOKEN},
        "llm": {"max_tokens": 48, "seed": 1},
        "log": {"level": "info"},
    }
    for section, values in extra.items():
        sections.setdefault(section, {}).update(values)
    return sections


@pytest.fixture(scope="module")
def voice_daemon(browser_tools: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """RTVI clients only (no device audio), with an access token."""
    config = write_config(tmp_path_factory.mktemp("kiosk-daemon") / "config.toml", daemon_sections())
    daemon = start_daemon(config, ["--no-local-audio"])
    yield daemon
    daemon.stop()


@pytest.fixture(scope="module")
def monitor_daemon(browser_tools: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """The device's own session fed from a WAV (instead of ALSA), replayed every LOOP_SECS."""
    from tests.kiosk.harness import write_question_wav

    folder = tmp_path_factory.mktemp("kiosk-monitor")
    wav = write_question_wav(folder / "question-16k.wav", QUESTION, rate=16_000, lead_secs=0.5, tail_secs=1.0)
    sections = daemon_sections(audio={"enabled": True, "input_wav": str(wav), "input_wav_loop_secs": LOOP_SECS})
    daemon = start_daemon(write_config(folder / "config.toml", sections), [])
    yield daemon
    daemon.stop()
