"""The remote engine against a real OpenAI-compatible server (`python -m llama_cpp.server` on the tiny GGUF)
and against scripted raw-HTTP peers for the failure cases a real server rarely shows on demand."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import pytest

from firmware_py.config import LlmSettings
from firmware_py.llm.base import LlmDelta, LlmError, create_llm
from firmware_py.llm.builtin_tools import BUILTIN_TOOLS
from firmware_py.llm.remote import RemoteLlm

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hello"}]
TOOLS = [tool.schema() for tool in BUILTIN_TOOLS]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--chat_format", "chatml-function-calling", "--n_threads", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1).read()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("llama_cpp.server exited at start-up")
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("llama_cpp.server did not start within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait(10)


@pytest.fixture(scope="module")
def server_url(tiny_gguf: Path) -> Iterator[str]:
    port = free_port()
    process = start_server(tiny_gguf, port)
    yield f"http://127.0.0.1:{port}/v1"
    stop_server(process)


def remote_settings(url: str, **changes: Any) -> LlmSettings:
    values: dict[str, Any] = {"remote_timeout_secs": 5.0, "max_tokens": 30, "seed": 3, **changes}
    return replace(LlmSettings(), backend="remote", remote_url=url, **values)


async def collect(engine: RemoteLlm, tools: list[dict[str, Any]] | None = None, **kwargs: Any) -> list[LlmDelta]:
    return [d async for d in engine.stream(MESSAGES, tools, asyncio.Event(), **kwargs)]


# --- a real server ----------------------------------------------------------------------------------

async def test_streams_text_from_a_server(server_url: str) -> None:
    engine = create_llm(remote_settings(server_url), Path("."))
    assert isinstance(engine, RemoteLlm) and engine.name.startswith("remote:127.0.0.1:")
    deltas = await collect(engine)
    assert len(deltas) >= 3 and all(d.text and not d.tool_calls for d in deltas)
    await engine.warm_up("Be brief.", TOOLS)


async def test_passes_tool_calls_through(server_url: str) -> None:
    engine = RemoteLlm(remote_settings(server_url))
    choice = {"type": "function", "function": {"name": "set_mute"}}
    deltas = await collect(engine, TOOLS, tool_choice=choice)
    (call,) = deltas[-1].tool_calls
    assert call.name == "set_mute" and isinstance(call.arguments.get("muted"), bool), call.raw_arguments
    assert all(not d.text for d in deltas)


async def test_server_killed_mid_stream_is_an_llm_error(tiny_gguf: Path) -> None:
    port = free_port()
    process = start_server(tiny_gguf, port)
    try:
        engine = RemoteLlm(remote_settings(f"http://127.0.0.1:{port}/v1", max_tokens=3000, temperature=1.5),
                           backoff_secs=0.01)
        received = 0
        with pytest.raises(LlmError, match="failed"):
            async for _delta in engine.stream(MESSAGES, None, asyncio.Event()):
                received += 1
                if received == 1:
                    process.send_signal(signal.SIGKILL)
        assert received >= 1
    finally:
        stop_server(process)


async def test_unreachable_server_is_an_llm_error_after_retries(caplog: pytest.LogCaptureFixture) -> None:
    engine = RemoteLlm(remote_settings(f"http://127.0.0.1:{free_port()}/v1"), attempts=3, backoff_secs=0.01)
    with caplog.at_level(logging.WARNING, logger="firmware_py.llm.remote"):
        with pytest.raises(LlmError, match="cannot connect"):
            await collect(engine)
    assert sum("retrying" in r.message for r in caplog.records) == 2


def test_remote_without_url_is_refused() -> None:
    with pytest.raises(LlmError, match="needs llm.remote_url"):
        RemoteLlm(replace(LlmSettings(), backend="remote"))


# --- scripted peers ---------------------------------------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


async def scripted_server(handler: Handler) -> tuple[str, asyncio.Server, list[bytes]]:
    """A loopback server running `handler(reader, writer, request_number)`; records each request."""
    requests: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        requests.append(head + await reader.readexactly(length))
        await handler(reader, writer, len(requests))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}/v1", server, requests


def sse(*payloads: dict[str, Any] | str) -> list[bytes]:
    return [f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n".encode() for p in payloads]


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def content(text: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


STREAM_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


async def send_stream(writer: asyncio.StreamWriter, events: list[bytes], end: bool = True) -> None:
    writer.write(STREAM_HEAD)
    for event in events:
        writer.write(chunk(event))
        await writer.drain()
    if end:
        writer.write(b"0\r\n\r\n")
    await writer.drain()


async def test_retries_a_busy_server_then_streams_chunked_sse() -> None:
    async def handler(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        if n == 1:
            writer.write(b"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy")
            return
        stop = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        await send_stream(writer, sse(content("Hel"), content("lo"), stop, "[DONE]"))

    url, server, requests = await scripted_server(handler)
    async with server:
        engine = RemoteLlm(remote_settings(url, remote_api_key="k3y", model="big-model"), backoff_secs=0.01)
        assert [d.text for d in await collect(engine, TOOLS, tool_choice="none")] == ["Hel", "lo"]
    assert len(requests) == 2
    head, body = requests[1].split(b"\r\n\r\n", 1)
    assert b"POST /v1/chat/completions HTTP/1.1" in head and b"Authorization: Bearer k3y" in head
    sent = json.loads(body)
    assert sent["stream"] is True and sent["model"] == "big-model" and sent["tool_choice"] == "none"
    assert sent["messages"] == MESSAGES and len(sent["tools"]) == len(TOOLS)


async def test_assembles_streamed_tool_call_fragments() -> None:
    def part(**fields: Any) -> dict[str, Any]:
        return {"choices": [{"index": 0, "delta": {"tool_calls": [fields]}, "finish_reason": None}]}

    events = sse(part(index=0, id="call_a", function={"name": "set_volume", "arguments": ""}),
                 part(index=0, function={"arguments": '{"perc'}), part(index=0, function={"arguments": 'ent": 40}'}),
                 part(index=1, id="call_b", function={"name": "get_time", "arguments": "{}"}),
                 {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}, "[DONE]")

    async def handler(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        await send_stream(writer, events)

    url, server, _requests = await scripted_server(handler)
    async with server:
        deltas = await collect(RemoteLlm(remote_settings(url)), TOOLS)
    (final,) = deltas
    assert [(c.id, c.name, c.arguments) for c in final.tool_calls] == [
        ("call_a", "set_volume", {"percent": 40}), ("call_b", "get_time", {})]


async def test_client_error_is_not_retried() -> None:
    async def handler(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        body = b'{"error": {"message": "unknown model"}}'
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    url, server, requests = await scripted_server(handler)
    async with server:
        with pytest.raises(LlmError, match="refused the request: HTTP 400 Bad Request: .*unknown model"):
            await collect(RemoteLlm(remote_settings(url), backoff_secs=0.01))
    assert len(requests) == 1


async def test_stream_cut_after_the_first_token_is_an_error_without_retry() -> None:
    async def handler(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        await send_stream(writer, sse(content("Half an ")), end=False)

    url, server, requests = await scripted_server(handler)
    async with server:
        received = []
        with pytest.raises(LlmError, match="failed"):
            async for delta in RemoteLlm(remote_settings(url), backoff_secs=0.01).stream(MESSAGES, None, asyncio.Event()):
                received.append(delta.text)
    assert received == ["Half an "] and len(requests) == 1


async def test_silent_server_times_out() -> None:
    async def handler(reader: asyncio.StreamReader, _w: asyncio.StreamWriter, _n: int) -> None:
        await asyncio.sleep(5)

    url, server, requests = await scripted_server(handler)
    async with server:
        engine = RemoteLlm(remote_settings(url, remote_timeout_secs=1.0), attempts=2, backoff_secs=0.01)
        with pytest.raises(LlmError, match="did not answer within 1 s"):
            await collect(engine)
    assert len(requests) == 2


async def test_cancel_stops_a_slow_stream_at_once() -> None:
    async def handler(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        await send_stream(writer, sse(content("one ")), end=False)
        await asyncio.sleep(5)

    url, server, _requests = await scripted_server(handler)
    async with server:
        cancel = asyncio.Event()
        received = []

        async def consume() -> None:
            async for delta in RemoteLlm(remote_settings(url)).stream(MESSAGES, None, cancel):
                received.append(delta.text)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.2)
        cancel.set()
        await asyncio.wait_for(task, 1)
    assert received == ["one "]


async def test_server_error_event_is_reported() -> None:
    async def handler(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int) -> None:
        await send_stream(writer, sse({"error": {"message": "out of memory"}}))

    url, server, _requests = await scripted_server(handler)
    async with server:
        with pytest.raises(LlmError, match="out of memory"):
            await collect(RemoteLlm(remote_settings(url)))

