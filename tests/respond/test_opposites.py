"""Which commands turn on one sound, what counts as doing otherwise, and how a question puts them back."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.base import ActionCall
from firmware_py.respond.intents import OPPOSITE_WIDER, OPPOSITE_WIDTH, create_intent_responder
from firmware_py.respond.opposites import (UNMENDED_MARGIN, does_otherwise, family_of, heard_otherwise, removal_unheard,
                                          resumed_instead, said_plainly, teen_or_ten_length)
from firmware_py.speech.stt import Rereading

ON = (ActionCall("turn_on", {"device": "kitchen light"}),)
OFF = (ActionCall("turn_off", {"device": "kitchen light"}),)
PORCH_ON = (ActionCall("turn_on", {"device": "porch light"}),)
MUTE, UNMUTE = (ActionCall("set_mute", {"muted": True}),), (ActionCall("set_mute", {"muted": False}),)
CANCEL, RESUME = (ActionCall("cancel_timer", {}),), (ActionCall("resume_timer", {}),)
CANCEL_TEA = (ActionCall("cancel_timer", {"label": "tea"}),)


@pytest.mark.parametrize(("heard", "read", "otherwise"), [
    (ON, OFF, True), (MUTE, UNMUTE, True), (CANCEL, RESUME, True),
    (ON, ON, False),
    (ON, PORCH_ON, False),        # another device: no matter of one sound's meaning
    (CANCEL, CANCEL_TEA, False),  # another timer
    (OFF, PORCH_ON, False),       # another device and deed: not the same thing done otherwise
    ((), OFF, False),
])
def test_doing_otherwise_is_another_deed_to_the_same_things(heard: tuple[ActionCall, ...], read: tuple[ActionCall, ...],
                                                           otherwise: bool) -> None:
    assert does_otherwise(heard, read) is otherwise


def test_families_hold_the_one_sound_commands_and_no_others() -> None:
    assert family_of(ON) is family_of(OFF) is not None
    assert family_of(MUTE) is not None and family_of(CANCEL) is family_of(RESUME) is not None
    assert family_of((ActionCall("set_timer", {"seconds": 60}),)) is None
    assert family_of((ActionCall("get_time", {}),)) is None
    assert family_of(ON + (ActionCall("set_volume", {"volume_percent": 20}),)) is None, "every action must be of it"
    assert family_of(()) is None


ACTIONS = {"can you turn on the kitchen light?": ON, "can you turn off the kitchen light?": OFF,
           "could you turn off the kitchen light?": OFF, "turn on the porch light.": PORCH_ON}


def actions_of(text: str) -> tuple[ActionCall, ...] | None:
    return ACTIONS.get(text.lower())


def test_the_reading_of_the_other_deed_is_found_among_the_near_ones() -> None:
    reading = Rereading("Can you turn off the kitchen light?", -3.0, -3.0, 7,
                        rivals=(("Could you turn off the kitchen light?", -3.1), ("Can you turn on the kitchen light?", -3.5)))
    assert heard_otherwise(OFF, "Can you turn off the kitchen light?", reading, actions_of) == (
        "Can you turn off the kitchen light?", "Can you turn on the kitchen light?")


def test_without_a_reading_of_the_heard_deed_the_words_heard_stand_for_it() -> None:
    reading = Rereading("Can you turn on the kitchen light?", -3.0, -3.0, 7)
    assert heard_otherwise(OFF, "Can you turn off the kitchen life?", reading, actions_of) == (
        "Can you turn off the kitchen life?", "Can you turn on the kitchen light?")


def test_another_deed_read_beyond_the_margin_is_no_question() -> None:
    far = Rereading("Can you turn on the kitchen light?", -17.3, -3.0, 7)
    assert heard_otherwise(OFF, "Can you turn off the kitchen light then", far, actions_of, UNMENDED_MARGIN) is None
    assert heard_otherwise(OFF, "Can you turn off the kitchen light then", far, actions_of) is not None
    near = Rereading("Can you turn on the kitchen light?", -6.9, -3.0, 7)
    assert heard_otherwise(OFF, "Can you turn off the kitchen light then", near, actions_of, UNMENDED_MARGIN) is not None


class ReadsOnlyTheOtherDeed:
    """A recogniser whose family reading holds only the other deed, `below` nats under what it wrote."""

    def __init__(self, text: str, below: float) -> None:
        self.text, self.below = text, below

    def read_within(self, audio: np.ndarray, grammar: object, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading:
        return Rereading(self.text, -3.0 - self.below, -3.0, 5)


@pytest.mark.parametrize(("below", "asked"), [(14.3, False), (3.9, True)])
async def test_words_heard_as_written_outweigh_another_deed_read_far_below_them(below: float, asked: bool) -> None:
    """ "Turn off the bedroom fan." heard "Turn off the bedroom then" (seed 811) turned the bedroom's fan off as
    written; the family holds no sentence with "then", and its only reading, "Turn the bedroom on.", lay 14.3 nats
    below what was written: the device asked "on or off?" of a request that said off."""
    directory = DeviceDirectory(parse_devices([{"name": "bedroom fan", "area": "bedroom", "kind": "fan",
                                                "command_topic": "home/fan"}]))
    intents = create_intent_responder("en", directory, ())
    heard = "Turn off the bedroom then"
    answer = await intents.match(heard, "test")
    assert answer is not None and answer.actions == (ActionCall("turn_off", {"device": "bedroom fan"}),)
    with ThreadPoolExecutor(1) as executor:
        found = await intents.read_opposite(np.zeros(16000, np.float32), ReadsOnlyTheOtherDeed("Turn the bedroom on.", below),
                                            executor, "test", heard, answer)
    assert (found is not None) is asked


@pytest.mark.parametrize("reading", [
    Rereading("Can you turn off the kitchen light?", -3.0, -3.0, 7),
    Rereading("Can you turn off the kitchen light?", -3.0, -3.0, 7, rivals=(("Turn on the porch light.", -3.4),)),
    Rereading("Sounds like nothing.", -3.0, -3.0, 3),
    Rereading("", float("-inf"), -3.0, 7),
])
def test_no_reading_of_the_other_deed_is_no_question(reading: Rereading) -> None:
    assert heard_otherwise(OFF, "Can you turn off the kitchen light?", reading, actions_of) is None


@pytest.mark.parametrize(("text", "plain"), [
    ("Can you turn off the kitchen light?", "Turn off the kitchen light"),
    ("Please, could you turn on the fan, please.", "Turn on the fan"),
    ("Um, mute,", "Mute"),
    ("I mute the speaker", "Mute the speaker"),    # what is left of an "un" is no word of the request
    ("Turn the porch light off.", "Turn the porch light off"),
    ("Please.", "Please"),
])
def test_a_question_puts_the_request_plainly(text: str, plain: str) -> None:
    assert said_plainly(text) == plain


FIFTY_MINUTES = (ActionCall("set_timer", {"seconds": 3000}),)


@pytest.mark.parametrize(("actions", "heard", "name"), [
    (FIFTY_MINUTES, "Set a timer for 50 minutes.", ""),
    ((ActionCall("set_timer", {"seconds": 900, "label": "tea"}),), "Set a tea timer for fifteen minutes.", "tea"),
    ((ActionCall("add_timer_time", {"seconds": 30}),), "Add thirty-seconds to the timer.", ""),
    ((ActionCall("set_timer", {"seconds": 1200}),), "Set a timer for twenty minutes.", None),   # no twin
    ((ActionCall("set_timer", {"seconds": 5400}),), "Set a timer for 90 minutes.", ""),
    ((ActionCall("cancel_timer", {}),), "Cancel the fifteen minute timer.", None),            # no length set
    ((ActionCall("set_volume", {"volume_percent": 50}),), "Set the volume to fifty.", None),
])
def test_a_timers_length_with_fifteen_or_fifty_is_read_again(actions: tuple[ActionCall, ...], heard: str,
                                                             name: str | None) -> None:
    assert teen_or_ten_length(actions, heard) == name


async def test_a_reading_that_lost_the_minutes_is_no_fifteen_heard_as_fifty() -> None:
    """ "Can you set a timer for an hour and 15 minutes?" read within the timer sentences as "... for an hour"
    (the reading stopped short): another length, but no number one sound from another, so nothing is asked."""
    intents = create_intent_responder("en", DeviceDirectory(parse_devices([])), ())
    heard = "Can you set a timer for an hour and 15 minutes?"
    claim = await intents.match(heard, "s")
    assert claim is not None and claim.actions == (ActionCall("set_timer", {"seconds": 4500}),)

    class StopsShort:
        def read_within(self, audio: np.ndarray, grammar: object, margin: float, width: int,
                        trusted: float = 0.0, heard_within: bool = False) -> Rereading:
            return Rereading("Can you set a timer for an hour", -3.0, -4.0, 8,
                             (("Can you set a timer for an hour and fifty minutes?", -3.5),))

    with ThreadPoolExecutor(1) as executor:
        asked = await intents.read_opposite(np.zeros(16000, np.float32), StopsShort(), executor, "s", heard, claim)
    assert asked is not None and "fifty" in asked[1].text, "a rival that says fifty is still asked about"

    class OnlyShort(StopsShort):
        def read_within(self, *args: object, **kwargs: object) -> Rereading:
            return Rereading("Can you set a timer for an hour", -3.0, -4.0, 8)

    with ThreadPoolExecutor(1) as executor:
        assert await intents.read_opposite(np.zeros(16000, np.float32), OnlyShort(), executor, "s", heard, claim) is None


async def test_fourteen_may_be_for_ten_run_together() -> None:
    """ "Set a timer for ten minutes." heard "Set a time of fourteen minutes." (seed 337) and read within the
    timer sentences as "... for ten minutes": "ten" is no teen or ten's twin, but it is "for ten" run into
    "fourteen", so the two are asked about."""
    intents = create_intent_responder("en", DeviceDirectory(parse_devices([])), ())
    heard = "Set a time of fourteen minutes."
    claim = await intents.match(heard, "s")
    assert claim is not None and claim.actions == (ActionCall("set_timer", {"seconds": 840}),)

    class ReadsTen:
        def read_within(self, audio: np.ndarray, grammar: object, margin: float, width: int,
                        trusted: float = 0.0, heard_within: bool = False) -> Rereading:
            return Rereading("Set a timer for ten minutes.", -3.0, -4.0, 8)

    with ThreadPoolExecutor(1) as executor:
        asked = await intents.read_opposite(np.zeros(16000, np.float32), ReadsTen(), executor, "s", heard, claim)
    assert asked is not None and "ten minutes" in asked[1].text and not asked[1].actions


def test_another_length_for_the_same_timer_is_doing_otherwise() -> None:
    fifteen = (ActionCall("set_timer", {"seconds": 900}),)
    assert does_otherwise(FIFTY_MINUTES, fifteen)
    assert not does_otherwise(FIFTY_MINUTES, (ActionCall("set_timer", {"seconds": 900, "label": "tea"}),))


class NarrowBeamLosesIt:
    """A recogniser whose narrow beam finds no sentence of the family and whose wider one does."""

    def __init__(self) -> None:
        self.widths: list[int] = []

    def read_within(self, audio: np.ndarray, grammar: object, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading:
        self.widths.append(width)
        if width < 8:
            return Rereading("", float("-inf"), -4.0, 4)
        return Rereading("Resume the timer,", -12.9, -4.0, 4)


async def test_a_narrow_beam_that_finds_nothing_is_read_once_wider() -> None:
    """"As in the timer," (a clipped "Resume the timer.") was claimed as a pause; at a beam of 4 likelier starts
    that led nowhere filled it and nothing was read, so the paused timer was paused again."""
    intents = create_intent_responder("en", DeviceDirectory(parse_devices([])), ())
    heard = "As in the timer,"
    answer = await intents.match(heard, "test")
    assert answer is not None and [call.name for call in answer.actions] == ["pause_timer"]
    stt = NarrowBeamLosesIt()
    with ThreadPoolExecutor(1) as executor:
        found = await intents.read_opposite(np.zeros(16000, np.float32), stt, executor, "test", heard, answer)
    assert stt.widths == [OPPOSITE_WIDTH, OPPOSITE_WIDER]
    assert found is not None
    assert found[1].text == 'Sorry, did you say "Pause in the timer" or "Resume the timer"?'


@pytest.mark.parametrize(("heard", "actions", "resumed"), [
    ("Remove the timer.", (ActionCall("cancel_timer", {}),), "Resume the timer."),
    ("Removed the pasta timer.", (ActionCall("cancel_timer", {"label": "pasta"}),), "Resume the pasta timer."),
    ("Cancel the timer.", (ActionCall("cancel_timer", {}),), None),            # "cancel" is no "resume"
    ("Remove all the timers.", (ActionCall("cancel_timer", {"all": True}),), None),
    ("Remove the timer.", (ActionCall("pause_timer", {}),), None),
])
def test_remove_may_be_resume(heard: str, actions: tuple[ActionCall, ...], resumed: str | None) -> None:
    assert resumed_instead(heard, actions) == resumed


async def test_remove_is_asked_about_only_while_the_timer_is_paused() -> None:
    """Seeds 353 and 359: espeak's fast "Resume the timer." heard, and read within its family, as "Remove the
    timer.", cancelled the paused timer. While it is paused, resuming it is as likely: asked."""
    intents = create_intent_responder("en", DeviceDirectory(parse_devices([])), ())
    claim = await intents.match("Remove the timer.", "s")
    assert claim is not None and claim.actions == (ActionCall("cancel_timer", {}),)
    asked = intents.resume_asked("Remove the timer.", claim, lambda label: True)
    assert asked is not None and not asked.actions and "resume the timer" in asked.text.lower()
    assert intents.resume_asked("Remove the timer.", claim, lambda label: False) is None


def test_a_removal_read_where_a_resume_or_pause_was_heard_is_no_question() -> None:
    pause = (ActionCall("pause_timer", {}),)
    assert removal_unheard(RESUME, CANCEL) and removal_unheard(pause, CANCEL)
    assert not removal_unheard(CANCEL, RESUME), "a removal heard is still asked about"
    assert not removal_unheard(RESUME, pause) and not removal_unheard(RESUME, ())
