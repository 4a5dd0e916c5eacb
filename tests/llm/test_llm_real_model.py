"""Behaviour of the default model (SmolLM2-135M-Instruct Q4_1) through the whole reply path."""

from __future__ import annotations

import asyncio
from typing import Iterator

import pytest

from firmware_py.config import LlmSettings
from firmware_py.events import EventBus, FunctionCallInProgress, FunctionCallStopped
from firmware_py.llm.agent import generate_reply
from firmware_py.llm.base import create_llm
from firmware_py.llm.context import Context
from firmware_py.llm.local import LocalLlm
from firmware_py.llm.tools import ToolRegistry
from firmware_py.models import models_dir

from .conftest import Recorder, SpeakerControls

pytestmark = pytest.mark.slow

SETTINGS = LlmSettings()


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalLlm]:
    loaded = create_llm(SETTINGS, models_dir())
    assert isinstance(loaded, LocalLlm)
    tools = ToolRegistry(EventBus(), SpeakerControls(), []).schemas()
    asyncio.run(loaded.warm_up(SETTINGS.system_prompt, tools))
    yield loaded
    loaded.close()


async def ask(engine: LocalLlm, question: str, bus: EventBus, registry: ToolRegistry) -> list[str]:
    context = Context(SETTINGS.system_prompt, SETTINGS.history_tokens, engine.count_tokens)
    context.add("user", question)
    return [d async for d in generate_reply(engine, context, registry, "local", bus, asyncio.Event())]


@pytest.fixture
def registry(bus: EventBus, device: SpeakerControls) -> Iterator[ToolRegistry]:
    tools = ToolRegistry(bus, device, [])
    yield tools
    tools.close()


async def test_set_a_timer_for_five_minutes(engine: LocalLlm, bus: EventBus, recorder: Recorder,
                                            registry: ToolRegistry) -> None:
    reply = await ask(engine, "set a timer for five minutes", bus, registry)
    called = recorder.of(FunctionCallInProgress)
    assert [c.function_name for c in called][:1] == ["set_timer"]
    assert [round(t.seconds) for t in registry.timers.list()] == [300]
    assert "".join(reply).strip(), "the model says something after setting the timer"


@pytest.mark.parametrize("question, tool", [("what time is it", "get_time"), ("What time is it?", "get_time"),
                                            ("What's the date today?", "get_date")])
async def test_time_and_date_questions_read_the_clock(engine: LocalLlm, bus: EventBus, recorder: Recorder,
                                                      registry: ToolRegistry, question: str, tool: str) -> None:
    """Spoken (as the STT writes it) or typed: the clock is read, never made up; the answer is its summary."""
    reply = await ask(engine, question, bus, registry)
    assert [c.function_name for c in recorder.of(FunctionCallInProgress)][:1] == [tool]
    assert "".join(reply) == recorder.of(FunctionCallStopped)[0].result["summary"]


async def test_a_plain_question_streams_text(engine: LocalLlm, bus: EventBus, recorder: Recorder,
                                             registry: ToolRegistry) -> None:
    reply = await ask(engine, "What is the capital of France?", bus, registry)
    assert recorder.of(FunctionCallInProgress) == []
    assert len(reply) >= 3 and "".join(reply).strip()
    assert engine.stats.kind == "message" and engine.stats.first_text_secs > 0


async def test_a_second_turn_reads_only_its_new_tokens(engine: LocalLlm) -> None:
    tools = ToolRegistry(EventBus(), SpeakerControls(), []).schemas()
    messages = [{"role": "system", "content": SETTINGS.system_prompt}, {"role": "user", "content": "Hi there!"}]
    first = "".join([d.text async for d in engine.stream(messages, tools, asyncio.Event(), tool_choice="none")])
    first_prompt = engine.stats.prompt_tokens
    messages += [{"role": "assistant", "content": first}, {"role": "user", "content": "Tell me about cats."}]
    async for _delta in engine.stream(messages, tools, asyncio.Event(), tool_choice="none"):
        pass
    assert engine.stats.cached_tokens >= first_prompt
    assert engine.stats.evaluated_tokens < 40
