"""When is a timer's name in doubt, and when is a second reading the same request with a name."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.base import ActionCall, Answer
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers, IntentResponder, heard_name
from firmware_py.respond.command_reread import NAME_MARGIN
from firmware_py.speech.stt import Rereading
from firmware_py.respond.timer_names import (COMMON_TIMER_NAMES, name_in_doubt, name_left_out, names_known, names_to_read,
                                          one_request_named_twice, same_but_name, timer_call)

DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"}]


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    directory = DeviceDirectory(parse_devices(DEVICES))
    return IntentResponder(IntentMatcher("en", directory), IntentAnswers(directory, ()))


def claim(responder: IntentResponder, text: str) -> Answer | None:
    return asyncio.run(responder.match(text, "s1"))


@pytest.mark.parametrize("text", [
    "Start her past her timer for eight minutes.",   # "her": no name holds it
    "Start a piece of timer for twenty seconds.",
    "Set a long re-timer for fifteen minutes.",      # "re": a piece of a word
    "Set on a timer for six minutes.",
    "Set at the time for three minutes.",            # two articles where one goes: "a tea timer"
    "Said Totsie-timer for three minutes.",          # a name seldom given, run into "timer": a tea timer
    "Set her bed-timer for half an hour.",           # a bread timer
    "So set a neck time for six minutes.",           # a name seldom given where "timer" was heard "time": an egg timer
    "Start at longer time or 420 seconds",           # ... in words mended to match: a laundry timer
    "Set a settee timer for three minutes.",         # seed 419: "Set a, set a tea timer", the verb run into the name
    "Set a set a time for three minutes,",           # seed 1097: no name, "timer" heard "time": "tea timer" ran into it
])
def test_a_name_heard_as_other_words_is_in_doubt(responder: IntentResponder, text: str) -> None:
    answer = claim(responder, text)
    assert answer is not None and timer_call(answer) is not None and answer.name_in_doubt


@pytest.mark.parametrize("text", [
    "Set a timer for thirty seconds.",        # no name: the article alone is no name
    "Start a pasta timer for eight minutes.",
    "Set a chocolate cake timer for an hour.",
    "Set a tea-timer for three minutes.",     # a name people give, run into "timer": as heard
    "Set a grandma timer for ten minutes.",   # a name seldom given, written apart: as heard
    "Set a brisket timer for two hours.",     # a name seldom given, in words that matched as written: as heard
    "Start a pasta time for eight minutes.",  # "timer" heard as "time", but a name people give
    "Set a starter timer for ten minutes.",   # a name that begins with another verb than the one said: as heard
    "Cancel the timer.",
    "Turn on the kitchen light.",             # no timer at all
])
def test_a_name_heard_plainly_or_no_name_is_not_in_doubt(responder: IntentResponder, text: str) -> None:
    answer = claim(responder, text)
    assert answer is not None and not answer.name_in_doubt


def test_name_in_doubt_from_the_words() -> None:
    assert name_in_doubt("her past her", "") and name_in_doubt("long re", "long re")
    assert not name_in_doubt("", "") and not name_in_doubt("tea", "tea") and not name_in_doubt("tv", "tv")
    assert name_in_doubt("t", "t")   # a letter alone: "T-timer" for a tea timer


def test_the_same_request_the_name_apart() -> None:
    heard = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480}),))
    named = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480, "label": "pasta"}),))
    longer = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 540, "label": "pasta"}),))
    paused = Answer("intent", actions=(ActionCall("pause_timer", {"label": "pasta"}),))
    two = Answer("intent", actions=(ActionCall("get_time"), ActionCall("set_timer", {"seconds": 480})))
    assert same_but_name(heard, named)
    assert not same_but_name(heard, longer) and not same_but_name(heard, paused) and not same_but_name(heard, None)
    assert timer_call(two) is None, "two actions: not one timer request"


def test_one_timer_request_named_twice_is_told_apart_from_two_requests(responder: IntentResponder) -> None:
    """A question between two names for one request: the first reading, for a running timer's request, or with
    `setting` for a timer to set; never for two requests that differ in more than the name."""
    cancels = [claim(responder, f"Cancel the {name} timer.") for name in ("clocky", "cloaky")]
    sets = [claim(responder, f"Start a {name} timer for five minutes.") for name in ("clocky", "cloaky")]
    assert one_request_named_twice(cancels) is cancels[0] and one_request_named_twice(cancels, setting=True) is None
    assert one_request_named_twice(sets, setting=True) is sets[0] and one_request_named_twice(sets) is None
    assert one_request_named_twice([sets[0], claim(responder, "Start a cloaky timer for six minutes.")], setting=True) is None
    assert one_request_named_twice([cancels[0], None]) is None and one_request_named_twice(cancels[:1]) is None


def test_a_name_may_be_left_out_only_of_a_timer_set_with_none_heard() -> None:
    assert name_left_out(ActionCall("set_timer", {"seconds": 180}), False)
    assert not name_left_out(ActionCall("set_timer", {"seconds": 180}), True), "in doubt: read as such"
    assert not name_left_out(ActionCall("set_timer", {"seconds": 180, "label": "tea"}), False)
    assert not name_left_out(ActionCall("cancel_timer", {}), False), "a running timer's request acts on it anyway"


def test_the_common_names_are_known_once_in_lower_case() -> None:
    names = names_known([*COMMON_TIMER_NAMES, "Tea", " pasta "])
    assert len(names) == len(set(names)) and "tea" in names and "pasta" in names and names == tuple(sorted(names))


def test_which_names_a_timer_request_is_read_among() -> None:
    running = ("rice", "tea")
    to_set = names_to_read(ActionCall("set_timer", {"seconds": 60}), True, ("rice", "gym bag"), False)
    assert set(to_set) == set(COMMON_TIMER_NAMES) | {"gym bag"}, "the common names and the running ones"
    assert set(names_to_read(ActionCall("set_timer", {"seconds": 60}), False, running, False)) == set(COMMON_TIMER_NAMES), \
        "no name heard: a name may have been left out whole"
    assert names_to_read(ActionCall("set_timer", {"seconds": 60, "label": "pizza"}), False, running, False) == ()
    assert names_to_read(ActionCall("cancel_timer", {"label": "lurkey"}), False, running, False) == running
    assert names_to_read(ActionCall("cancel_timer", {"label": "tea"}), False, running, True) == ()
    assert names_to_read(ActionCall("cancel_timer", {}), True, running, True) == running, "dropped, two running"
    assert names_to_read(ActionCall("cancel_timer", {}), True, ("tea",), True) == (), "one running: no name acts on it"


def test_of_two_readings_naming_one_timer_the_name_people_use_is_taken(responder: IntentResponder) -> None:
    """"Start past a timer for eight minutes" beside "Start a pasta timer for eight minutes": no question."""
    from firmware_py.respond.intent_matcher import IntentMatch
    from firmware_py.respond.timer_names import the_named_one

    pasta = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480, "label": "pasta"}),))
    unnamed = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480}),))
    other_name = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480, "label": "entire"}),))
    longer = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 600, "label": "pasta"}),))
    assert the_named_one(unnamed, pasta) == 1 and the_named_one(pasta, other_name) == 0
    assert the_named_one(unnamed, other_name) is None, "neither name is one people use: ask"
    assert the_named_one(unnamed, longer) is None, "they differ by more than the name: ask"
    cancel = Answer("intent", actions=(ActionCall("cancel_timer", {"label": "pasta"}),))
    assert the_named_one(Answer("intent", actions=(ActionCall("cancel_timer", {}),)), cancel) is None
    asked = IntentMatch("ambiguous", {"choices": ["Start past a timer for eight minutes,",
                                                  "Start a pasta timer for eight minutes,"]}, "x", corrected=True)
    text, found = responder._named_choice("Start past a timer for eight minutes,", asked)
    assert text == "Start a pasta timer for eight minutes," and found.slots.get("label") == "pasta"


@pytest.mark.parametrize(("slots", "name"), [
    ({"label": "our pizza"}, "pizza"), ({"label": "your egg"}, "egg"), ({"label": "our T-"}, "T"),
    ({"label": "the hour"}, "hour"),
])
def test_a_possessive_before_a_name_is_no_part_of_it(slots: dict[str, str], name: str) -> None:
    """ "Set our T-timer for 3 minutes." (a tea timer) was a timer called "our T"."""
    assert heard_name(slots) == name


@pytest.mark.parametrize(("running", "asked_still"), [
    (["bread"], False),          # "red" and "bed" both pick the bread timer: do it
    (["bread", "bed"], True),    # "bed" is a timer of its own: which one?
    ([], True),                  # neither picks a running timer: nothing to settle it
])
async def test_two_names_for_the_one_running_timer_are_no_question(responder: IntentResponder, running: list[str],
                                                                   asked_still: bool) -> None:
    """Seed 409: "Add one minute to the bread timer." heard "At one minute to her bedtime," was read "... her red
    timer" or "... her bed timer" and asked between the two, with only the bread timer running."""
    from firmware_py.events import EventBus
    from firmware_py.llm.timers import TimerService, timers_named
    from firmware_py.respond.intent_matcher import IntentMatch

    timers = TimerService(EventBus())
    for label in running:
        timers.start(600, label, "s1")
    asked = IntentMatch("ambiguous", {"choices": ["Add one minute to her red timer,", "Add one minute to her bed timer,"]},
                        "x", corrected=True)
    text, found = responder._one_running_timer(
        "Add one minute to her red timer,", asked,
        lambda label: frozenset(t.timer_id for t in timers_named(timers.list(), label)))
    assert (found.intent == "ambiguous") is asked_still
    if not asked_still:
        assert text == "Add one minute to her red timer," and found.slots.get("minutes") == 1
    timers.close()


@pytest.mark.parametrize(("running", "asked_still"), [
    (["workout"], False),             # the name dropped picks the one running timer, the workout timer
    (["workout", "pasta"], True),     # it picks both: which one?
])
async def test_a_rival_whose_name_was_dropped_picks_every_running_timer(responder: IntentResponder, running: list[str],
                                                                         asked_still: bool) -> None:
    """Seed 691: "Stop the workout timer." read beside "Stop and workout timer." (its name dropped: a plain stop)
    was asked between the two with only the workout timer running."""
    from firmware_py.events import EventBus
    from firmware_py.llm.timers import TimerService, timers_named
    from firmware_py.respond.intent_matcher import IntentMatch

    timers = TimerService(EventBus())
    for label in running:
        timers.start(600, label, "s1")
    asked = IntentMatch("ambiguous", {"choices": ["Stop the workout timer.", "Stop and workout timer."]}, "x", corrected=True)
    text, found = responder._one_running_timer(
        "Stop the workout timer.", asked, lambda label: frozenset(t.timer_id for t in timers_named(timers.list(), label)))
    assert (found.intent == "ambiguous") is asked_still
    timers.close()


async def test_two_names_for_a_timer_being_set_stay_a_question(responder: IntentResponder) -> None:
    from firmware_py.respond.intent_matcher import IntentMatch

    asked = IntentMatch("ambiguous", {"choices": ["Set a red timer for five minutes.", "Set a bed timer for five minutes."]},
                        "x", corrected=True)
    text, found = responder._one_running_timer("Set a red timer for five minutes.", asked, lambda label: frozenset({"1"}))
    assert found.intent == "ambiguous"


class ReadsNames:
    """Reads the audio within the commands as `reading`; within the timer names only with a beam of `finds_at`."""

    def __init__(self, reading: str, named: str, finds_at: int) -> None:
        self.reading, self.named, self.finds_at = reading, named, finds_at
        self.widths: list[int] = []

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int, trusted: float = 0.0,
                    heard_within: bool = False) -> Rereading:
        self.widths.append(width)
        if margin == NAME_MARGIN:   # the names reading; else the reading within the commands
            return Rereading(self.named, -5.0, 0.0, 9) if width >= self.finds_at else Rereading("", float("-inf"), 0.0, 9)
        return Rereading(self.reading, -7.5, 0.0, 9)

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        return ""


def test_a_word_heard_before_time_and_read_as_no_name_puts_the_name_in_doubt(responder: IntentResponder) -> None:
    """Seed 1093: "Set an, set an egg timer for six minutes." heard "Set on set on any time of forsake minutes."
    was read "Set an, set an, timer for six minutes.": a timer of no name, "any" (the egg) never read again."""
    heard = "Set on set on any time of forsake minutes."
    stt = ReadsNames("Set an, set an, timer for six minutes.", "Set a set an egg timer for six minutes.", finds_at=32)

    async def read() -> tuple[tuple[str, Answer] | None, tuple[str, Answer] | None]:
        with ThreadPoolExecutor(1) as executor:
            found = await responder.reread(np.zeros(32000, np.float32), stt, executor, "s1", heard=heard)
            assert found is not None
            named = await responder.reread_name(np.zeros(32000, np.float32), stt, executor, "s1", found[1],
                                                names_known(COMMON_TIMER_NAMES), found[0])
            return found, named

    found, named = asyncio.run(read())
    assert found is not None and found[1].name_in_doubt
    assert named is not None and timer_call(named[1]).arguments == {"seconds": 360, "label": "egg"}
    assert stt.widths[-2:] == [16, 32], "read once more, wider, when the first found no name near enough"
