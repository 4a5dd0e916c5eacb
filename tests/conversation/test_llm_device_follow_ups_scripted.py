"""A device the LLM's tool call acted on is pointed at by the next words ("Turn it off.") as one an intent acted
on is: acted on with no LLM pass. Scripted speech engines and a scripted LLM that calls a tool, the real chain,
tools and devices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from firmware_py.events import EventBus
from firmware_py.llm.base import LlmDelta, ToolCall

from .scripted import ScriptedLlm, conversation_on_chain
from .test_answering_scripted import Recorder, answered, settings, spoken
from .test_asked_scripted import calls


class LlmTurningOnTheKitchenLight(ScriptedLlm):
    """Answers its first request with a tool call that turns the kitchen light on (or a device it was not given)."""

    def __init__(self, device: str = "kitchen light") -> None:
        super().__init__()
        self.device = device

    async def stream(self, messages: list[dict[str, Any]], tools: Any, cancel: asyncio.Event,
                     **_: Any) -> AsyncIterator[LlmDelta]:
        self.asked.append(list(messages))
        yield LlmDelta(tool_calls=(ToolCall("call-1", "turn_on", {"device": self.device}),))


async def test_the_device_an_llm_tool_call_turned_on_is_it() -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    llm = LlmTurningOnTheKitchenLight()
    async with conversation_on_chain(settings(), bus, llm=llm) as (conversation, _):
        await conversation.on_user_turn("Could you make it a bit brighter in here?", spoken())
        assert (await answered(recorder))[0].text == "The kitchen light is on."
        await conversation.on_user_turn("Turn it off.", spoken())
        assert (await answered(recorder, 2))[1].text == "The kitchen light is off."
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"}), ("turn_off", {"device": "kitchen light"})]
    assert len(llm.asked) == 1, "the follow-up needed no LLM pass"


async def test_a_tool_call_that_failed_is_no_device_commanded() -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    async with conversation_on_chain(settings(), bus, llm=LlmTurningOnTheKitchenLight("garden fountain")) as (
            conversation, _):
        await conversation.on_user_turn("Could you make it a bit brighter in here?", spoken())
        await answered(recorder)
        await conversation.on_user_turn("Turn it off.", spoken())
        await answered(recorder, 2)
    assert [name for name, _ in calls(recorder)] == ["turn_on"]
