"""A request that fits several devices ("Turn off the light." among three lights) asks which one; a name in
reply completes it, and the one device just commanded is taken without asking. Scripted speech engines, the
real chain."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from firmware_py.config import Settings

from .test_answering_scripted import answered, settings, spoken, world  # noqa: F401 (fixture)
from .test_asked_scripted import calls

LIGHTS_AND_A_FAN = [
    {"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
    {"name": "reading lamp", "area": "study", "kind": "light", "command_topic": "home/study/lamp/set"},
    {"name": "porch light", "area": "porch", "kind": "light", "command_topic": "home/porch/light/set"},
    {"name": "bedroom fan", "area": "bedroom", "kind": "fan", "command_topic": "home/bedroom/fan/set"},
]


@pytest.fixture(scope="module")
def chain_settings() -> Settings:
    return replace(settings(), devices=LIGHTS_AND_A_FAN)


async def test_which_one_is_asked_and_a_name_in_reply_completes_the_request(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Brightness to ninety percent.", spoken())
    assert (await answered(recorder))[0].text.startswith("Which one: the kitchen light")
    assert calls(recorder) == []
    await conversation.on_user_turn("The reading lamp.", spoken())
    await answered(recorder, 2)
    assert calls(recorder) == [("set_brightness", {"device": "reading lamp", "percent": 90})] and llm.asked == []


async def test_the_light_just_commanded_is_the_one_meant(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the porch light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Set the brightness to forty percent.", spoken())
    await answered(recorder, 2)
    await conversation.on_user_turn("Turn off the light.", spoken())
    await answered(recorder, 3)
    assert calls(recorder) == [("turn_on", {"device": "porch light"}),
                               ("set_brightness", {"device": "porch light", "percent": 40}),
                               ("turn_off", {"device": "porch light"})]


async def test_a_device_of_another_kind_just_commanded_is_not_taken_for_a_light(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("Turn on the bedroom fan.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Turn off the light.", spoken())
    assert (await answered(recorder, 2))[1].text.startswith("Which one:")
    assert calls(recorder) == [("turn_on", {"device": "bedroom fan"})]
