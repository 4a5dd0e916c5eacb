"""A turn held for its rest (it opens with a command's verb, ends on a comma or on a word no sentence ends on,
or was claimed only as a guess) is read within the commands meanwhile (scripted recogniser, real listener,
conversation and intents): a whole command read ends the wait; half a command, a short one, a verb other than
the one heard, or another deed than a guess at a device it has waits on as before."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from collections.abc import AsyncIterator
from typing import Any

import pytest

from firmware_py import conversation as conversation_module
from firmware_py.conversation import Conversation
from firmware_py.events import BotAnswered
from firmware_py.respond.base import Answer, ActionCall
from firmware_py.respond.unfinished import borne_out, read_whole
from firmware_py.speech.stt import Rereading

from .scripted import ScriptedLlm, feed, recorded_conversation, tone, zeros
from .test_reread_scripted import RereadingScriptedStt, one_spoken_turn, settings

HELD = 30.0
"""The hold, made longer than any test waits: only a whole command read can end it."""


@pytest.fixture
async def world(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
                ) -> AsyncIterator[tuple[Conversation, list[Any], RereadingScriptedStt]]:
    monkeypatch.setattr(conversation_module, "hold_secs", lambda *_: HELD)
    stt = RereadingScriptedStt(default=getattr(request, "param", "Sent on any time or forsake minutes."))
    async with recorded_conversation(settings(), stt, ScriptedLlm("LLM.")) as (conversation, events):
        yield conversation, events, stt


@pytest.mark.parametrize("world, read, said, readings", [
    ("Sent on any time or forsake minutes.", "Set an egg timer for six minutes.", "The egg timer is set for 6 minutes.", 1),
    ("Sanctuary, lot,", "Turn off the kitchen light,", "The kitchen light is off.", 1),   # a turn that ends on a comma
    ("Switch on the whole flight", "Switch on the kitchen light.", "The kitchen light is on.", 1),   # a device it lacks
    # a guess borne out (then checked within its on / off family, as any light command heard)
    ("Turn off the kitchen", "Turn off the kitchen light.", "The kitchen light is off.", 2),
], indirect=["world"])
async def test_a_whole_command_read_while_held_is_answered_without_waiting_for_a_rest(world: Any, read: str,
                                                                                       said: str, readings: int) -> None:
    conversation, events, stt = world
    stt.readings = [Rereading(read, score=-4.0, heard_score=-2.5)]
    answer = await one_spoken_turn(conversation, events)   # (within 10 s, where the hold is 30)
    assert answer.responder == "intent" and answer.text == said
    assert len(stt.reread) == readings, "read once: the reading made while held is the one used"


@pytest.mark.parametrize("world, read", [
    ("Sent on any time or forsake minutes.", Rereading("Set a timer,", score=-4.0, heard_score=-2.5)),  # half a command
    ("Sent on any time or forsake minutes.", Rereading("", float("-inf"), -2.5, 7)),                     # nothing read
    # "said" is the "set" of "Set the kitchen light | to fifty percent"
    ("Said the kitchen light,", Rereading("Start the kitchen light.", score=-4.0, heard_score=-2.5)),
    # another deed than the guess at a device it has
    ("Turn off the kitchen", Rereading("Turn on the kitchen light.", score=-4.0, heard_score=-2.5)),
], indirect=["world"])
async def test_no_whole_command_read_waits_on_for_the_rest(world: Any, read: Rereading) -> None:
    conversation, events, stt = world
    stt.readings = [read]
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(1.2), pace=0.01)
    await asyncio.sleep(1.5)
    assert not [e for e in events if isinstance(e, BotAnswered)], "still held for the rest"
    assert len(stt.reread) == 1, "read while held"


def test_what_is_read_whole() -> None:
    command = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 360}),))
    assert read_whole("Set a timer for six minutes.", command)
    assert not read_whole("Please set a timer.", command), "three words say what to do: polite ones aside"
    assert not read_whole("Shut up.", Answer("intent", actions=(ActionCall("stop", {}),))), "a short command"
    unmute = Answer("intent", actions=(ActionCall("set_mute", {"muted": False}),))
    assert not read_whole("Turn the mic on.", unmute, heard="Turned the mile."), "its direction not said yet"
    assert read_whole("Turn the mic on.", unmute, heard="Turned the mic on."), "its direction heard"
    off = Answer("intent", actions=(ActionCall("turn_off", {"device": "kitchen light"}),))
    assert not read_whole("Shut the kitchen light off.", off, heard="Set the kitchen light."), "a verb heard as said"
    assert read_whole("Turn the kitchen light off.", off, heard="Turned a kitchen light off."), "no verb heard"
    on = Answer("intent", actions=(ActionCall("turn_on", {"device": "kitchen light"}),))
    assert not read_whole("Start the kitchen lights,", on, heard="Said the kitchen lights,"), "set, heard as 'said'"
    timer = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 3600}),))
    assert read_whole("Set a timer for one hour,", timer, heard="Said the time before, well, now,")
    assert not read_whole("Set a timer.", Answer("intent", text="For how long?", frame="set a timer for {reply}",
                                                 tentative=True)), "half a command"


def test_what_a_reading_made_while_held_must_bear_out() -> None:
    off = Answer("intent", actions=(ActionCall("turn_off", {"device": "kitchen light"}),))
    on = Answer("intent", actions=(ActionCall("turn_on", {"device": "kitchen light"}),))
    assert borne_out(None, on), "a turn nobody claimed"
    assert borne_out(replace(off, unknown_device="kitchen then", tentative=True), on), "a device it lacks"
    assert borne_out(replace(off, tentative=True), off)
    assert not borne_out(replace(off, tentative=True), on)
