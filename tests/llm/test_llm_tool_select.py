"""Per-turn tool choice: a turn is offered only the tools its words point at; plain chat gets none."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from firmware_py.llm.builtin_tools import BUILTIN_TOOLS
from firmware_py.llm.local import LocalLlm
from firmware_py.llm.tool_select import relevant_tools, words

TOOLS = [  # a fixed catalogue, so that these cases do not move with the built-in descriptions
    ("get_time", "Get the current local time."), ("get_date", "Get today's date and day of the week."),
    ("set_timer", "Start a countdown timer. Give minutes or seconds, and a label if the user names one."),
    ("list_timers", "List the running timers and the time left on each."),
    ("cancel_timer", "Cancel a running timer by its label."), ("pause_timer", "Pause a running timer."),
    ("set_volume", "Set the speaker volume in percent, from 0 to 100."),
    ("set_mute", "Mute or unmute the microphone."),
]
CONFIGURED = [("set_light", "Turn a light on or off in a room"), ("open_garage", "Open or close the garage door")]


def test_words_fold_plurals_and_drop_filler() -> None:
    assert words("What timers are there, please?") == {"timer"}
    assert words("The glass") == {"glass"}


@pytest.mark.parametrize("text, expected", [
    ("Set a timer for ten minutes.", ["set_timer"]),
    ("remind me in 2 minutes", ["set_timer"]),
    ("Cancel the pasta timer", ["cancel_timer"]),
    ("stop the timer", ["cancel_timer"]),
    ("What time is it?", ["get_time"]),
    ("what day is it today", ["get_date"]),
    ("make it louder", ["set_volume"]),
    ("mute the speaker", ["set_mute"]),
    ("unmute", ["set_mute"]),
])
def test_commands_are_offered_their_best_tool(text: str, expected: list[str]) -> None:
    assert relevant_tools(text, TOOLS) == expected


def test_ties_are_all_offered_in_catalogue_order() -> None:
    assert relevant_tools("which timers are running", TOOLS) == ["list_timers", "cancel_timer", "pause_timer"]


@pytest.mark.parametrize("text", ["hello", "how are you?", "What is the capital of France?", "tell me a joke",
                                  "what is two plus two", "thank you", "Inute yourself."])
def test_plain_chat_is_offered_no_tool(text: str) -> None:
    assert relevant_tools(text, TOOLS) == []


def test_configured_tools_match_by_their_own_words() -> None:
    assert relevant_tools("switch on the kitchen lamp", TOOLS + CONFIGURED) == ["set_light"]
    assert relevant_tools("open the garage", TOOLS + CONFIGURED) == ["open_garage"]


async def collect(engine: LocalLlm, question: str, tools: list[dict[str, Any]]) -> list[Any]:
    messages = [{"role": "system", "content": "Test."}, {"role": "user", "content": question}]
    return [d async for d in engine.stream(messages, tools, asyncio.Event())]


async def test_plain_chat_skips_the_decision_and_tools_only_come_from_the_offered_set(tiny_llm: LocalLlm) -> None:
    tools = [tool.schema() for tool in BUILTIN_TOOLS]
    await collect(tiny_llm, "hello there", tools)
    assert tiny_llm.stats.kind == "message" and tiny_llm.stats.decision_secs == 0.0
    for _ in range(3):
        deltas = await collect(tiny_llm, "mute please", tools)
        called = {c.name for d in deltas for c in d.tool_calls}
        assert called <= {"set_mute"}
