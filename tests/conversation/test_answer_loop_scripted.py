"""A small model that once said something odd copies it into every later answer ("The number of hours in a
day is 24." to "What do bees make?", and so on while the history holds it). Such an answer is dropped before
a word of it is said or shown, and asked again on its own turn; answers that merely begin alike stand."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from firmware_py.config import Settings
from firmware_py.events import BotAnswered, BotLlmText, BotOutput, Event, EventBus, StateChanged
from firmware_py.listening import TurnTiming

from .scripted import ScriptedLlm, conversation_on_chain, settle

LOOPED = "The number of hours in a day is 24."
BEES = "Bees make honey from the nectar of flowers."


class CopyingLlm(ScriptedLlm):
    """Answers each question from `answers`, except that with an earlier answer in its history it says that
    one again, as the small model does once it has gone astray."""

    def __init__(self, answers: dict[str, str]) -> None:
        super().__init__()
        self.answers = answers

    def answer_for(self, messages: list[dict[str, Any]]) -> str:
        said = [m["content"] for m in messages if m["role"] == "assistant" and m.get("content")]
        return said[0] if said else self.answers[messages[-1]["content"]]


class HistoryLlm(CopyingLlm):
    """Answers each question from `answers` whatever its history holds."""

    def answer_for(self, messages: list[dict[str, Any]]) -> str:
        return self.answers[messages[-1]["content"]]


def settings() -> Settings:
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False), intents=replace(base.intents, enabled=False),
                   knowledge=replace(base.knowledge, enabled=False))


async def ask(conversation: Any, events: list[Event], question: str, count: int) -> BotAnswered:
    await conversation.on_user_turn(question, TurnTiming(voiced_secs=1.2))
    await settle(lambda: len([e for e in events if isinstance(e, BotAnswered)]) >= count)
    await settle(lambda: [e for e in events if isinstance(e, StateChanged)][-1].state == "listening")
    return [e for e in events if isinstance(e, BotAnswered)][-1]


async def on_conversation(llm: Any, run: Any, **conversation_settings: Any) -> list[Event]:
    chosen = settings()
    chosen = replace(chosen, conversation=replace(chosen.conversation, **conversation_settings))
    bus, events = EventBus(), []
    bus.subscribe(events.append)
    async with conversation_on_chain(chosen, bus, llm=llm) as (conversation, _):
        await run(conversation, events)
    return events


async def test_an_answer_copied_from_an_earlier_one_is_asked_again_without_the_history() -> None:
    llm = CopyingLlm({"How many hours are in a day?": LOOPED, "What do bees make?": BEES,
                      "And what do cows give?": "Cows give milk."})

    async def run(conversation: Any, events: list[Event]) -> None:
        assert (await ask(conversation, events, "How many hours are in a day?", 1)).text == LOOPED
        shown_before = len([e for e in events if isinstance(e, BotLlmText)])
        assert (await ask(conversation, events, "What do bees make?", 2)).text == BEES
        shown = "".join(e.text for e in events[:] if isinstance(e, BotLlmText))
        assert shown.count("hours in a day") == 1, "the copied answer was never shown"
        assert len([e for e in events if isinstance(e, BotLlmText)]) > shown_before
        spoken = [e.text for e in events if isinstance(e, BotOutput)]
        assert spoken.count(LOOPED) == 1 and BEES in spoken
        again = llm.asked[-1]
        assert [m["role"] for m in again] == ["system", "user"] and again[-1]["content"] == "What do bees make?"
        # the history starts over from the turn asked again: the next question sees it, not the loop
        assert (await ask(conversation, events, "And what do cows give?", 3)).text == "Cows give milk."
        assert [m["content"] for m in llm.asked[-1][1:]] == ["And what do cows give?"]

    await on_conversation(llm, run)
    assert len(llm.asked) == 5   # 1, then 2 for each of the two later turns


async def test_answers_that_only_begin_alike_are_not_asked_again() -> None:
    llm = HistoryLlm({"What is the capital of France?": "The capital of France is Paris.",
                      "What is the capital of Italy?": "The capital of Italy is Rome.",
                      "And of Spain?": "I'm not sure."})

    async def run(conversation: Any, events: list[Event]) -> None:
        await ask(conversation, events, "What is the capital of France?", 1)
        assert (await ask(conversation, events, "What is the capital of Italy?", 2)).text == "The capital of Italy is Rome."
        assert (await ask(conversation, events, "And of Spain?", 3)).text == "I'm not sure."

    await on_conversation(llm, run)
    assert len(llm.asked) == 3
    assert [m["content"] for m in llm.asked[-1] if m["role"] == "assistant"] == [
        "The capital of France is Paris.", "The capital of Italy is Rome."]


async def test_a_conversation_resting_past_its_idle_time_starts_afresh() -> None:
    llm = HistoryLlm({"Who wrote Hamlet?": "William Shakespeare wrote it.", "When was he born?": "In 1564."})

    async def run(conversation: Any, events: list[Event]) -> None:
        await ask(conversation, events, "Who wrote Hamlet?", 1)
        await ask(conversation, events, "When was he born?", 2)
        assert [m["role"] for m in llm.asked[-1]] == ["system", "user", "assistant", "user"]
        conversation._live.update("conversation", {"history_idle_secs": 0.05})   # live: the next turn reads it
        await asyncio.sleep(0.2)
        await ask(conversation, events, "When was he born?", 3)

    await on_conversation(llm, run)
    assert [m["role"] for m in llm.asked[-1]] == ["system", "user"]


@pytest.mark.parametrize("idle", [0.0, 300.0])
async def test_a_short_rest_or_no_idle_time_keeps_the_history(idle: float) -> None:
    llm = HistoryLlm({"Who wrote Hamlet?": "William Shakespeare wrote it.", "When was he born?": "In 1564."})

    async def run(conversation: Any, events: list[Event]) -> None:
        await ask(conversation, events, "Who wrote Hamlet?", 1)
        await asyncio.sleep(0.1)
        await ask(conversation, events, "When was he born?", 2)

    await on_conversation(llm, run, history_idle_secs=idle)
    assert [m["role"] for m in llm.asked[-1]] == ["system", "user", "assistant", "user"]
