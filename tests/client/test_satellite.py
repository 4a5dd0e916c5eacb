"""The satellite: wakes on the real wake word, streams, plays the hub's answer; outlives a hub restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from conftest import TOKEN, daemon_url
from firmware_py.audio.io import CaptureSink, write_wav
from firmware_py.client.audio_io import Speaker, WavMicrophone
from firmware_py.client.satellite import Satellite, SatelliteSettings
from firmware_py.client.satellite_io import open_wake_word
from firmware_py.events import EventBus, StateChanged
from pipecat_server import free_port, pipecat_server
from scripts.bench.scripted_llm import ScriptedLlm
from tests.speechgen import silence, speech


QUESTION = "Tell me something about the ocean."
"""Answered by the LLM (no intent or document matches it), so the scripted server's answer comes back."""


def wake_then_ask(path: Path) -> Path:
    parts = [silence(1.0), speech("Hey Jarvis")[0], silence(0.6), speech(QUESTION)[0], silence(0.5)]
    write_wav(path, np.concatenate(parts), 16_000)
    return path


async def until(condition: object, timeout: float) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_wakes_streams_and_plays_the_answer(daemon: object, tmp_path: Path) -> None:
    settings = SatelliteSettings(hub_url=daemon_url(daemon), token=TOKEN, room="kitchen", listen_secs=6.0)
    sink = CaptureSink(24_000)
    bus = EventBus()
    states: list[str] = []
    bus.subscribe(lambda e: states.append(e.state), StateChanged)  # type: ignore[attr-defined]
    mic = WavMicrophone(wake_then_ask(tmp_path / "wake.wav"), tail_secs=None)
    satellite = Satellite(settings, mic, Speaker(sink), open_wake_word(settings, ""), bus)
    running = asyncio.create_task(satellite.run())
    try:
        await until(lambda: sink.chunks and not satellite.speaker.busy and "speaking" in states, 60)
        assert satellite.wakes == 1 and satellite.link.connects == 1
        assert sum(len(c) for c in sink.chunks) / 24_000 > 0.5  # the answer was played
        assert states[:2] == ["idle", "listening"] and "thinking" in states
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_reconnects_after_the_hub_restarts(tmp_path: Path) -> None:
    pytest.importorskip("pipecat")
    port = free_port()
    settings = SatelliteSettings(hub_url=f"ws://127.0.0.1:{port}", mode="always", backoff_secs=0.2,
                                 max_backoff_secs=0.5)
    satellite = Satellite(settings, WavMicrophone(_silent_wav(tmp_path), tail_secs=None), None, None)
    async with ScriptedLlm() as llm:
        running = asyncio.create_task(satellite.run())
        try:
            async with pipecat_server(llm.url, port):
                await until(lambda: satellite.link.connected, 20)
            await until(lambda: not satellite.link.connected, 10)
            await asyncio.sleep(1.0)  # the hub is down: the satellite keeps retrying, quietly
            async with pipecat_server(llm.url, port):
                await until(lambda: satellite.link.connects == 2 and satellite.link.connected, 20)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)


def _silent_wav(folder: Path) -> Path:
    path = folder / "silence.wav"
    write_wav(path, silence(0.5), 16_000)
    return path
