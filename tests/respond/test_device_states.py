"""Questions about the state of devices ("Are any lights on?", "Is the bedroom light on?") are answered from
what the device last told each one, and never guessed: it cannot hear what they are."""

from __future__ import annotations

import asyncio

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.device_states import listed, states_answer
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers, IntentResponder
from scripts.bench.phrasing_sets import FAMILY_HOUSE



@pytest.fixture()
def house() -> tuple[DeviceDirectory, IntentResponder]:
    directory = DeviceDirectory(parse_devices(FAMILY_HOUSE))
    return directory, IntentResponder(IntentMatcher("en", directory), IntentAnswers(directory, ()))


def told(responder: IntentResponder, text: str) -> str | None:
    answer = asyncio.run(responder.match(text, "s1"))
    if answer is None:
        return None
    assert not answer.actions, text   # a question is answered, never acted on
    return answer.text


def test_several_devices_are_told_by_what_each_was_last_told() -> None:
    directory = DeviceDirectory(parse_devices(FAMILY_HOUSE))
    devices = [device for name in ("bedside lamp", "christmas tree", "floor lamp") if (device := directory.find(name))]
    said = states_answer(devices, {"floor lamp": "on", "bedside lamp": "off"}, "on", "lights")
    assert said == ("The floor lamp should be on: that is what I last told it. The bedside lamp should be off. "
                    "I haven't changed the christmas tree since I started.")
    assert states_answer(devices, {}, "on", "lights") == \
        "I don't know whether any of the lights are on: I haven't changed them since I started."
    assert states_answer([], {}, "on", "fans in the garage") == "I don't know of any fans in the garage."
    assert listed(["a", "b", "c"]) == "the a, the b and the c"


def test_a_rooms_lights_are_asked_about_whatever_they_are_called(house: tuple[DeviceDirectory, IntentResponder]) -> None:
    directory, responder = house
    assert told(responder, "Is the bedroom light on?") == \
        "I don't know whether the bedside lamp is on: I haven't changed it since I started."
    directory.last_state["bedside lamp"] = "off"
    assert told(responder, "Is the light in the master bedroom on?") == \
        "The bedside lamp should be off: that is what I last told it."


def test_any_of_a_kind_is_answered_from_what_was_last_told(house: tuple[DeviceDirectory, IntentResponder]) -> None:
    directory, responder = house
    directory.last_state.update({"floor lamp": "on", "christmas tree": "off"})
    said = told(responder, "Are any lights on?")
    assert said is not None and said.startswith("The floor lamp should be on: that is what I last told it.")
    assert "bedside lamp" in said   # not known: said so, not guessed
    assert told(responder, "Is the skylight open?") == \
        "I don't know whether the skylight is open: I haven't changed it since I started."


def test_a_kind_this_device_does_not_command_is_not_answered_here(house: tuple[DeviceDirectory, IntentResponder]) -> None:
    _, responder = house
    assert told(responder, "Are any locks unlocked?") is None   # the LLM's, which says it has no locks
