"""generate_reply: rounds of model output and tool calls, recorded in the context, honouring cancel.

Most tests drive the agent with a scripted engine (it replays given deltas and records what it was asked),
which makes each control-flow branch certain; the last ones run it on the tiny GGUF end to end.
"""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator

import pytest

from firmware_py.events import EventBus, FunctionCallStopped
from firmware_py.llm.agent import generate_reply
from firmware_py.llm.base import LlmDelta, ToolCall
from firmware_py.llm.context import Context
from firmware_py.llm.local import LocalLlm
from firmware_py.llm.tools import ToolRegistry

from .conftest import Recorder, SpeakerControls

CLIENT_TOOL = {"type": "function", "function": {"name": "show_map", "parameters": {"type": "object", "properties": {}}}}


class ScriptedEngine:
    """Replays one list of deltas per call; records the messages, tools and tool_choice of each call."""

    name = "scripted"

    def __init__(self, *rounds: list[LlmDelta]) -> None:
        self.rounds = list(rounds)
        self.calls: list[dict[str, Any]] = []
        self.pause_after: int | None = None  # deltas before waiting for cancel (for cancel tests)

    async def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                     cancel: asyncio.Event, tool_choice: Any = "auto") -> AsyncIterator[LlmDelta]:
        self.calls.append({"messages": messages, "tools": tools, "tool_choice": tool_choice})
        for index, delta in enumerate(self.rounds.pop(0)):
            if cancel.is_set():
                return
            if self.pause_after is not None and index == self.pause_after:
                await cancel.wait()
                return
            yield delta

    async def warm_up(self, system_prompt: str, tools: list[dict[str, Any]] | None = None) -> None:
        pass


def text(*pieces: str) -> list[LlmDelta]:
    return [LlmDelta(text=p) for p in pieces]


def calls(*tool_calls: ToolCall) -> list[LlmDelta]:
    return [LlmDelta(tool_calls=tuple(tool_calls))]


@pytest.fixture
def registry(bus: EventBus, device: SpeakerControls) -> ToolRegistry:
    tools = ToolRegistry(bus, device, [], client_timeout=5)
    yield tools
    tools.close()


def new_context(question: str) -> Context:
    context = Context("Be brief.", 1000)
    context.add("user", question)
    return context


async def reply(engine: Any, context: Context, tools: ToolRegistry | None, bus: EventBus,
                cancel: asyncio.Event | None = None, **kwargs: Any) -> list[str]:
    return [d async for d in generate_reply(engine, context, tools, "s1", bus, cancel or asyncio.Event(), **kwargs)]


async def test_text_answer_streams_and_joins_the_context(registry: ToolRegistry, bus: EventBus) -> None:
    engine = ScriptedEngine(text("Paris ", "is the capital."))
    context = new_context("capital of France?")
    assert await reply(engine, context, registry, bus) == ["Paris ", "is the capital."]
    assert context.messages()[-1] == {"role": "assistant", "content": "Paris is the capital."}
    assert engine.calls[0]["tool_choice"] == "auto"
    assert {"get_time", "set_timer"} <= {t["function"]["name"] for t in engine.calls[0]["tools"]}


async def test_a_tool_result_with_a_summary_is_spoken_without_a_second_model_pass(
        registry: ToolRegistry, bus: EventBus, recorder: Recorder) -> None:
    timer = ToolCall("c1", "set_timer", {"minutes": 5})
    engine = ScriptedEngine(calls(timer), text("never asked"))
    context = new_context("set a timer for five minutes")
    assert await reply(engine, context, registry, bus) == ["A timer is set for 5 minutes."]
    assert [t.seconds for t in registry.timers.list()] == [300]
    assert len(engine.calls) == 1  # the model ran once: it chose the tool; the result's summary is the answer
    messages = context.messages()
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "tool", "assistant"]
    assert '"summary": "A timer is set for 5 minutes."' in messages[3]["content"]
    assert messages[-1]["content"] == "A timer is set for 5 minutes."
    assert recorder.of(FunctionCallStopped)[0].session_id == "s1"


async def test_several_results_are_spoken_in_order(registry: ToolRegistry, bus: EventBus,
                                                   device: SpeakerControls) -> None:
    engine = ScriptedEngine(calls(ToolCall("c1", "set_volume", {"percent": 30}), ToolCall("c2", "list_timers", {})))
    assert await reply(engine, new_context("quieter, and my timers?"), registry, bus) == [
        "The volume is 30 percent. No timers are running."]
    assert device.volume == 0.3


async def test_a_repeated_call_is_not_run_twice(registry: ToolRegistry, bus: EventBus) -> None:
    engine = ScriptedEngine(calls(ToolCall("c1", "show_map", {})), calls(ToolCall("c2", "show_map", {})), text("Done."))
    context = new_context("map please")
    task = asyncio.create_task(reply(engine, context, registry, bus, client_tools=[CLIENT_TOOL]))
    await asyncio.sleep(0.02)
    assert registry.resolve_client("c1", {"shown": True})
    assert await task == ["Done."]
    assert not registry.resolve_client("c2", {"shown": True})  # the repeat was never sent to the client
    assert [c["tool_choice"] for c in engine.calls] == ["auto", "auto", "none"]


async def test_the_last_round_forbids_tools(registry: ToolRegistry, bus: EventBus) -> None:
    rounds = [calls(ToolCall(f"c{i}", "show_map", {"zoom": i})) for i in range(2)]
    engine = ScriptedEngine(*rounds, text("Map shown."))
    context = new_context("map")
    task = asyncio.create_task(reply(engine, context, registry, bus, client_tools=[CLIENT_TOOL], max_tool_rounds=2))
    for call_id in ("c0", "c1"):
        while not registry.resolve_client(call_id, {"shown": True}):
            await asyncio.sleep(0.005)
    assert await task == ["Map shown."]
    assert [c["tool_choice"] for c in engine.calls] == ["auto", "auto", "none"]


async def test_a_refused_call_is_answered_with_what_went_wrong(registry: ToolRegistry, bus: EventBus,
                                                               device: SpeakerControls) -> None:
    engine = ScriptedEngine(calls(ToolCall("c1", "set_volume", {"percent": 400})), text("never asked"))
    context = new_context("volume 400")
    answer = "".join(await reply(engine, context, registry, bus))
    assert answer.startswith("Sorry") and "above the maximum 100" in answer
    assert device.volume == 0.5 and len(engine.calls) == 1
    tool_message = context.messages()[-2]
    assert tool_message["role"] == "tool" and "above the maximum 100" in tool_message["content"]


async def test_without_a_registry_no_tools_are_offered(bus: EventBus) -> None:
    engine = ScriptedEngine(calls(ToolCall("c1", "get_time", {})))
    context = new_context("time?")
    assert await reply(engine, context, None, bus) == []
    assert engine.calls[0]["tools"] is None and engine.calls[0]["tool_choice"] == "auto"
    assert len(context) == 1


async def test_cancel_mid_answer_keeps_the_partial_text(registry: ToolRegistry, bus: EventBus) -> None:
    engine = ScriptedEngine(text("Once ", "upon ", "a time."))
    engine.pause_after = 2
    context = new_context("story")
    cancel = asyncio.Event()
    received: list[str] = []

    async def consume() -> None:
        async for delta in generate_reply(engine, context, registry, "s1", bus, cancel):
            received.append(delta)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    cancel.set()
    await asyncio.wait_for(task, 1)
    assert received == ["Once ", "upon "]
    assert context.messages()[-1]["content"] == "Once upon"
    assert len(engine.calls) == 1


async def test_cancel_during_a_client_tool_call(registry: ToolRegistry, bus: EventBus, recorder: Recorder) -> None:
    engine = ScriptedEngine(calls(ToolCall("c1", "show_map", {}), ToolCall("c2", "get_time", {})), text("never"))
    context = new_context("show me a map")
    cancel = asyncio.Event()
    task = asyncio.create_task(reply(engine, context, registry, bus, cancel, client_tools=[CLIENT_TOOL]))
    await asyncio.sleep(0.02)
    cancel.set()
    assert await asyncio.wait_for(task, 1) == []
    assert recorder.of(FunctionCallStopped)[0].cancelled
    results = [m for m in context.messages() if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in results] == ["c1", "c2"] and all("cancelled" in m["content"] for m in results)
    assert len(engine.calls) == 1


async def test_client_tool_result_reaches_the_model(registry: ToolRegistry, bus: EventBus) -> None:
    engine = ScriptedEngine(calls(ToolCall("c9", "show_map", {})), text("Here it is."))
    context = new_context("map")
    task = asyncio.create_task(reply(engine, context, registry, bus, client_tools=[CLIENT_TOOL]))
    await asyncio.sleep(0.02)
    assert registry.resolve_client("c9", {"shown": "Rome"})
    assert await task == ["Here it is."]
    assert '"shown": "Rome"' in engine.calls[1]["messages"][-1]["content"]


# --- end to end on the tiny model ----------------------------------------------------------------------

@pytest.mark.parametrize("question", ["what time is it", "set a timer", "hello", "turn it up"])
async def test_reply_on_a_real_engine_leaves_a_consistent_context(tiny_llm: LocalLlm, registry: ToolRegistry,
                                                                  bus: EventBus, question: str) -> None:
    context = new_context(question)
    pieces = await reply(tiny_llm, context, registry, bus)
    messages = context.messages()
    call_ids = [c["id"] for m in messages if m.get("tool_calls") for c in m["tool_calls"]]
    result_ids = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert call_ids == result_ids  # every call has its result, in order
    if pieces:
        assert messages[-1] == {"role": "assistant", "content": "".join(pieces).strip()}
