"""Commands for later ("Turn on the kitchen light in a second"): the device confirms at once, does nothing
yet, and when the time is up runs the words as the user's own turn; a reminder is said; a question that ends
in a duration is a question. Scripted speech engines, the real chain, tools and timers."""

from __future__ import annotations

import asyncio
from typing import Any

from firmware_py.events import BotOutput, DeviceCommand, FunctionCallInProgress
from firmware_py.respond.base import ActionCall
from firmware_py.respond.later import later_call, reminder_of

from .test_answering_scripted import answered, chain_settings, spoken, world  # noqa: F401 (fixtures)


async def test_a_command_for_later_runs_when_its_time_is_up(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light in one second.", spoken())
    first = (await answered(recorder))[0]
    assert first.responder == "intent" and first.text == "I'll turn on the kitchen light in 1 second."
    assert recorder.of(DeviceCommand) == [], "nothing happens before its time"
    assert [t.command for t in conversation._engines.tools.timers.list()] == ["turn on the kitchen light"]
    second = (await answered(recorder, 2))[1]
    assert second.responder == "intent" and second.text == "The kitchen light is on."
    assert len(recorder.of(DeviceCommand)) == 1 and llm.asked == []
    assert [(e.function_name, e.arguments) for e in recorder.of(FunctionCallInProgress)][-1] == \
        ("turn_on", {"device": "kitchen light"})


async def test_a_reminder_is_said_when_it_is_due(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Remind me to call my mum in one second.", spoken())
    assert (await answered(recorder))[0].text == "I'll remind you to call your mum in 1 second."
    for _ in range(100):
        if any(e.text == "Reminder: call your mum." for e in recorder.of(BotOutput)):
            break
        await asyncio.sleep(0.05)
    assert any(e.text == "Reminder: call your mum." for e in recorder.of(BotOutput))
    assert llm.asked == []


async def test_a_question_ending_in_a_duration_is_no_timer(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("How many minutes are in an hour?", spoken())
    assert (await answered(recorder))[0].responder == "llm"
    assert conversation._engines.tools.timers.list() == []


def test_what_is_run_later_and_what_is_said() -> None:
    assert later_call("Turn off the lights", 600) == ActionCall("run_later", {"seconds": 600, "command": "Turn off the lights"})
    assert later_call("What happens", 300) is None and later_call("Is the oven hot", 60) is None
    assert later_call("Could you please remind me", 60) == ActionCall("run_later", {"seconds": 60, "command": "remind me"})
    # words that are no command are a timer request heard wrong: a plain timer, as before
    assert later_call("And now are", 900) == ActionCall("set_timer", {"seconds": 900})
    assert later_call("Can you set a timer for? And now are", 900) == ActionCall("set_timer", {"seconds": 900})
    assert reminder_of("Remind me to take the bread out") == "Reminder: take the bread out."
    assert reminder_of("remind me") == "This is your reminder."
    assert reminder_of("Wake me up") == "It's time to wake up."
    assert reminder_of("turn off the lights") is None
