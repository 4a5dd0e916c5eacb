"""The SDK over SmallWebRTC (aiortc) against the daemon: the same client, another transport."""

from __future__ import annotations

import asyncio

import pytest

from conftest import TOKEN, daemon_url
from firmware_py.client import RtviClient, events
from firmware_py.client.turns import TurnWatcher, audible
from firmware_py.client.webrtc import SmallWebRTCTransport, offer_url_for
from scripts.bench.scripted_llm import DEFAULT_ANSWER

pytestmark = pytest.mark.slow


async def test_typed_turn_with_the_bots_voice_over_webrtc(daemon: object) -> None:
    client = RtviClient(SmallWebRTCTransport(offer_url_for(daemon_url(daemon)), token=TOKEN))
    audio: list[events.BotAudio] = []
    client.on(events.BotAudio, audio.append)
    try:
        ready = await client.connect()
        assert ready.about.get("library") == "rtvi-edge"
        watcher = TurnWatcher(client, voice=True)
        watcher.begin()
        await client.send_text("Describe a calm lake.")
        record = await watcher.wait(40)
        assert record.bot_text.strip() == DEFAULT_ANSWER and record.first_audio_at is not None
        assert any(audible(a.pcm) for a in audio), "the bot's voice never came through"
        assert await client.send_client_request("ping", {"over": "webrtc"}) is not None
    finally:
        await client.disconnect()
        await asyncio.sleep(0)


def test_chat_over_webrtc(daemon: object) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "firmware_py.cli", "chat", offer_url_for(daemon_url(daemon)), "--token", TOKEN,
               "--text", "Describe a quiet forest."]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and DEFAULT_ANSWER in done.stdout, done.stderr
