"""A command's opening heard as other words with the same sounds: read as the command when nothing else
matched, and never where the words were a question, another sentence, or a command heard as said."""

from __future__ import annotations

from typing import Any

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers
from firmware_py.respond.openings import opening_mends

DEVICES = [
    {"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"},
    {"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "home/office/blinds/set"},
    {"name": "living room lamp", "area": "living room", "kind": "light", "command_topic": "home/living/lamp/set"},
]


@pytest.fixture(scope="module")
def pair() -> tuple[IntentMatcher, IntentAnswers]:
    directory = DeviceDirectory(parse_devices(DEVICES))
    return IntentMatcher("en", directory), IntentAnswers(directory, ())


def actions(pair: tuple[IntentMatcher, IntentAnswers], text: str) -> list[tuple[str, dict[str, Any]]] | None:
    matcher, answers = pair
    found = matcher.match(text)
    answer = answers.answer(found) if found else None
    return None if answer is None else [(call.name, call.arguments) for call in answer.actions]


@pytest.mark.parametrize(("heard", "expected"), [
    ("Sent a time before ten minutes.", [("set_timer", {"seconds": 600})]),
    ("At a time or for thirty seconds.", [("set_timer", {"seconds": 30})]),
    ("Torture timer for four minutes.", [("set_timer", {"seconds": 240})]),
    ("Time before 20 seconds, please.", [("set_timer", {"seconds": 20})]),
    ("Unused the speaker.", [("set_mute", {"muted": False})]),
    ("Plus the garage door.", [("close_cover", {"device": "garage door"})]),
])
def test_an_opening_heard_as_other_words_is_the_command(pair: tuple[IntentMatcher, IntentAnswers], heard: str,
                                                        expected: list[tuple[str, dict[str, Any]]]) -> None:
    got = actions(pair, heard)
    assert got is not None
    assert [(name, {key: args[key] for key in expected[0][1]}) for name, args in got] == expected


@pytest.mark.parametrize("said", ["Said the man for ten minutes.", "Time flies when you're having fun.",
                                  "Santa Claus is coming to town.", "What's that?", "Time for bed.",
                                  "Close your eyes and tell me a story.", "Plus two is four."])
def test_other_sentences_stay_unmatched(pair: tuple[IntentMatcher, IntentAnswers], said: str) -> None:
    assert actions(pair, said) is None


def test_a_name_joined_to_timer_keeps_its_timer(pair: tuple[IntentMatcher, IntentAnswers]) -> None:
    """A name joined to "timer" by a hyphen is a timer's name: the words before it are read as a short
    opening, never mended away with the name."""
    assert actions(pair, "Santa T-timer for three minutes.") == [("set_timer", {"seconds": 180, "label": "t"})]
    matcher, answers = pair
    found = matcher.match("Said a pizza-timer.")   # cut by a pause: asked for its length, never "stop the timer"
    assert found is not None and answers.answer(found).text == "For how long?"   # type: ignore[union-attr]
    assert opening_mends("Stop the tea-timer.") == []


def test_a_letter_written_before_timer_is_a_name_joined_to_it(pair: tuple[IntentMatcher, IntentAnswers]) -> None:
    """Seed 929: "Set a tea timer | for three minutes." heard "Santa T. Timer, / For three minutes,": the letter
    the recogniser wrote for "tea", then "Timer", is the name "T-timer" holds; the opening was mended with the
    name dropped and an unnamed timer set."""
    assert actions(pair, "Santa T. Timer, For three minutes,") == [("set_timer", {"seconds": 180, "label": "t"})]


def test_a_command_word_heard_is_kept() -> None:
    """ "turn on the" is never read as "turn off the", however close their sounds."""
    assert not [mended for _, mended, _ in opening_mends("Turn on the the living room lamp please")
                if mended.startswith("turn off")]
    assert opening_mends("Turned the volume up")[0][1].startswith("turn the volume")


def test_no_word_heard_for_on_or_off_decides_nothing(pair: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Turn the timer." (the rest of "Add two minutes | to the timer", heard so) is no "turn off the timer":
    nothing heard stood for the "off" that would cancel it. A word that did ("of") is read as it."""
    assert actions(pair, "Turn the timer.") is None
    assert not [mended for _, mended, _ in opening_mends("Turn the living room lamp.") if " off " in f" {mended} "]
    assert actions(pair, "Turn of the living room lamp.") == [("turn_off", {"device": "living room lamp"})]


def test_numbers_stay_as_heard() -> None:
    assert [mended for _, mended, _ in opening_mends("Torture timer for 4 minutes.")] == ["start a timer for 4 minutes."]


def test_a_name_run_into_the_timer_is_never_dropped() -> None:
    """ "an entimer" is an egg timer heard as one word: "set a timer for" in its place would drop the name."""
    assert opening_mends("Set an entimer for six minutes.") == []
    assert opening_mends("Set an timer for six minutes.")


def test_an_opening_heard_whole_keeps_the_word_after_it(pair: tuple[IntentMatcher, IntentAnswers]) -> None:
    """ "Switch on the abbey light": the opening was heard as said, so "abbey" is the name's, not an article to
    drop ("switch on the light" asked which light); a repeat of its last word is still dropped ("for four")."""
    assert not [mended for _, mended, _ in opening_mends("Switch on the abbey light.") if mended == "switch on the light."]
    matcher, answers = pair
    found = matcher.match("Switch on the abbey light.")
    assert found is not None and found.unknown_name == "abbey light"
    assert actions(pair, "Start a time of four twelve minutes.") == [("set_timer", {"seconds": 720})]
