"""Fixtures for the client tests: the scripted OpenAI-compatible server (in its own thread, so it outlives
each test's event loop) and the real daemon using it as its remote LLM, one of each for the whole folder."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scripts.bench.scripted_llm import ScriptedLlm

if TYPE_CHECKING:
    from firmware_py.client import RtviClient

REPO = Path(__file__).resolve().parents[2]
TOKEN = "client-token"


class ThreadedLlm:
    """A ScriptedLlm served from a background thread's event loop."""

    def __init__(self, **options: float) -> None:
        self.llm = ScriptedLlm(**options)  # type: ignore[arg-type]
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._started.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self.llm.__aenter__())
        self._started.set()
        self._loop.run_forever()

    @property
    def url(self) -> str:
        return self.llm.url

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.llm.__aexit__(None, None, None), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def e2e_harness():  # type: ignore[no-untyped-def]
    """tests/e2e/e2e_harness.py (the daemon as a subprocess), shared rather than written twice."""
    folder = str(REPO / "tests" / "e2e")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import e2e_harness as harness

    return harness


@pytest.fixture(scope="session")
def scripted_llm() -> Iterator[ThreadedLlm]:
    llm = ThreadedLlm(tokens_per_sec=100.0)
    yield llm
    llm.stop()


@pytest.fixture(scope="session")
def daemon(scripted_llm: ThreadedLlm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real daemon (real VAD, STT, turn, TTS models), its LLM the scripted server; RTVI clients only."""
    harness = e2e_harness()
    config = harness.write_config(tmp_path_factory.mktemp("client-daemon") / "config.toml", {
        "server": {"token": TOKEN},
        "llm": {"backend": "remote", "remote_url": scripted_llm.url, "parallel": 4, "max_tokens": 40},
        "arbitration": {"window_secs": 0.5},
        "log": {"level": "info"},
    })
    process = harness.DaemonProcess(config)
    yield process
    process.stop()


def daemon_url(daemon: object) -> str:
    return f"ws://127.0.0.1:{daemon.port}/ws"  # type: ignore[attr-defined]


async def answer_containing(client: "RtviClient", wanted: str) -> str:
    """The bot's LLM text of the first answer that contains `wanted`."""
    from firmware_py.client import events

    text = ""
    async for event in client.events():
        if isinstance(event, events.BotLlmStarted):
            text = ""
        elif isinstance(event, events.BotLlmText):
            text += event.text
        elif isinstance(event, events.BotLlmStopped) and wanted in text:
            return text
    raise AssertionError("disconnected before the answer")
