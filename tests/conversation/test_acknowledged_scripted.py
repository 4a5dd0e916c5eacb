"""What people say after an answer ("Great, thanks.", "Perfect.") is answered as such: never the last answer
said again, never an LLM pass. Scripted speech engines, the real chain."""

from __future__ import annotations

from typing import Any

from firmware_py.events import BotOutput, StateChanged

from .scripted import settle
from .test_answering_scripted import answered, chain_settings, spoken, world  # noqa: F401 (fixtures)


async def test_thanks_after_an_answer_is_welcomed_not_the_answer_again(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Great, thanks.", spoken())
    assert [answer.text for answer in await answered(recorder, 2)] == ["The kitchen light is on.", "You're welcome."]
    assert llm.asked == []


async def test_an_acknowledgement_alone_is_heard_and_nothing_is_said(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    states = len(recorder.of(StateChanged))
    await conversation.on_user_turn("Perfect.", spoken())
    await settle(lambda: len(recorder.of(StateChanged)) > states and recorder.of(StateChanged)[-1].state == "listening")
    assert [output.text for output in recorder.of(BotOutput)] == ["The kitchen light is on."]
    assert llm.asked == []
