"""A command that points at the devices just commanded ("Dim it.", "Turn them off.") acts on them, with no LLM
pass; what points at nothing commanded, or only asks, is answered as before. Scripted speech engines, the real
chain."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from firmware_py import conversation as conversation_module
from firmware_py.config import Settings
from firmware_py.respond.base import ActionCall
from firmware_py.respond.device_follow_ups import named_in_place, same_for

from .test_answering_scripted import answered, settings, spoken, world  # noqa: F401 (fixture)
from .scripted import settle
from .test_asked_scripted import calls

LIGHTS_AND_A_COVER = [
    {"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
    {"name": "reading lamp", "area": "study", "kind": "light", "command_topic": "home/study/lamp/set"},
    {"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"},
]


@pytest.fixture(scope="module")
def chain_settings() -> Settings:
    return replace(settings(), devices=LIGHTS_AND_A_COVER)


async def test_it_is_the_light_just_commanded_whatever_the_request(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Dim it.", spoken())
    await answered(recorder, 2)
    await conversation.on_user_turn("Set it to fifty percent, please.", spoken())
    assert (await answered(recorder, 3))[2].text == "The kitchen light is at 50 percent."
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"}),
                               ("change_brightness", {"device": "kitchen light", "delta": -25}),
                               ("set_brightness", {"device": "kitchen light", "percent": 50})]
    assert llm.asked == []


async def test_them_is_every_device_just_commanded(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light and the reading lamp.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Now turn them off.", spoken())
    await answered(recorder, 2)
    assert calls(recorder)[2:] == [("turn_off", {"device": "kitchen light"}), ("turn_off", {"device": "reading lamp"})]
    assert llm.asked == []


async def test_a_cover_pointed_at_is_closed_and_opened_again(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Open the garage door.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Close it.", spoken())
    await answered(recorder, 2)
    await conversation.on_user_turn("Open it again, please.", spoken())   # "again" says it was so before
    await answered(recorder, 3)
    assert calls(recorder) == [("open_cover", {"device": "garage door"}), ("close_cover", {"device": "garage door"}),
                               ("open_cover", {"device": "garage door"})]
    assert llm.asked == []


async def test_again_points_at_the_device_just_commanded_when_its_it_was_lost(world: Any) -> None:
    """ "Turn it off again." heard "Turned off again." (Piper): asked "What should I turn off?"."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Turned off again.", spoken())
    assert (await answered(recorder, 2))[1].text == "The kitchen light is off."


async def test_also_and_a_device_is_the_same_deed_never_a_verb_mended_from_also(world: Any) -> None:
    """ "Open the garage door." then "Also the office blinds, please.": the matcher alone mends "Also" into
    "Close" (a word before a device that no sentence knows is its verb heard wrong); after a device command it
    asks that deed again (a spoken follow-up closed the blinds)."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Open the garage door.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Also the garage door, please.", spoken())
    await answered(recorder, 2)
    assert calls(recorder) == [("open_cover", {"device": "garage door"})] * 2


async def test_what_points_at_nothing_commanded_goes_to_the_llm(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Dim it.", spoken())   # nothing commanded yet
    assert (await answered(recorder))[0].responder == "llm"
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder, 2)
    await conversation.on_user_turn("What is it?", spoken())   # read as the light, it only tells: not a command
    assert (await answered(recorder, 3))[2].responder == "llm"
    monkeypatch.setattr(conversation_module, "IT_MEANS_THE_LAST_COMMANDED_SECS", 0.0)   # a minute later
    await conversation.on_user_turn("Dim it.", spoken())
    assert (await answered(recorder, 4))[3].responder == "llm"
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"})]


async def test_it_after_several_devices_is_none_of_them(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light and the reading lamp.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Dim it.", spoken())
    assert (await answered(recorder, 2))[1].responder == "llm"
    assert len(calls(recorder)) == 2


def test_the_device_is_named_in_the_pronouns_place() -> None:
    assert named_in_place("Dim it.", ("kitchen light",)) == ["Dim the kitchen light."]
    assert named_in_place("Set that to ten percent.", ("porch light",)) == ["Set the porch light to ten percent."]
    assert named_in_place("Turn them off.", ("kitchen lights",)) == ["Turn the kitchen lights off."]
    assert named_in_place("Turn them off.", ("a", "b")) == ["Turn the a off.", "Turn the b off."]
    assert named_in_place("Dim it.", ("a", "b")) == []
    assert named_in_place("Dim the lights.", ("kitchen light",)) == []
    assert named_in_place("Edit the list.", ("kitchen light",)) == [], "a word holding 'it' is no pronoun"
    assert named_in_place("Dimit.", ("kitchen light",)) == ["Dim the kitchen light."], "as the recogniser may write it"


async def test_the_same_deed_is_done_for_the_devices_named_after(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("And the reading lamp too.", spoken())
    assert (await answered(recorder, 2))[1].text == "The reading lamp is on."
    await conversation.on_user_turn("Set the kitchen light to forty percent.", spoken())
    await answered(recorder, 3)
    await conversation.on_user_turn("Same for the reading lamp, please.", spoken())
    await answered(recorder, 4)
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"}), ("turn_on", {"device": "reading lamp"}),
                               ("set_brightness", {"device": "kitchen light", "percent": 40}),
                               ("set_brightness", {"device": "reading lamp", "percent": 40})]
    assert llm.asked == []


async def test_the_same_deed_for_what_cannot_take_it_is_refused_and_a_question_is_not_it(world: Any) -> None:
    """A cover has no brightness: said so, as for the request said whole; "And the reading lamp?" only asks."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set the kitchen light to forty percent.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Same for the garage door.", spoken())
    assert (await answered(recorder, 2))[1].text == "The garage door is a cover; only lights have a brightness."
    await conversation.on_user_turn("And the reading lamp?", spoken())
    await answered(recorder, 3)
    assert [call for call in calls(recorder) if call[1]["device"] == "reading lamp"] == []


def test_the_deed_is_said_again_for_the_devices_named() -> None:
    on = (ActionCall("turn_on", {"device": "kitchen light"}),)
    assert same_for("And the porch light too.", on) == "turn on the porch light"
    assert same_for("Okay, same for the fan and the porch light.", on) == "turn on the fan and the porch light"
    assert same_for("Also the fan, please.", on) == "turn on the fan"
    assert same_for("And the porch light?", on) is None, "a question, not the same again"
    assert same_for("What about the porch light?", on) is None
    dimmed = (ActionCall("set_brightness", {"device": "kitchen light", "percent": 40}),)
    assert same_for("The porch light as well.", dimmed) == "set The porch light to 40 percent"
    mixed = (ActionCall("turn_on", {"device": "a"}), ActionCall("turn_off", {"device": "b"}))
    assert same_for("And the porch light too.", mixed) is None, "two deeds: which one?"
    step = (ActionCall("change_brightness", {"device": "a", "delta": -25}),)
    assert same_for("And the porch light too.", step) is None


async def test_a_correction_switches_the_device_meant_and_the_other_back(world: Any) -> None:
    """ "Turn on the kitchen light." then "No, the reading lamp.": the LLM answered it ("The name of the person
    who helped me."), the kitchen light left on; now the lamp is turned on and the kitchen light off again."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("No, the reading lamp.", spoken())
    assert (await answered(recorder, 2))[1].text == "The kitchen light is off. The reading lamp is on."
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"}), ("turn_off", {"device": "kitchen light"}),
                               ("turn_on", {"device": "reading lamp"})]
    assert llm.asked == []


async def test_a_correction_said_after_a_pause_is_still_one(world: Any) -> None:
    """ "No." | "The reading lamp." (the recogniser made two turns of the pause after "No"): "No." alone changed
    nothing and the lamp went to the LLM; now "No." waits for what it corrects."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    turn = asyncio.ensure_future(conversation.on_user_turn("No.", spoken()))
    await settle(lambda: conversation._held is not None)
    await conversation.on_user_turn("The reading lamp.", spoken())
    assert (await answered(recorder, 2))[1].text == "The kitchen light is off. The reading lamp is on."
    await turn
    assert llm.asked == []


async def test_a_correction_of_an_amount_or_a_length_sets_that(world: Any) -> None:
    """ "No, 50." after the volume was set to 30, "Sorry, I meant ten minutes." after a five-minute timer: each
    went to the LLM, the first amount left; now the setting is set again and the timer lengthened."""
    conversation, recorder, llm, _ = world
    for turn, (said, correction) in enumerate([("Set the volume to 30 percent.", "No, 50."),
                                               ("Set a timer for five minutes.", "Sorry, I meant ten minutes.")]):
        await conversation.on_user_turn(said, spoken())
        await answered(recorder, 2 * turn + 1)
        await conversation.on_user_turn(correction, spoken())
        await answered(recorder, 2 * turn + 2)
    assert calls(recorder)[:2] == [("set_volume", {"percent": 30}), ("set_volume", {"percent": 50})]
    assert [round(t.seconds) for t in conversation._engines.tools.timers.list()] == [600]
    assert llm.asked == []


async def test_no_alone_or_long_after_corrects_nothing(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("No.", spoken())   # (nothing said to it)
    await conversation.on_user_turn("Turn off the kitchen light.", spoken())
    await answered(recorder, 2)
    monkeypatch.setattr(conversation_module, "IT_MEANS_THE_LAST_COMMANDED_SECS", 0.0)   # a minute gone
    await conversation.on_user_turn("No, the reading lamp.", spoken())
    await answered(recorder, 3)
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"}), ("turn_off", {"device": "kitchen light"})]



@pytest.mark.parametrize("follow_up", ["Turn it off again,", "Turn it off."])
async def test_a_request_pointing_at_the_device_just_commanded_waits_for_no_rest(
        world: Any, monkeypatch: pytest.MonkeyPatch, follow_up: str) -> None:
    """The follow-ups run's "Turn it off again." waited 2.4 s in every voice: held for a rest as "Turn off the"
    is, though its thing was said as "it"."""
    monkeypatch.setattr(conversation_module, "hold_secs", lambda *_: 30.0)   # longer than `answered` waits
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn(follow_up, spoken())
    assert (await answered(recorder, 2))[1].text == "The kitchen light is off."


@pytest.mark.parametrize("follow_up", ["Now turn hem off,", "Turn 'em off."])
async def test_them_as_it_is_said_or_heard_is_the_devices_just_commanded(world: Any, follow_up: str) -> None:
    """The follow-ups run's "Now turn them off." heard "Now turn hem off," was refused as a device called hem."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light and the reading lamp.", spoken())
    await answered(recorder)
    await conversation.on_user_turn(follow_up, spoken())
    await answered(recorder, 2)
    assert calls(recorder)[2:] == [("turn_off", {"device": "kitchen light"}), ("turn_off", {"device": "reading lamp"})]
