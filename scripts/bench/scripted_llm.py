"""A scripted OpenAI-compatible chat server that streams at a fixed token rate (no model at all).

It stands in for a real inference server (llama.cpp, vLLM, Ollama) where what is measured is the hub,
not the model: `POST /v1/chat/completions` with `stream: true` answers with server-sent events, one word
per token at `tokens_per_sec`. With `slots` it serves that many streams at once and queues the rest, as
a server with parallel slots does. A user message naming a tool the request offers (e.g. "temperature"
for `get_room_temperature`) gets a tool call first; the tool's result then comes back in the answer.

    async with ScriptedLlm(tokens_per_sec=20, slots=4) as llm:
        print(llm.url)   # http://127.0.0.1:PORT/v1
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ANSWER = "It is a quiet evening here, and all is well."
TOOL_WORDS = {"temperature": "get_room_temperature"}


@dataclass
class ScriptedLlm:
    tokens_per_sec: float = 20.0
    slots: int = 64
    answer: str = DEFAULT_ANSWER
    port: int = 0
    requests: int = 0
    peak_streams: int = 0
    _streams: int = 0
    _server: asyncio.AbstractServer | None = None
    _slots: asyncio.Semaphore | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def __aenter__(self) -> "ScriptedLlm":
        self._slots = asyncio.Semaphore(self.slots)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            body = await _read_request(reader)
            if body is None:
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            self.requests += 1
            self.bodies.append(body)
            assert self._slots is not None
            async with self._slots:
                self._streams += 1
                self.peak_streams = max(self.peak_streams, self._streams)
                try:
                    await self._stream(writer, body)
                finally:
                    self._streams -= 1
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _stream(self, writer: asyncio.StreamWriter, body: dict[str, Any]) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        call = _tool_call(body)
        if call is not None:
            await self._send(writer, {"tool_calls": [call]}, finish=None)
            await self._send(writer, {}, finish="tool_calls")
        else:
            words = _reply(body, self.answer).split(" ")
            if body.get("max_tokens") == 1:
                words = words[:1]
            for index, word in enumerate(words):
                await asyncio.sleep(1.0 / self.tokens_per_sec)
                await self._send(writer, {"content": word if index == 0 else " " + word}, finish=None)
            await self._send(writer, {}, finish="stop")
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, delta: dict[str, Any], finish: str | None) -> None:
        chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        writer.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await writer.drain()


async def _read_request(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    head = await reader.readuntil(b"\r\n\r\n")
    match = re.search(rb"content-length:\s*(\d+)", head, re.I)
    if not head.startswith(b"POST ") or match is None:
        return None
    try:
        body = json.loads(await reader.readexactly(int(match.group(1))))
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content") or "")
    return ""


def _tool_call(body: dict[str, Any]) -> dict[str, Any] | None:
    """A call to an offered tool the user's words ask for, unless its result is already in."""
    messages = body.get("messages") or []
    if messages and messages[-1].get("role") == "tool":
        return None
    offered = {tool.get("function", {}).get("name") for tool in body.get("tools") or []}
    text = _last_user_text(messages).lower()
    for word, name in TOOL_WORDS.items():
        if word in text and name in offered:
            return {"index": 0, "id": "call_1", "type": "function",
                    "function": {"name": name, "arguments": json.dumps({"room": "kitchen"})}}
    return None


def _reply(body: dict[str, Any], answer: str) -> str:
    messages = body.get("messages") or []
    if messages and messages[-1].get("role") == "tool":
        return f"The tool says {messages[-1].get('content', '')}."
    return answer
