"""The warm-up starts as soon as the models are loaded, but the LLM's prompt prefix is made only once the
responder chain has settled the tool list: the prefix warmed must be the one answers use."""

from __future__ import annotations

import asyncio
from typing import Any

from firmware_py.events import EventBus
from tests.conversation.scripted import ScriptedLlm, close_engines, scripted_engines


class RecordingLlm(ScriptedLlm):
    def __init__(self) -> None:
        super().__init__()
        self.warmed_with: list[list[str]] = []

    async def warm_up(self, system_prompt: str, tools: Any = None) -> None:
        self.warmed_with.append([tool["function"]["name"] for tool in tools or []])


async def test_the_prefix_waits_for_the_final_tool_list() -> None:
    llm = RecordingLlm()
    engines = scripted_engines(EventBus(), llm=llm)
    try:
        chain_built: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        warming = asyncio.ensure_future(engines.warm_up("You are helpful.", chain_built))
        await asyncio.sleep(0.05)
        assert not llm.warmed_with and not warming.done()
        offered_before = [tool["function"]["name"] for tool in engines.tools.schemas()]
        engines.tools.withhold_from_llm([offered_before[0]])  # as the chain does with actions it answers
        chain_built.set_result(None)
        await asyncio.wait_for(warming, 5)
        assert llm.warmed_with == [offered_before[1:]]
    finally:
        close_engines(engines)
