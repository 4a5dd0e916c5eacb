"""Other wordings of a request the library matches nothing of as said: two requests said as one, a room said
after the thing in it, and the verbs and shapes people use that the library lacks ("kill the lights", "set
volume 50 percent"). Another household than the spoken corpus's, so names are not the ones tuned on."""

from __future__ import annotations

from typing import Any

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.intents import IntentResponder, create_intent_responder
from firmware_py.respond.rewordings import joined_parts, room_put_first, rooms_as_said

HOUSE = [
    {"name": "hallway light", "area": "hallway", "kind": "light", "command_topic": "h/hall"},
    {"name": "tv", "aliases": ["television"], "area": "living room", "kind": "switch", "command_topic": "h/tv"},
    {"name": "space heater", "area": "office", "kind": "switch", "command_topic": "h/heater"},
    {"name": "bedroom curtains", "area": "bedroom", "kind": "cover", "command_topic": "h/curtains"},
    {"name": "night light", "area": "kids room", "kind": "light", "command_topic": "h/night"},
    {"name": "velux window", "area": "loft", "kind": "cover", "command_topic": "h/velux"},
]


@pytest.fixture(scope="module")
def intents() -> IntentResponder:
    responder = create_intent_responder("en", DeviceDirectory(parse_devices(HOUSE)), ())
    responder.warm_up()
    return responder


async def run(intents: IntentResponder, text: str) -> list[tuple[str, dict[str, Any]]] | None:
    answer = await intents.match(text, "s")
    if answer is None or answer.unknown_device:
        return None
    return [(call.name, call.arguments) for call in answer.actions]


@pytest.mark.parametrize(("text", "expected"), [
    ("Turn off the TV and the hallway light.", [("turn_off", {"device": "tv"}), ("turn_off", {"device": "hallway light"})]),
    ("Turn the TV off and the hallway light on.", [("turn_off", {"device": "tv"}), ("turn_on", {"device": "hallway light"})]),
    ("Turn the TV off and the hallway light.", [("turn_off", {"device": "tv"}), ("turn_off", {"device": "hallway light"})]),
    ("Set a timer for five minutes and turn off the TV.", [("set_timer", {"seconds": 300}), ("turn_off", {"device": "tv"})]),
    ("Close the curtains, then turn on the night light.",
     [("close_cover", {"device": "bedroom curtains"}), ("turn_on", {"device": "night light"})]),
    ("Turn off the hallway light, the TV and the night light.",
     [("turn_off", {"device": "hallway light"}), ("turn_off", {"device": "tv"}), ("turn_off", {"device": "night light"})]),
    ("Turn on the TV, turn off the hallway light and the night light.",   # the nearest verb carried
     [("turn_on", {"device": "tv"}), ("turn_off", {"device": "hallway light"}), ("turn_off", {"device": "night light"})]),
    ("Turn on the hallway light and set it to 40 percent.",   # "it": the device the piece before named
     [("turn_on", {"device": "hallway light"}), ("set_brightness", {"device": "hallway light", "percent": 40})]),
])
async def test_two_requests_said_as_one_run_both(intents: IntentResponder, text: str,
                                                  expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert await run(intents, text) == expected


async def test_a_piece_naming_an_unknown_device_is_refused_as_the_rest_runs(intents: IntentResponder) -> None:
    answer = await intents.match("Turn off the TV and the garage heater.", "s")
    assert answer is not None and not answer.unknown_device
    assert [(call.name, call.arguments) for call in answer.actions] == [
        ("turn_off", {"device": "tv"}), ("turn_off", {"device": "garage heater"})]   # the second says it has none


async def test_a_piece_naming_a_device_by_the_start_of_its_name_runs_with_the_rest(intents: IntentResponder) -> None:
    """ "the Velux" for the Velux window: alone, perhaps half a sentence ("... the Velux | window"), but not
    before "and"; said last, the whole request is (tentative: a turn that sounds cut off waits for its rest)."""
    assert await run(intents, "Close the Velux and turn off the hallway light.") == [
        ("close_cover", {"device": "velux window"}), ("turn_off", {"device": "hallway light"})]
    answer = await intents.match("Turn off the hallway light and open the Velux.", "s")
    assert answer is not None and answer.tentative and [(call.name, call.arguments) for call in answer.actions] == [
        ("turn_off", {"device": "hallway light"}), ("open_cover", {"device": "velux window"})]


@pytest.mark.parametrize("text", [
    "Turn off the pool pump and the garage heater.",   # neither known: one refusal, as for the whole
    "Turn off the TV and make me a sandwich.",    # one of them no command: the LLM's
    "Set a timer for one hour and twenty minutes.",   # "and" inside a length: one request
])
async def test_two_requests_run_only_when_each_is_a_plain_command(intents: IntentResponder, text: str) -> None:
    actions = await run(intents, text)
    assert actions is None or len(actions) == 1 and actions[0][0] == "set_timer" and actions[0][1] == {"seconds": 4800}


@pytest.mark.parametrize(("text", "expected"), [
    ("Turn the office heater off.", [("turn_off", {"device": "space heater"})]),
    ("Turn the heater off in the office.", [("turn_off", {"device": "space heater"})]),
    ("Kill the lights in the hallway.", [("turn_off", {"device": "hallway light"})]),
    ("Kill the hallway light.", [("turn_off", {"device": "hallway light"})]),
    ("Kill the lights.", [("turn_off", {"device": "hallway light"}), ("turn_off", {"device": "night light"})]),
    ("Set volume 50 percent.", [("set_volume", {"percent": 50})]),
])
async def test_a_room_said_first_or_after_and_everyday_verbs(intents: IntentResponder, text: str,
                                                           expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert await run(intents, text) == expected


async def test_a_room_and_a_thing_it_does_not_hold_is_refused(intents: IntentResponder) -> None:
    answer = await intents.match("Turn the kitchen heater off.", "s")
    assert answer is not None and answer.unknown_device == "kitchen heater"


def test_pieces_carry_the_first_requests_verb() -> None:
    assert joined_parts("Turn off the TV and the hallway light.") == [
        ["Turn off the TV"], ["turn off the hallway light", "turn the hallway light", "the hallway light"]]
    assert joined_parts("What time is it?") is None
    assert joined_parts("Turn off the TV and.") is None   # a piece with no words: cut off, not two requests


def test_the_room_said_after_is_put_before_the_thing() -> None:
    assert room_put_first("Turn the heater off in the office.", ["office"]) == "Turn the office heater off"
    assert room_put_first("Turn on the lamp in the living room", ["living room", "room"]) == "Turn on the living room lamp"
    assert room_put_first("What time is it in the office", ["office"]) is None


def test_a_room_is_said_by_its_last_word_only_where_no_other_ends_in_it() -> None:
    said = dict(rooms_as_said(["Master Bedroom", "Guest Bedroom", "Living Room", "Office Attic"]))
    assert said["Master Bedroom"] == "Master Bedroom" and "Bedroom" not in said   # two rooms end in it
    assert said["Attic"] == "Office Attic" and "Room" not in said
