"""The RTVI protocol against the real daemon and real models, from a Python client (no browser): the
conversation engine behind the server, not a stand-in."""

from __future__ import annotations

import json
import urllib.request

import pytest
import websockets

from e2e_harness import TOKEN, DaemonProcess, rtvi_test_client

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
TURN_SECS = 120.0


async def connect(daemon: DaemonProcess, path: str = "/ws"):
    RtviClient = rtvi_test_client()
    separator = "&" if "?" in path else "?"
    return RtviClient(await websockets.connect(f"ws://127.0.0.1:{daemon.port}{path}{separator}token={TOKEN}"))


async def test_text_turn_voice_and_context(daemon: DaemonProcess) -> None:
    client = await connect(daemon)
    try:
        ready = await client.ready()
        assert ready["type"] == "bot-ready" and ready["data"]["version"] == "2.2.0"
        await client.send("send-text", {"content": "What is two plus two?"})
        await client.wait_for("bot-llm-text", TURN_SECS)
        stopped = await client.wait_for("bot-stopped-speaking", TURN_SECS)
        assert stopped and client.audio, client.types()
        assert {(a.sample_rate, a.num_channels) for a in client.audio} == {(24000, 1)}
        assert all(len(a.pcm) == 1920 for a in client.audio[:-1])  # 40 ms frames (the last may be the tail)
        order = client.types()
        assert order.index("bot-llm-started") < order.index("bot-started-speaking") < order.index("bot-output")
        context = (await client.request("client-message", {"t": "get-context"}))["data"]["d"]["messages"]
        assert {"role": "user", "content": "What is two plus two?"} in context
        assert context[-1]["role"] == "assistant" and context[-1]["content"]
        status = (await client.request("client-message", {"t": "status"}))["data"]["d"]
        assert status["last_transcript"] == "What is two plus two?"
    finally:
        await client.close()


async def test_interrupt_stops_the_voice(daemon: DaemonProcess) -> None:
    client = await connect(daemon)
    try:
        await client.ready()
        await client.send("send-text", {"content": "Tell me a long story about a dragon and a knight."})
        await client.wait_for("bot-started-speaking", TURN_SECS)
        await client.request("client-message", {"t": "interrupt"})
        await client.wait_for("bot-interrupted")
        stopped_at = len(client.messages)
        await client.wait_for("bot-stopped-speaking")
        frames_then = len(client.audio)
        await client.request("client-message", {"t": "ping"})  # a round trip later: nothing more came
        assert len(client.audio) == frames_then
        assert "bot-started-speaking" not in client.types()[stopped_at:]
    finally:
        await client.close()


async def test_legacy_client_configures_the_device_live(daemon: DaemonProcess) -> None:
    watcher, legacy = await connect(daemon), await connect(daemon)
    try:
        await watcher.ready()
        ready = await legacy.ready(version=None)
        assert ready["data"]["version"] == "0.3.0" and ready["data"]["config"]
        update = [{"service": "vad", "options": [{"name": "stop_secs", "value": 0.35}]}]
        reply = await legacy.request("update-config", {"config": update})
        vad = {o["name"]: o["value"] for s in reply["data"]["config"] if s["service"] == "vad" for o in s["options"]}
        assert reply["type"] == "config" and vad["stop_secs"] == 0.35
        notice = await watcher.wait_for(lambda m: m.get("data", {}).get("type") == "config-changed")
        assert notice["data"]["values"] == {"stop_secs": 0.35}
        said = await legacy.request("action", {"service": "tts", "action": "say",
                                               "arguments": [{"name": "text", "value": "Configured."}]}, TURN_SECS)
        assert said["type"] == "action-response"
        await legacy.wait_for("bot-stopped-speaking", TURN_SECS)
        assert legacy.audio and not watcher.audio  # each conversation's voice goes to its own client
    finally:
        await watcher.close()
        await legacy.close()


def test_health(daemon: DaemonProcess) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{daemon.port}/health", timeout=10) as reply:
        health = json.loads(reply.read())
    assert health["status"] == "ok" and health["local_session"] is False
