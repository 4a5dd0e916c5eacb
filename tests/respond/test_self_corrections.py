"""A request corrected as it was said (respond/self_corrections.py)."""

from __future__ import annotations

import pytest

from firmware_py.respond.self_corrections import corrected, opens_with_a_correction


@pytest.mark.parametrize("text, meant", [
    ("Turn on the kitchen, no, the bedroom light.", "Turn on the bedroom light."),
    ("Turn on the kitchen light, sorry, bedroom light.", "Turn on the bedroom light."),
    ("Turn off the hallway light. Sorry, the porch light.", "Turn off the porch light."),
    ("Turn on the desk lamp, I mean the loft light.", "Turn on the loft light."),
    ("Set a timer for five, sorry, ten minutes.", "Set a timer for ten minutes."),
    ("Set a timer for five minutes, no, ten.", "Set a timer for ten minutes."),   # the unit kept
    ("Could you set a timer for 5, I mean 6 minutes", "Could you set a timer for 6 minutes"),
    ("Set an alarm for 7 am, no, 8 am.", "Set an alarm for 8 am."),
    ("Turn the lamp to 40 percent make that 60", "Turn the lamp to 60 percent"),
    ("Turn on the light, no wait, turn it off.", "turn it off."),   # a new verb: a new request
    ("Open the garage door, actually, never mind.", "never mind."),
    # a correction said as a later turn, joined after a comma (conversation.py): markers one after another
    ("Turn on the kitchen light, Sorry, I meant the reading lamp.", "Turn on the reading lamp."),
    ("Turn on the kitchen light, No, make that the porch light.", "Turn on the porch light."),
    ("Set the volume to 30 percent, No, 50.", "Set the volume to 50 percent."),
    ("Set the volume to 30%, No,, 50.", "Set the volume to 50%."),   # a unit written on the number; two commas
])
def test_the_correction_replaces_what_it_is_like(text: str, meant: str) -> None:
    assert corrected(text) == meant


@pytest.mark.parametrize("text", [
    "Sorry, what did you say?",          # a marker with nothing before it
    "No, turn it off.",
    "Turn the light off, sorry.",        # nothing after it
    "Turn the lights off, no, not the kitchen.",   # says what is not meant
    "What is the capital of France, I mean Germany?",   # no request: left as said
    "Set a timer for ten minutes.",
])
def test_no_correction_is_read_where_none_can_be_placed(text: str) -> None:
    assert corrected(text) is None


def test_a_turn_that_opens_with_a_correction_is_told_apart() -> None:
    assert opens_with_a_correction("No, the porch light.") and opens_with_a_correction("Sorry, I meant ten minutes.")
    assert not opens_with_a_correction("Now turn it off.") and not opens_with_a_correction("Nobody is home.")
