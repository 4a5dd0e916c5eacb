"""Test helpers: a recording stand-in for the conversation engine, a running RtviServer, and an RTVI test client.

The stand-in lives only here: it records what the server asks of a conversation and lets a test publish
bus events as the engine would, so every protocol path can be checked over a real socket in milliseconds.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import websockets
from websockets.asyncio.client import ClientConnection

from firmware_py.audio.frames import AudioFrame
from firmware_py.audio.io import AudioSink
from firmware_py.config import ServerSettings, Settings
from firmware_py.events import BotStartedSpeaking, BotStoppedSpeaking, EventBus
from firmware_py.live_config import LiveSettings
from firmware_py.rtvi import RtviServer
from firmware_py.rtvi.protocol import wire
from firmware_py.session import SessionHost, VoiceSession


class RecordingSession(VoiceSession):
    def __init__(self, session_id: str, sink: AudioSink, bus: EventBus, client_tools: list[dict[str, Any]] | None):
        self.session_id, self.sink, self.bus, self.client_tools = session_id, sink, bus, client_tools
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.audio: list[AudioFrame] = []
        self.context: list[dict[str, Any]] = [{"role": "system", "content": "be brief"}]
        self.muted = False
        self.pending_tools: dict[str, Any] = {}
        self.closed = False
        self.echo_cancel = False

    def record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def called(self, name: str) -> list[tuple[Any, ...]]:
        return [args for call, args in self.calls if call == name]

    def push_audio(self, frame: AudioFrame) -> None:
        self.audio.append(frame)

    async def send_text(self, text: str, run_immediately: bool = True, audio_response: bool = True) -> None:
        self.record("send_text", text, run_immediately, audio_response)

    async def append_to_context(self, role: str, content: str, run_immediately: bool = False) -> None:
        self.record("append_to_context", role, content, run_immediately)
        self.context.append({"role": role, "content": content})

    async def say(self, text: str, interrupt: bool = False) -> None:
        """Speaks `text` as 0.2 s of tone through the real sink, with the engine's events."""
        self.record("say", text, interrupt)
        self.bus.publish(BotStartedSpeaking(session_id=self.session_id))
        tone = (np.sin(np.arange(4800) / 10) * 8000).astype(np.int16)
        await self.sink.write(tone)
        await self.sink.drain()
        self.bus.publish(BotStoppedSpeaking(session_id=self.session_id))

    async def interrupt(self) -> None:
        self.record("interrupt")
        self.sink.clear()

    async def run_llm(self) -> None:
        self.record("run_llm")

    def set_muted(self, muted: bool) -> None:
        self.record("set_muted", muted)
        self.muted = muted

    def push_to_talk(self, pressed: bool) -> None:
        self.record("push_to_talk", pressed)

    def get_context(self) -> list[dict[str, Any]]:
        return list(self.context)

    def set_context(self, messages: list[dict[str, Any]]) -> None:
        self.record("set_context", messages)
        self.context = list(messages)

    def resolve_client_tool(self, tool_call_id: str, result: Any) -> bool:
        self.record("resolve_client_tool", tool_call_id, result)
        return self.pending_tools.pop(tool_call_id, None) is not None

    def status(self) -> dict[str, Any]:
        return {"state": "listening", "muted": self.muted}

    async def close(self) -> None:
        self.closed = True


class RecordingHost(SessionHost):
    def __init__(self, bus: EventBus, local: bool = False) -> None:
        self.bus = bus
        self.live = LiveSettings(Settings(), bus)
        self.sessions: dict[str, RecordingSession] = {}
        self.opened: list[RecordingSession] = []
        self.local_session_id = None
        if local:
            self.local_session_id = "local"
            self.sessions["local"] = RecordingSession("local", _NoSink(), bus, None)

    async def open_session(self, session_id: str, sink: AudioSink,
                           client_tools: list[dict[str, Any]] | None = None, echo_cancel: bool = False) -> VoiceSession:
        session = RecordingSession(session_id, sink, self.bus, client_tools)
        session.echo_cancel = echo_cancel
        self.sessions[session_id] = session
        self.opened.append(session)
        return session

    def get_session(self, session_id: str) -> VoiceSession | None:
        return self.sessions.get(session_id)

    async def close_session(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is not None:
            await session.close()


class _NoSink(AudioSink):
    async def write(self, samples: np.ndarray) -> None: ...

    def clear(self) -> None: ...


class RtviClient:
    """Speaks RTVI over protobuf (or JSON text frames with `json_mode`), keeps what the server sends."""

    def __init__(self, ws: ClientConnection, json_mode: bool = False) -> None:
        self.ws, self.json_mode = ws, json_mode
        self.messages: list[dict[str, Any]] = []
        self.audio: list[wire.AudioIn] = []
        self._counter = 0
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                if isinstance(data, str):
                    self.messages.append(json.loads(data))
                else:
                    frame = wire.decode(data)
                    if isinstance(frame, wire.AudioIn):
                        self.audio.append(frame)
                    elif isinstance(frame, wire.MessageIn):
                        self.messages.append(json.loads(frame.text))
                self._arrived.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self._arrived.set()

    def next_id(self) -> str:
        self._counter += 1
        return f"{self._counter:08x}"

    async def send(self, msg_type: str, data: Any = None, msg_id: str | None = None) -> str:
        msg_id = msg_id or self.next_id()
        envelope = {"label": "rtvi-ai", "type": msg_type, "id": msg_id}
        if data is not None:
            envelope["data"] = data
        await self.send_raw(json.dumps(envelope))
        return msg_id

    async def send_raw(self, text: str) -> None:
        await self.ws.send(text if self.json_mode else wire.encode_message(text))

    async def wait_for(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
        """The first message (seen or coming) that matches a type name or a predicate."""
        match = (lambda m: m.get("type") == predicate) if isinstance(predicate, str) else predicate
        async with asyncio.timeout(timeout):
            seen = 0
            while True:
                for message in self.messages[seen:]:
                    if match(message):
                        return message
                seen = len(self.messages)
                if self._reader.done():
                    raise AssertionError(f"connection closed; got {[m.get('type') for m in self.messages]}")
                self._arrived.clear()
                await self._arrived.wait()

    async def request(self, msg_type: str, data: Any = None, timeout: float = 5.0) -> dict[str, Any]:
        msg_id = await self.send(msg_type, data)
        return await self.wait_for(lambda m: m.get("id") == msg_id and m.get("type") != "config-error", timeout)

    async def ready(self, version: str | None = "2.1.0") -> dict[str, Any]:
        data = {"version": version, "about": {"library": "tests"}} if version else {}
        return await self.request("client-ready", data)

    def types(self) -> list[str]:
        return [m.get("type", "") for m in self.messages]

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)


class Harness:
    def __init__(self, server: RtviServer, host: RecordingHost, bus: EventBus) -> None:
        self.server, self.host, self.bus = server, host, bus
        self.clients: list[RtviClient] = []

    def url(self, path: str = "/ws") -> str:
        return f"ws://127.0.0.1:{self.server.port}{path}"

    def http(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"

    async def connect(self, path: str = "/ws", json_mode: bool = False, **kwargs: Any) -> RtviClient:
        ws = await websockets.connect(self.url(path), **kwargs)
        client = RtviClient(ws, json_mode)
        self.clients.append(client)
        return client

    def session(self, index: int = -1) -> RecordingSession:
        return self.host.opened[index]


async def start_harness(tmp_path: Path, local: bool = False, **server_settings: Any) -> Harness:
    bus = EventBus()
    host = RecordingHost(bus, local)
    settings = replace(ServerSettings(), port=0, **server_settings)
    web_root = tmp_path / "web"
    web_root.mkdir(exist_ok=True)
    server = RtviServer(host=host, bus=bus, settings=settings, web_root=web_root)
    await server.start()
    return Harness(server, host, bus)


async def until(condition: Any, timeout: float = 5.0) -> None:
    """Wait for `condition()` to hold (the server works on its own tasks)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
