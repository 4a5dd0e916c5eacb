"""Ways people phrase the same commands: asked indirectly ("Do you know what time it is?"), politely ("Would you
mind turning off..."), with the device's own verbs ("raise the blinds", "stop the garage door"), by the room
alone ("open the garage"), or with the timer words of everyday speech ("half an hour", "how much longer")."""

from __future__ import annotations

from typing import Any

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.indirect import direct_form
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers

from .test_intents import DEVICES, actions

BLINDS = {"name": "office blinds", "aliases": ["office shades"], "area": "office", "kind": "cover",
          "command_topic": "home/office/blinds/set"}
Pair = tuple[IntentMatcher, IntentAnswers]


@pytest.fixture(scope="module")
def answers() -> Pair:
    directory = DeviceDirectory(parse_devices([*DEVICES, BLINDS]))
    return IntentMatcher("en", directory), IntentAnswers(directory, ())


@pytest.mark.parametrize("text, direct", [
    ("Do you know what time it is?", "what time is it?"),
    ("Could you tell me what the date is?", "what is the date?"),
    ("Any idea what day it is today?", "what day is it today?"),
    ("Do you know how much time is left on the timer?", "how much time is left on the timer?"),
    ("Have you got the time?", "what is the time?"),
    ("Would you mind turning off the porch light?", "turn off the porch light?"),
    ("I'd like you to set a timer for five minutes.", "set a timer for five minutes."),
    ("Tell me a joke.", "Tell me a joke."),   # not a wrapper: the request itself
    ("What time is it?", "What time is it?"),
])
def test_an_indirect_request_is_put_directly(text: str, direct: str) -> None:
    assert direct_form(text) == direct


@pytest.mark.parametrize("text, expected", [
    ("Do you know what time it is?", [("get_time", {})]),
    ("Can you tell me what time it is?", [("get_time", {})]),
    ("Do you have the time?", [("get_time", {})]),
    ("Time, please.", [("get_time", {})]),
    ("Do you know what day it is?", [("get_date", {})]),
    ("What date is it today?", [("get_date", {})]),
    ("What day is today?", [("get_date", {})]),
    ("Would you mind turning on the kitchen light?", [("turn_on", {"device": "kitchen light"})]),
    ("Set a timer for half an hour.", [("set_timer", {"seconds": 1800})]),
    ("Set a timer for a minute and a half.", [("set_timer", {"seconds": 90})]),
    ("Timer for twenty five minutes for the laundry.", [("set_timer", {"seconds": 1500, "label": "laundry"})]),
    ("Set a timer for ten minutes for the pasta.", [("set_timer", {"seconds": 600, "label": "pasta"})]),
    ("Set a timer for five minutes for me.", [("set_timer", {"seconds": 300})]),
    ("Good night.", None),   # every word mended is a sentence invented, not "quiet right" (a silent stop)
    ("Turn the sound off.", [("set_mute", {"muted": True})]),
    ("Turn the sound back on.", [("set_mute", {"muted": False})]),
    ("Set a timer for 2 and ½ minutes.", [("set_timer", {"seconds": 150})]),
    ("Set a timer for 2½ minutes.", [("set_timer", {"seconds": 150})]),
    ("Set a timer for 2 1/2 minutes.", [("set_timer", {"seconds": 150})]),
    ("Set a timer for 2.5 minutes.", [("set_timer", {"seconds": 150})]),
    ("Set a timer for 1/2 an hour.", [("set_timer", {"seconds": 1800})]),
    ("Set a timer for a half hour.", [("set_timer", {"seconds": 1800})]),
    ("Set a timer for half a minute.", [("set_timer", {"seconds": 30})]),
    ("Put on a timer for three minutes.", [("set_timer", {"seconds": 180})]),
    ("Give me a ten minute timer.", [("set_timer", {"seconds": 600})]),
    ("How much longer on the timer?", [("list_timers", {})]),
    ("How long until the timer goes off?", [("list_timers", {})]),
    ("What timers do I have?", [("list_timers", {})]),
    ("Hold the timer.", [("pause_timer", {})]),
    ("Unpause the pasta timer.", [("resume_timer", {"label": "pasta"})]),
    ("Add five more minutes.", [("add_timer_time", {"seconds": 300})]),
    ("Turn off the timer.", [("cancel_timer", {})]),
    ("Turn off the pasta timer.", [("cancel_timer", {"label": "pasta"})]),
    ("Start the bedroom fan.", [("turn_on", {"device": "bedroom fan"})]),
    ("Stop the bedroom fan.", [("turn_off", {"device": "bedroom fan"})]),
    ("Stop the garage door.", [("stop_cover", {"device": "garage door"})]),
    ("Raise the office shades.", [("open_cover", {"device": "office blinds"})]),
    ("Lower the office blinds.", [("close_cover", {"device": "office blinds"})]),
    ("Dim the kitchen light.", [("change_brightness", {"device": "kitchen light", "delta": -25})]),
    ("Make the living room lamp brighter.", [("change_brightness", {"device": "living room lamp", "delta": 25})]),
    ("Turn the kitchen lights down.", [("change_brightness", {"device": "kitchen light", "delta": -25})]),
    ("Dim the kitchen light to 20 percent.", [("set_brightness", {"device": "kitchen light", "percent": 20})]),
    ("What's the date to-day?", [("get_date", {})]),
    ("Had two minutes to the timer.", [("add_timer_time", {"seconds": 120})]),
    ("And you switch off the living room lamp.", [("turn_off", {"device": "living room lamp"})]),
    ("Set the timer to five minutes.", [("set_timer", {"seconds": 300})]),
    ("Put five more minutes on the timer.", [("add_timer_time", {"seconds": 300})]),
    ("How much time do I have left?", [("list_timers", {})]),
    ("How long have I got left on the timer?", [("list_timers", {})]),
    ("Diggity two minutes to the timer.", [("add_timer_time", {"seconds": 120})]),   # "Add" heard as a word (seed 509)
    ("Two minutes to the timer.", [("add_timer_time", {"seconds": 120})]),
    ("Five more minutes on the timer.", [("add_timer_time", {"seconds": 300})]),
    ("Can use switch off the living room lamp.", [("turn_off", {"device": "living room lamp"})]),   # seed 509
    ("Add a tea timer for three minutes.", [("set_timer", {"seconds": 180, "label": "tea"})]),   # seed 541
    ("Add a tea-timer for three minutes.", [("set_timer", {"seconds": 180, "label": "tea"})]),   # seed 617, heard slower
    ("How long do we have left on the pasta timer?", [("list_timers", {})]),
    ("Get rid of the timer.", [("cancel_timer", {})]),
    ("Mute the sound.", [("set_mute", {"muted": True})]),
    ("What can you help me with?", [("help", {})]),
    ("Open the garage.", [("open_cover", {"device": "garage door"})]),   # the garage's one cover
    ("Turn off the porch.", [("turn_off", {"device": "porch light"})]),
])
def test_everyday_phrasings_become_their_command(answers: Pair, text: str,
                                                 expected: list[tuple[str, dict[str, Any]]]) -> None:
    assert actions(answers, text) == expected


def test_a_room_alone_is_its_device_only_when_the_words_say_what_to_do(answers: Pair) -> None:
    # "Turned the porch." may be the start of "Turn the porch light off": nothing is guessed
    assert actions(answers, "Turned the porch.") == [("turn_on", {"device": "porch"})]   # refused by name
    matcher, _ = answers
    assert matcher.match("Turned the porch.").tentative   # type: ignore[union-attr]


def test_turn_with_no_on_is_no_command_unless_it_names_a_device(answers: Pair) -> None:
    """The library reads "turn <name>" as running a script, which this device has none of."""
    assert actions(answers, "Turn the page.") is None
    assert actions(answers, "Dim the.") is None
    matcher, _ = answers
    assert matcher.match("Turn the heater.").tentative   # type: ignore[union-attr]   # "| on": its rest may come


@pytest.mark.parametrize(("text", "expected"), [
    ("Dim the lamp.", [("change_brightness", {"device": "living room lamp", "delta": -25})]),
    ("Make the lamp brighter.", [("change_brightness", {"device": "living room lamp", "delta": 25})]),
    ("Set the lamp to 30 percent.", [("set_brightness", {"device": "living room lamp", "percent": 30})]),
    ("Dim the dining room lights.", [("turn_on", {"device": "dining room lights"})]),   # refused by name
    ("Get rid of the egg timer.", [("cancel_timer", {"label": "egg"})]),
    ("Set the kitchen light's brightness to 60 percent.", [("set_brightness", {"device": "kitchen light", "percent": 60})]),
    ("Set the living room lump's brightness to 20%.", [("set_brightness", {"device": "living room lamp", "percent": 20})]),
    # the first word read as the verb it lost its first sound from, the timer's name kept
    ("At a tea-timer for three minutes.", [("set_timer", {"seconds": 180, "label": "tea"})]),
    ("I'm bored.", None),   # "I'm" sounds like "dim", but no light is called "bored"
    ("Can you dim the kitchen light a bit?", [("change_brightness", {"device": "kitchen light", "delta": -25})]),
    ("Set a timer for a couple of minutes.", [("set_timer", {"seconds": 120})]),
    ("Can I get a timer for 5 minutes?", [("set_timer", {"seconds": 300})]),
    ("When will the timer go off?", [("list_timers", {})]),
    ("How many timers do I have?", [("list_timers", {})]),
    ("Put the volume on 20.", [("set_volume", {"percent": 20})]),
    ("Not so loud.", [("change_volume", {"delta": -10})]),
    ("Lamp to 50 percent.", [("set_brightness", {"device": "living room lamp", "percent": 50})]),   # the one lamp
    ("Set a reminder for 10 minutes.", [("set_timer", {"seconds": 600})]),   # nothing to remind of: a timer
    ("Set a reminder for the dentist.", None),
    ("What's on the timer?", [("list_timers", {})]),
    ("How's my timer doing?", [("list_timers", {})]),
    ("Make the timer 5 minutes longer.", [("add_timer_time", {"seconds": 300})]),
    ("Cancel both timers.", [("cancel_timer", {"all": True})]),
    ("Please, Ed,", None),   # the start of "Please set, ..." cut off: a two-letter word is no "mute" alone
    ("Close the blinds halfway.", None),   # no position is offered: never a device called "blinds halfway"
    ("All lights off.", [("turn_off", {"device": "kitchen light"}), ("turn_off", {"device": "living room lamp"}),
                         ("turn_off", {"device": "porch light"})]),
    ("Everything off.", [("turn_off", {"device": "kitchen light"}), ("turn_off", {"device": "living room lamp"}),
                         ("turn_off", {"device": "bedroom fan"}), ("turn_off", {"device": "porch light"})]),
    ("Lights to 50 percent.", [("set_brightness", {"device": "kitchen light", "percent": 50}),
                               ("set_brightness", {"device": "living room lamp", "percent": 50})]),   # not the switch
    ("Lights up.", [("change_brightness", {"device": "kitchen light", "delta": 25}),
                    ("change_brightness", {"device": "living room lamp", "delta": 25})]),
])
def test_a_lamp_dimmed_and_a_named_timer_got_rid_of(answers: Pair, text: str,
                                                    expected: list[tuple[str, dict[str, Any]]] | None) -> None:
    assert actions(answers, text) == expected


def test_a_set_heard_as_said_never_stops_a_device(answers: Pair) -> None:
    """"Said the kitchen lights" is "Set the kitchen lights | to forty percent" cut by a pause: its opening sounds
    like "stop the", which must not turn the light off."""
    assert actions(answers, "Said the kitchen lights.") is None


@pytest.mark.parametrize("text", ["Do you know what the capital of France is?", "Can you tell me a story?",
                                  "Do you know who wrote Hamlet?", "Would you mind if I asked you something?"])
def test_indirect_questions_about_the_world_still_go_to_the_llm(answers: Pair, text: str) -> None:
    assert actions(answers, text) is None


def test_dim_the_lights_means_this_rooms() -> None:
    directory = DeviceDirectory(parse_devices(DEVICES))
    pair = IntentMatcher("en", directory), IntentAnswers(directory, (), area="kitchen")
    assert actions(pair, "Dim the lights.") == [("change_brightness", {"device": "kitchen light", "delta": -25})]


@pytest.mark.parametrize(("text", "expected"), [
    ("Put yourself on mute.", [("set_mute", {"muted": True})]),
    ("Put the mic on mute.", [("set_mute", {"muted": True})]),
    ("Come off mute.", [("set_mute", {"muted": False})]),
    ("Take the microphone off mute.", [("set_mute", {"muted": False})]),
    ("Put the bedroom fan on.", [("turn_on", {"device": "bedroom fan"})]),
    ("Put on the porch light.", [("turn_on", {"device": "porch light"})]),
    ("Stop the shades.", [("stop_cover", {"device": "office blinds"})]),
    ("Roll the office blinds down.", [("close_cover", {"device": "office blinds"})]),
    ("Bring the garage door up.", [("open_cover", {"device": "garage door"})]),
    ("Ditch the pasta timer.", [("cancel_timer", {"label": "pasta"})]),
    ("Never mind about the timer.", [("cancel_timer", {})]),
    ("How much time does the timer have left?", [("list_timers", {})]),
    # a verb, a pronoun or the device itself is no device's name: nothing to refuse by name
    ("Put it on.", None),
    ("Go on.", None),
    ("Put on some music.", None),
])
def test_put_on_mute_and_the_covers_own_words(answers: Pair, text: str,
                                              expected: list[tuple[str, dict[str, Any]]] | None) -> None:
    assert actions(answers, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("I'm switch on the bedroom fan.", [("turn_on", {"device": "bedroom fan"})]),   # "Um" heard as "I'm"
    ("I'm close the garage door.", [("close_cover", {"device": "garage door"})]),
    ("I'm switching on the bedroom fan.", None),   # a plan or a report, never an order
    ("I'm going to switch on the bedroom fan.", None),
    ("Open, Sandra, I'm not.", None),   # no device is called "sandra i'm not"
    ("Close, ma.", None),               # nor "ma": the user's word for whom they speak to
])
def test_a_filler_heard_as_im_before_the_verb_is_dropped(answers: Pair, text: str,
                                                         expected: list[tuple[str, dict[str, Any]]] | None) -> None:
    assert actions(answers, text) == expected
