"""Whatever a server sends, the client keeps going: malformed frames, odd messages, a failing callback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from firmware_py.client import RtviClient, Transport, events
from firmware_py.client.transport import with_query
from firmware_py.rtvi.protocol import wire


class ScriptedTransport(Transport):
    """Plays back frames as a server would have sent them; records what the client sends."""

    def __init__(self, frames: list[bytes | str]) -> None:
        self.incoming: asyncio.Queue[bytes | str | None] = asyncio.Queue()
        for frame in frames:
            self.incoming.put_nowait(frame)
        self.sent: list[dict] = []

    async def connect(self) -> None: ...

    async def send_message(self, json_text: str) -> None:
        message = json.loads(json_text)
        self.sent.append(message)
        if message["type"] == "client-ready":
            ready = {"label": "rtvi-ai", "type": "bot-ready", "id": message["id"], "data": {"version": "2.1.0"}}
            self.incoming.put_nowait(wire.encode_message(json.dumps(ready)))

    async def send_audio(self, pcm: bytes, sample_rate: int, num_channels: int) -> None: ...

    async def frames(self) -> AsyncIterator[wire.WireFrame]:
        while (data := await self.incoming.get()) is not None:
            if isinstance(data, str):
                yield wire.MessageIn(data)
                continue
            try:
                yield wire.decode(data)
            except wire.WireError:
                continue

    async def close(self) -> None:
        self.incoming.put_nowait(None)


def message(**envelope: object) -> bytes:
    return wire.encode_message(json.dumps({"label": "rtvi-ai", **envelope}))


BAD_FRAMES: list[bytes | str] = [
    b"\xff\x00 not protobuf",
    wire.encode_message("{not json"),
    wire.encode_message("[1, 2]"),
    wire.encode_message(json.dumps({"label": "other", "type": "bot-llm-text", "data": {"text": "ignored"}})),
    message(type="bot-llm-text", data="not an object"),
    message(type="bot-tts-audio", data={"audio": "%%%not base64"}),
    message(type="llm-function-call-in-progress", data={"function_name": "unregistered", "tool_call_id": "1"}),
    message(type="a-type-from-the-future", data={"x": 1}),
    wire.encode_interruption(),
    message(type="bot-llm-text", data={"text": "still here"}),
]


async def test_bad_frames_are_skipped_and_the_client_carries_on() -> None:
    transport = ScriptedTransport(BAD_FRAMES)
    client = RtviClient(transport)
    seen: list[events.ClientEvent] = []
    client.on(events.ClientEvent, seen.append)
    client.on(events.BotLlmText, lambda _e: 1 / 0)  # a broken app callback is logged, not fatal
    await client.connect(timeout=5)
    await asyncio.sleep(0.05)
    texts = [e.text for e in seen if isinstance(e, events.BotLlmText)]
    assert texts[-1] == "still here" and "ignored" not in texts
    assert any(isinstance(e, events.OtherMessage) and e.message_type == "a-type-from-the-future" for e in seen)
    assert client.connected
    await client.disconnect()
    assert isinstance(seen[-1], events.Disconnected) and not client.connected
    assert [event async for event in client.events()] == []  # ends at once: nothing more will come


async def test_requests_fail_cleanly_when_the_connection_drops() -> None:
    transport = ScriptedTransport([])
    client = RtviClient(transport)
    await client.connect(timeout=5)
    pending = asyncio.create_task(client.send_client_request("status", timeout=5))
    await asyncio.sleep(0.05)
    await transport.close()
    with pytest.raises(ConnectionError):
        await pending


def test_token_and_parameters_go_on_the_url() -> None:
    url = with_query("ws://hub:7860/ws?mode=x", {"token": "a b", "echo_cancel": "1", "empty": ""})
    assert url == "ws://hub:7860/ws?mode=x&token=a+b&echo_cancel=1"
