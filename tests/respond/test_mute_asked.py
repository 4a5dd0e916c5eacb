"""A mute heard after a short vowel sound may be an "unmute" that lost its "un": the device asks, because a
wrong mute stops it listening and no spoken request can take that back."""

from __future__ import annotations

import asyncio

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers, IntentResponder


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    directory = DeviceDirectory(parse_devices([]))
    return IntentResponder(IntentMatcher("en", directory), IntentAnswers(directory, ()))


def said(responder: IntentResponder, text: str) -> tuple[str, list[tuple[str, dict]]]:
    answer = asyncio.run(responder.match(text, "s1"))
    assert answer is not None, text
    return answer.text, [(call.name, call.arguments) for call in answer.actions]


@pytest.mark.parametrize("text, choices", [
    ("Ah, mute yourself.", '"mute yourself" or "unmute yourself"'),
    ("Um, mute the speaker.", '"mute the speaker" or "unmute the speaker"'),
    ("And mute,", '"mute" or "unmute"'),   # "Nmute." as heard: a short word, not a filler, before the verb
    ("Ah mute the speaker please.", '"mute the speaker please" or "unmute the speaker please"'),
    ("Amute the speaker.", '"mute the speaker" or "unmute the speaker"'),   # the sound written on the verb
    ("Emute yourself.", '"mute yourself" or "unmute yourself"'),
    ("Amused the speaker.", '"mute the speaker" or "unmute the speaker"'),   # or on a word like it (seed 479)
    ("Amute.", '"mute" or "unmute"'),   # the verb alone (seed 503)
    # "I" before the verb, which the matcher reads as a statement's subject: each of the runs that wrote these
    # (seven, seed 571 the last) was an "Unmute ..." left to the LLM
    ("I mute the speaker.", '"mute the speaker" or "unmute the speaker"'),
    ("I mute yourself.", '"mute yourself" or "unmute yourself"'),
])
def test_a_mute_after_a_vowel_sound_is_asked_about(responder: IntentResponder, text: str, choices: str) -> None:
    assert said(responder, text) == (f"Sorry, did you say {choices}?", [])


@pytest.mark.parametrize("text, muted", [
    ("Mute yourself.", True),
    ("Okay, mute yourself.", True),       # a filler of more than a vowel's sound
    ("So, mute the sound.", True),
    ("Ok, so mute the speaker.", True),   # what is left of an "un" stands right before the verb (seed 673)
    ("Oh, unmute yourself.", False),      # an unmute changes nothing a spoken request cannot take back
])
def test_other_mutes_and_unmutes_run(responder: IntentResponder, text: str, muted: bool) -> None:
    assert said(responder, text) == ("", [("set_mute", {"muted": muted})])


def test_a_word_that_only_sounds_like_a_vowel_and_mute_is_no_mute(responder: IntentResponder) -> None:
    """ "Indeed," is no "mute" glued on a vowel: a word that ends like the verb is not asked about."""
    assert asyncio.run(responder.match("Indeed,", "s1")) is None
    assert asyncio.run(responder.match("I mute the TV every night.", "s1")) is None


def test_other_commands_after_a_vowel_sound_run(responder: IntentResponder) -> None:
    assert said(responder, "Uh, pause the timer.") == ("", [("pause_timer", {})])
