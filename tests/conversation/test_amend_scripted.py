"""A command that ran at once, whose amount came a moment later ("Turn the volume down. | By twenty percent."):
both pieces are read as one and the command is corrected, neither run twice nor left half done. Scripted
recogniser, real listener, conversation, intents and tools."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.conversation import Conversation
from firmware_py.events import FunctionCallInProgress
from firmware_py.listening import TurnTiming
from firmware_py.respond.amend import amendment, can_be_amended, only_finished, rest_of
from firmware_py.respond.base import ActionCall, Answer
from firmware_py.respond.unfinished import LastTurn, may_amend, only_finishes_asking
from firmware_py.speech.stt import Rereading

from .scripted import ScriptedLlm, recorded_conversation, settle
from .test_continuation_scripted import SttByLength, answers, settings, two_pieces, user_messages, world  # noqa: F401 (the fixture)


def calls(events: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.function_name, e.arguments) for e in events if isinstance(e, FunctionCallInProgress)]


async def test_an_amount_said_at_once_corrects_the_step_that_ran(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn the volume down.", "By twenty percent.", "Turn the volume down by twenty percent."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    # -10 ran at once; "down by twenty" needs -10 more, not -20 more
    assert calls(events) == [("change_volume", {"delta": -10}), ("change_volume", {"delta": -10})]
    assert said[-1].responder == "intent" and "30 percent" in said[-1].text, said
    assert user_messages(conversation) == ["Turn the volume down by twenty percent."]


async def test_an_amount_corrects_the_step_when_the_decode_of_both_mishears_it(world: Any) -> None:
    """The decode of both pieces wrote "count" for "down": the pieces' own words still read as one command."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn the volume down.", "By twenty per cent.", "Turn the volume count by twenty percent."
    await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("change_volume", {"delta": -10}), ("change_volume", {"delta": -10})]


async def test_a_setting_is_set_again_to_the_amount_that_followed(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Set the volume to fifty.", "Five percent.", "Set the volume to fifty five percent."
    await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("set_volume", {"percent": 50}), ("set_volume", {"percent": 55})]


async def test_the_end_of_a_setting_that_ran_is_no_request_of_its_own(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Set the volume to fifty.", "Percent.", "Set the volume to fifty percent."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("set_volume", {"percent": 50}), ("set_volume", {"percent": 50})]
    assert [a.responder for a in said] == ["intent", "intent"]   # "Percent." never went to the LLM
    assert user_messages(conversation) == ["Set the volume to fifty percent."]


async def test_words_that_are_not_its_amount_are_a_request_of_their_own(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn the volume down.", "Tell me a joke.", "Turn the volume down. Tell me a joke."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("change_volume", {"delta": -10})]
    assert [a.responder for a in said] == ["intent", "llm"]


async def test_an_amount_said_later_is_not_taken_for_the_last_commands(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn the volume down.", "By twenty percent.", "Turn the volume down by twenty percent."
    await two_pieces(conversation, events, gap_secs=3.0)
    assert calls(events) == [("change_volume", {"delta": -10})]


async def test_another_devices_name_said_after_a_device_command_is_that_command_too(world: Any) -> None:
    """ "Turn off the kitchen light. | And the porch light.": the kitchen light went off at once; the rest
    names another device for the same, so the porch light goes off too (never the kitchen light twice)."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = ("Turn off the kitchen light.", "And the porch light.",
                                        "Turn off the kitchen light and the porch light.")
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("turn_off", {"device": "kitchen light"}), ("turn_off", {"device": "porch light"})]
    assert [a.responder for a in said] == ["intent", "intent"], said


async def test_them_after_a_rest_that_named_another_device_is_both(world: Any) -> None:
    """ "Turn off the kitchen light. | And the porch light." then "Turn them on.": both devices, not only the one
    the rest named (a spoken follow-up turned on the living room lamp alone)."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = ("Turn off the kitchen light.", "And the porch light.",
                                        "Turn off the kitchen light and the porch light.")
    await two_pieces(conversation, events, gap_secs=0.0)
    await conversation.on_user_turn("Turn them on.", TurnTiming(voiced_secs=0.8))
    await settle(lambda: len(calls(events)) >= 4)
    assert calls(events)[2:] == [("turn_on", {"device": "kitchen light"}), ("turn_on", {"device": "porch light"})]


async def test_a_rest_that_corrects_the_device_switches_the_other_back(world: Any) -> None:
    """ "Turn on the kitchen light. | No, the porch light.": the kitchen light went on at once; the rest says
    which light was meant (the LLM answered it: "The name of the person who helped me.")."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = ("Turn on the kitchen light.", "No, the porch light.",
                                        "Turn on the kitchen light. No, the porch light.")
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("turn_on", {"device": "kitchen light"}), ("turn_off", {"device": "kitchen light"}),
                             ("turn_on", {"device": "porch light"})]
    assert [a.responder for a in said] == ["intent", "intent"], said


async def test_a_rest_that_corrects_a_timers_length_sets_it_to_that(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = ("Set a timer for five minutes.", "No, ten.", "Set a timer for five minutes. No, ten.")
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert [round(t.seconds) for t in conversation._engines.tools.timers.list()] == [600]
    assert said[-1].text == "A timer is set for 10 minutes."


async def test_a_rest_that_only_finishes_a_device_command_does_and_says_nothing_more(world: Any) -> None:
    """ "Turn on the kitchen light, | please." (seed 523: the lamp turned on twice and said so twice, the second
    time 2.7 s later): the light went on at once and was confirmed; the rest adds nothing."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn on the kitchen light,", "Please.", "Turn on the kitchen light, please."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("turn_on", {"device": "kitchen light"})]
    assert [a.responder for a in said] == ["intent"], said   # one answer, never the LLM's


async def test_a_confirmation_cut_short_by_the_rest_is_said_again_whole(world: Any) -> None:
    """ "Turn on the kitchen light, | please." while the confirmation still plays: the "please" cut it short
    ("The kitchen..."), so it is said again whole; the light is not turned on twice."""
    conversation, events, llm, stt = world
    conversation._engines.tts.synthesize = lambda text: np.full(3 * SAMPLE_RATE, 3, np.int16)   # 3 s a sentence
    stt.first, stt.second, stt.whole = "Turn on the kitchen light,", "Please.", "Turn on the kitchen light, please."
    await two_pieces(conversation, events, gap_secs=0.0)
    await settle(lambda: len(answers(events)) >= 2, timeout=10)
    assert calls(events) == [("turn_on", {"device": "kitchen light"})]
    said = answers(events)
    assert [(a.responder, a.text) for a in said] == [("intent", "The kitchen light is on.")] * 2, said


def test_what_may_be_amended_and_how() -> None:
    down = Answer("intent", actions=(ActionCall("change_volume", {"delta": -10}),))
    twenty = Answer("intent", actions=(ActionCall("change_volume", {"delta": -20}),))
    lamp = Answer("intent", actions=(ActionCall("set_brightness", {"device": "lamp", "percent": 50}),))
    other_lamp = Answer("intent", actions=(ActionCall("set_brightness", {"device": "porch", "percent": 10}),))
    timer = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 60}),))
    assert amendment(down, twenty) == (ActionCall("change_volume", {"delta": -10}),)
    assert amendment(down, down) == ()
    to_thirty = Answer("intent", actions=(ActionCall("set_volume", {"percent": 30}),))
    assert amendment(down, to_thirty) == to_thirty.actions   # "Turn the volume down. | To thirty percent."
    assert amendment(lamp, other_lamp) is None and amendment(down, lamp) is None
    clock = Answer("intent", actions=(ActionCall("get_time", {}),))
    assert can_be_amended(down) and can_be_amended(lamp) and can_be_amended(timer)
    assert not can_be_amended(clock) and not can_be_amended(None)
    last = LastTurn("Turn the volume down.", 100.0, acted=True, answer=down)
    assert may_amend(last, 101.5) and not may_amend(last, 103.0)
    assert not may_amend(LastTurn("x", 100.0, acted=True, answer=clock), 100.5)


def test_how_a_timer_just_set_is_amended() -> None:
    minute = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 60}),))
    and_a_half = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 90}),))
    named = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 60, "label": "tea"}),))
    pasta = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 60, "label": "pasta"}),))
    assert amendment(minute, and_a_half) == (ActionCall("amend_timer", {"add_seconds": 30}),)
    assert amendment(minute, named) == (ActionCall("amend_timer", {"label": "tea"}),)
    assert amendment(minute, minute) == (), "said again: nothing to do, never a second timer"
    assert amendment(named, pasta) is None, "another timer's name: a request of its own"
    assert amendment(minute, Answer("intent", actions=(ActionCall("get_time", {}),))) is None
    assert rest_of(minute, minute) == (ActionCall("amend_timer", {}),), "the timer confirmed as set, not set twice"
    assert rest_of(minute, named) == (ActionCall("amend_timer", {"label": "tea"}),)
    assert rest_of(named, pasta) is None


def test_how_an_alarm_just_set_is_amended() -> None:
    five = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 5, "minute": 0, "command": "wake me up"}),))
    five_45 = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 5, "minute": 45, "command": "wake me up"}),))
    remind = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 5, "minute": 45, "command": "remind me to call"}),))
    assert can_be_amended(five)
    assert amendment(five, five_45) == (ActionCall("set_alarm", {"hour": 5, "minute": 45, "command": "wake me up",
                                                                 "move": True}),)
    assert amendment(five, five) == () and only_finished(five, five), "said again: done, and said, once"
    assert not only_finished(five, five_45)
    assert amendment(five, remind) is None, "another thing to be done then: a request of its own"


async def test_the_rest_of_an_alarms_time_moves_the_alarm_just_set(world: Any) -> None:
    """ "Please wake me up at five. | Forty-five." (seed 509 set 5:00): one alarm, at 5:45, never two."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Please wake me up at five.", "Forty-five.", "Please wake me up at five forty-five."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert [name for name, _ in calls(events)] == ["set_alarm", "set_alarm"]
    assert calls(events)[-1][1].get("move") is True
    alarms = conversation._engines.tools.timers.list()
    assert len(alarms) == 1 and alarms[0].label.startswith("5:45"), [t.label for t in alarms]
    assert said[-1].responder == "intent" and "5:45" in said[-1].text, said


async def test_a_rest_that_only_finishes_a_timer_request_never_sets_a_second_timer(world: Any) -> None:
    """ "Timer for twenty seconds. | Please." (seed 191): both pieces read as the same timer; it is confirmed,
    not set again by reading the joined pieces as a request of their own."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Timer for twenty seconds.", "Please.", "Timer for twenty seconds, please."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("set_timer", {"seconds": 20}), ("amend_timer", {})]
    assert [t.seconds for t in conversation._engines.tools.timers.list()] == [20]
    assert said[-1].responder == "intent" and said[-1].text == "A timer is set for 20 seconds."


async def test_the_rest_of_a_timer_request_lengthens_the_timer_just_set(world: Any) -> None:
    """"Timer for one minute. | And thirty seconds, please.": one timer of 90 s, never a second one."""
    conversation, events, llm, stt = world
    stt.first, stt.second = "Timer for one minute.", "And thirty seconds, please."
    stt.whole = "Timer for one minute and thirty seconds, please."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("set_timer", {"seconds": 60}), ("amend_timer", {"add_seconds": 30})]
    timers = conversation._engines.tools.timers.list()
    assert [(t.label, t.seconds) for t in timers] == [("", 90)]
    assert said[-1].responder == "intent" and said[-1].text == "A timer is set for 1 minute 30 seconds."
    assert user_messages(conversation) == ["Timer for one minute and thirty seconds, please."]


async def test_the_rest_of_a_timer_request_names_the_timer_just_set(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Timer for five minutes.", "For the workout.", "Timer for five minutes for the workout."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events)[-1] == ("amend_timer", {"label": "workout"})
    assert [(t.label, t.seconds) for t in conversation._engines.tools.timers.list()] == [("workout", 300)]
    assert said[-1].text == "The workout timer is set for 5 minutes."
    assert [a.responder for a in said] == ["intent", "intent"], "no LLM answer"


@dataclass
class RereadingSttByLength(SttByLength):
    """As SttByLength, and the audio of both pieces read again within the commands as `reading`."""

    reading: str = ""
    reread: list[float] = field(default_factory=list)

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        loud = np.count_nonzero(np.abs(audio) > 0.01) / SAMPLE_RATE
        self.reread.append(loud)
        return Rereading(self.reading, score=-9.0, heard_score=-4.0) if self.reading and loud > 1.3 else None


@pytest.fixture
async def rereading_world() -> AsyncIterator[tuple[Conversation, list[Any], ScriptedLlm, RereadingSttByLength]]:
    llm, stt = ScriptedLlm("A scripted answer."), RereadingSttByLength()
    base = settings()
    async with recorded_conversation(replace(base, intents=replace(base.intents, reread=True)), stt, llm) as (conversation, events):
        yield conversation, events, llm, stt


async def test_the_rest_of_a_timer_request_read_again_names_the_timer_just_set(rereading_world: Any) -> None:
    """"Time for twenty seconds. | They're the rice.": the rest was heard as no words of a timer's, and both
    pieces read again within the commands ask for the same timer with a name. It is named, not set twice."""
    conversation, events, llm, stt = rereading_world
    stt.first, stt.second, stt.whole = "Time for twenty seconds.", "They're the rice.", "Time for twenty seconds. They're the rice."
    stt.reading = "Timer for twenty seconds for the rice,"
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events) == [("set_timer", {"seconds": 20}), ("amend_timer", {"label": "rice"})]
    assert [(t.label, t.seconds) for t in conversation._engines.tools.timers.list()] == [("rice", 20)]
    assert stt.reread and stt.reread[-1] > 1.3, "both pieces were read again"
    assert said[-1].text == "The rice timer is set for 20 seconds."
    assert [a.responder for a in said] == ["intent", "intent"], "no LLM answer"



@pytest.mark.parametrize("whole", ["What time is it?", "What time is that?"])
async def test_what_time_cut_by_a_pause_is_told_not_the_llms(world: Any, whole: str) -> None:
    """ "What time | is it?" (seed 761): "What time?" alone went to the LLM, and so did the two pieces heard as
    one, "What time is that?". "What time?" asks the time, and the rest leaves the request as it was."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "What time?", "Is that,", whole
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert calls(events)[:1] == [("get_time", {})] and {a.responder for a in said} == {"intent"}, said


def test_what_only_finishes_asking() -> None:
    assert only_finishes_asking("Is it?") and only_finishes_asking("Is that,") and only_finishes_asking("Please.")
    assert not only_finishes_asking("Does the shop open?") and not only_finishes_asking("Today?")
    assert not only_finishes_asking("") and not only_finishes_asking("In the kitchen.")
