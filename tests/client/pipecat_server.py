"""pipecat-ai's own RTVI server for the SDK tests: its WebSocket server transport with the protobuf
serializer, its RTVI processor and observer, and its OpenAI LLM service talking to the scripted
OpenAI-compatible server (no models anywhere). `get_room_temperature` is a client-side function: the
pipeline registers no result for it, so the client's `llm-function-call-result` completes the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

CLIENT_FUNCTION = "get_room_temperature"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pipeline_worker(port: int, llm_url: str) -> Any:
    from pipecat.adapters.llm.schemas.function_schema import FunctionSchema
    from pipecat.adapters.llm.schemas.tools_schema import ToolsSchema
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineParams, PipelineWorker
    from pipecat.processors.aggregators.llm_context import LLMContext
    from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair
    from pipecat.processors.frameworks.rtvi.observer import RTVIFunctionCallReportLevel, RTVIObserverParams
    from pipecat.serializers.protobuf import ProtobufFrameSerializer
    from pipecat.services.openai.llm import OpenAILLMService
    from pipecat.transports.websocket.server import (SingleClientWebsocketServerParams,
                                                     SingleClientWebsocketServerTransport)

    transport = SingleClientWebsocketServerTransport(
        params=SingleClientWebsocketServerParams(serializer=ProtobufFrameSerializer(), audio_in_enabled=True,
                                                 audio_out_enabled=True),
        host="127.0.0.1", port=port)
    llm = OpenAILLMService(api_key="scripted", base_url=llm_url,
                           settings=OpenAILLMService.Settings(model="scripted"))

    async def runs_on_the_client(params: Any) -> None:
        """No result here: the client's llm-function-call-result completes the call."""

    llm.register_function(CLIENT_FUNCTION, runs_on_the_client)
    tool = FunctionSchema(name=CLIENT_FUNCTION, description="Temperature of a room, read by the client",
                          properties={"room": {"type": "string"}}, required=["room"])
    context = LLMContext(tools=ToolsSchema(standard_tools=[tool]))
    user, assistant = LLMContextAggregatorPair(context)
    pipeline = Pipeline([transport.input(), user, llm, transport.output(), assistant])
    return PipelineWorker(
        pipeline, params=PipelineParams(), cancel_on_idle_timeout=False, idle_timeout_secs=None,
        rtvi_observer_params=RTVIObserverParams(
            function_call_report_level={"*": RTVIFunctionCallReportLevel.FULL}))


@contextlib.asynccontextmanager
async def pipecat_server(llm_url: str, port: int = 0) -> AsyncIterator[str]:
    """A running pipecat RTVI server; yields its ws:// URL (one client at a time, as pipecat's is)."""
    from pipecat.workers.runner import WorkerRunner

    port = port or free_port()
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(_pipeline_worker(port, llm_url))
    task = asyncio.create_task(runner.run())
    try:
        await _until_listening(port)
        yield f"ws://127.0.0.1:{port}"
    finally:
        await runner.cancel()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _until_listening(port: int, timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while True:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            return
