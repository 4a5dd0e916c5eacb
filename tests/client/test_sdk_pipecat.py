"""The SDK against pipecat-ai's own RTVI server: handshake, typed turn, client-side function call, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from firmware_py.client import FunctionCallParams, RequestError, RtviClient, WebSocketTransport
from firmware_py.client.turns import TurnWatcher
from conftest import answer_containing
from pipecat_server import CLIENT_FUNCTION, pipecat_server
from scripts.bench.scripted_llm import DEFAULT_ANSWER, ScriptedLlm

pytest.importorskip("pipecat")


@pytest.fixture
async def client() -> AsyncIterator[RtviClient]:
    async with ScriptedLlm(tokens_per_sec=200) as llm, pipecat_server(llm.url) as url:
        rtvi = RtviClient(WebSocketTransport(url))
        yield rtvi
        await rtvi.disconnect()


async def test_handshake_text_turn_function_call_and_refusal(client: RtviClient) -> None:
    ready = await client.connect()
    assert ready.version.split(".")[0] == "2" and ready.about.get("library") == "pipecat-ai"
    assert client.warnings == []  # same major: no version warning

    watcher = TurnWatcher(client, voice=False)
    watcher.begin()
    await client.send_text("Hello there")
    record = await watcher.wait(20)
    assert record.answered and record.bot_text.strip() == DEFAULT_ANSWER
    assert record.text_latency_ms is not None

    calls: list[FunctionCallParams] = []
    client.register_function_call_handler(CLIENT_FUNCTION, lambda call: calls.append(call) or {"celsius": 21})
    answer = asyncio.create_task(answer_containing(client, "21"))
    await asyncio.sleep(0)
    await client.send_text("What is the temperature in the kitchen?")
    assert "celsius" in await asyncio.wait_for(answer, 20)
    assert [(c.function_name, c.arguments) for c in calls] == [(CLIENT_FUNCTION, {"room": "kitchen"})]

    with pytest.raises(RequestError, match="Unsupported type"):
        await client.request("describe-config", timeout=5)  # a seed-era request a 2.x pipecat refuses
