"""Words that go on from the last turn sooner than its answer could have been heard are its rest ("Which day
of the | month is it?" cut at the pause and heard as "Which name?" then "Munches it."): the answer is taken
back and both pieces are decoded and asked as one. Scripted recogniser (it answers by how much speech it
was given), real listener, conversation and intents."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.config import Settings
from firmware_py.conversation import Conversation
from firmware_py.events import BotAnswered, BotOutput, DeviceCommand
from firmware_py.llm.context import Context
from firmware_py.respond.base import ActionCall, Answer
from firmware_py.respond.unfinished import LastTurn, goes_on_from, hold_secs, reads_better, spliced

from .scripted import ScriptedLlm, ScriptedStt, feed, recorded_conversation, settle, tone, zeros

DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
           {"name": "porch light", "area": "porch", "kind": "switch", "command_topic": "home/porch/switch/set"}]


@dataclass
class SttByLength(ScriptedStt):
    """The first piece (1 s of speech), the second (0.6 s), or both decoded as one (longer)."""

    first: str = "Which name?"
    second: str = "Munches it."
    whole: str = "Which day of the month is it?"

    def transcribe(self, audio: np.ndarray) -> str:
        self.heard.append(audio)
        loud = np.count_nonzero(np.abs(audio) > 0.01) / SAMPLE_RATE
        return self.second if loud < 0.8 else self.first if loud < 1.3 else self.whole


def settings() -> Settings:
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False), mqtt=replace(base.mqtt, enabled=True),
                   devices=DEVICES, intents=replace(base.intents, reread=False))


@pytest.fixture
async def world() -> AsyncIterator[tuple[Conversation, list[Any], ScriptedLlm, SttByLength]]:
    llm, stt = ScriptedLlm("The name of the person who helped me.", later="Munching is eating noisily."), SttByLength()
    async with recorded_conversation(settings(), stt, llm) as (conversation, events):
        yield conversation, events, llm, stt


def answers(events: list[Any]) -> list[BotAnswered]:
    return [e for e in events if isinstance(e, BotAnswered)]


async def two_pieces(conversation: Conversation, events: list[Any], gap_secs: float) -> list[BotAnswered]:
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(0.5), pace=0.01)
    await settle(lambda: len(answers(events)) >= 1 or conversation.listener.in_turn)
    await asyncio.sleep(gap_secs)
    await feed(conversation.listener, tone(0.6) + zeros(1.2), pace=0.01)
    await settle(lambda: len(answers(events)) >= 2 or (answers(events) and answers(events)[-1].responder == "intent"))
    await asyncio.sleep(0.2)
    return answers(events)


async def held_then_its_rest(conversation: Conversation, events: list[Any]) -> None:
    """A first piece that reads cut off (held for its rest), then the rest, and the answer to both."""
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(0.5), pace=0.01)
    await settle(lambda: conversation._held is not None)
    await feed(conversation.listener, tone(0.6) + zeros(1.2), pace=0.01)
    await settle(lambda: bool(answers(events)))
    await asyncio.sleep(0.2)


def user_messages(conversation: Conversation) -> list[str]:
    return [m["content"] for m in conversation.context.messages() if m["role"] == "user"]


async def test_words_that_go_on_at_once_are_the_rest_of_the_last_request(world: Any) -> None:
    conversation, events, llm, _ = world
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert said[-1].responder == "intent", said   # "Which day of the month is it?": the date, no LLM pass
    assert user_messages(conversation) == ["Which day of the month is it?"], "the first piece was taken back"
    assert conversation.last_transcript == "Which day of the month is it?"


async def test_words_well_after_the_answer_are_a_turn_of_their_own(world: Any) -> None:
    conversation, events, llm, _ = world   # (together the pieces would read as a command)
    said = await two_pieces(conversation, events, gap_secs=2.2)
    assert [a.responder for a in said] == ["llm", "llm"]
    assert user_messages(conversation) == ["Which name?", "Munches it."]


async def test_words_after_the_answer_are_its_rest_only_if_both_read_as_a_command(world: Any) -> None:
    """"Cancelled her. | Past her timer.": the answer to the first piece was already playing, but together the
    pieces are a command neither was alone."""
    conversation, events, llm, stt = world
    said = await two_pieces(conversation, events, gap_secs=0.8)
    assert said[-1].responder == "intent", said
    assert user_messages(conversation) == ["Which day of the month is it?"]


async def test_words_after_the_answer_that_make_no_command_with_it_are_a_turn_of_their_own(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.whole = "Which name munches it?"
    said = await two_pieces(conversation, events, gap_secs=0.8)
    assert [a.responder for a in said] == ["llm", "llm"]
    assert user_messages(conversation) == ["Which name?", "Munches it."]


async def test_a_reply_after_the_time_was_heard_does_not_ask_it_again(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "What time is it?", "Oh, right.", "What time is it? Oh, right."
    said = await two_pieces(conversation, events, gap_secs=0.8)
    assert len(said) == 2 and said[0].text.startswith("It is") and not said[1].text.startswith("It is"), said
    assert user_messages(conversation) == ["What time is it?", "Oh, right."]


async def test_a_command_of_its_own_is_not_joined_to_the_last_request(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.second = "Turn on the kitchen light."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert said[-1].responder == "intent" and said[-1].text == "The kitchen light is on."
    assert [e.command for e in events if isinstance(e, DeviceCommand)] == ['{"state": "ON"}']
    assert user_messages(conversation)[-1] == "Turn on the kitchen light."


async def test_words_after_a_command_that_ran_are_not_joined_to_it(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.first, stt.second = "Turn on the kitchen light.", "Tell me a joke."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert [a.responder for a in said] == ["intent", "llm"]
    assert user_messages(conversation) == ["Turn on the kitchen light.", "Tell me a joke."]


async def test_words_that_go_on_from_an_answer_that_only_told_are_its_rest(world: Any) -> None:
    """"What timers | are running?" heard as "What time?" (answered: the time) and "I rang.": the time told
    nothing that stands, so both pieces are one request."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "What time is it?", "I rang.", "What timers are running?"
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert said[-1].responder == "intent" and "timer" in said[-1].text.lower(), said
    assert user_messages(conversation) == ["What timers are running?"], "the time was taken back"


async def test_words_that_go_on_from_a_refused_name_are_its_rest(world: Any) -> None:
    """The first piece refused for a name no device has ("chicken heater"), the rest said at once: the refusal
    changed nothing, so both pieces decoded as one are the request."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn off the chicken heater.", "Light.", "Turn off the kitchen light."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert said[-1].responder == "intent" and said[-1].text == "The kitchen light is off.", said
    assert [e.command for e in events if isinstance(e, DeviceCommand)] == ['{"state": "OFF"}']
    assert user_messages(conversation) == ["Turn off the kitchen light."]


async def test_words_that_go_on_from_a_stop_are_its_rest(world: Any) -> None:
    """"Pause the | timer." heard as "Paul's." (a stop: nothing was playing) and "Timer,": the stop changed
    nothing the user's speech had not already, so both pieces are one request; the decode of both ("Pause her
    time,") makes none, the pieces' own words do."""
    conversation, events, llm, stt = world
    timers = conversation._engines.tools.timers
    timers.start(180, "", conversation.session_id)
    stt.first, stt.second, stt.whole = "Paul's.", "Timer,", "Pause her time,"
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(0.5), pace=0.01)
    await feed(conversation.listener, tone(0.6) + zeros(1.2), pace=0.01)
    await settle(lambda: bool(answers(events)))
    assert answers(events)[-1].responder == "intent" and "paused" in answers(events)[-1].text.lower(), answers(events)
    assert [timer.paused for timer in timers.list()] == [True]


async def test_remove_said_while_the_timer_is_paused_is_asked_about(world: Any) -> None:
    """Seeds 353 and 359: "Resume the timer." heard "Remove the timer." cancelled the paused timer. While it is
    paused, the two are as likely: the device asks, and the timer stays."""
    conversation, events, llm, stt = world
    timers = conversation._engines.tools.timers
    timers.pause(timers.start(180, "", conversation.session_id).timer_id)
    stt.first = stt.second = stt.whole = "Remove the timer."
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(1.5), pace=0.01)
    await settle(lambda: bool(answers(events)))
    assert "resume the timer" in answers(events)[-1].text.lower(), answers(events)
    assert [timer.paused for timer in timers.list()] == [True]


async def test_a_rest_refused_on_its_own_is_still_the_rest(world: Any) -> None:
    """"Back on." alone reads as a device called back: refused, it is no command of its own, so it is still
    the rest of the request before it."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Switch on the sound heater.", "Back on.", "Turn the sound back on."
    said = await two_pieces(conversation, events, gap_secs=0.0)
    assert said[-1].responder == "intent" and "device" not in said[-1].text, said
    assert user_messages(conversation) == ["Turn the sound back on."]


async def test_a_timers_name_heard_in_the_first_piece_is_kept(world: Any) -> None:
    """"Start a pasta timer | for eight minutes": the decode of both pieces heard "Start up off the timer for
    eight minutes" (no name); the first piece's own words are kept and the rest taken from the decode."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Start a pasta timer.", "Formate minutes.", "Start up off the timer for eight minutes."
    await held_then_its_rest(conversation, events)   # half a command: it waits for its rest
    said = answers(events)
    assert said[-1].responder == "intent" and "pasta" in said[-1].text.lower(), said
    assert user_messages(conversation) == ["Start a pasta timer for eight minutes."]


async def test_the_pieces_own_words_when_the_decode_of_both_makes_no_command(world: Any) -> None:
    """"Close the | office blinds" heard as "Close," and "Office lines." reads as the command, decoded as one
    ("Close her, off his lines,") it did not; the same here with this home's light."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn off,", "Kitchen light.", "Turned over kitchen lie, it."
    await held_then_its_rest(conversation, events)
    assert answers(events)[-1].responder == "intent", answers(events)
    assert answers(events)[-1].text == "The kitchen light is off."
    assert user_messages(conversation) == ["Turn off Kitchen light."]


async def test_a_rest_that_was_the_whole_command_is_not_read_otherwise(world: Any) -> None:
    """"Turn the, | turn the porch light on." heard "Turn." and "Turn the kitchen light on.": decoded as one,
    "Turn off the kitchen light." The rest alone was the whole command, heard plainly: the light goes on."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn.", "Turn the kitchen light on.", "Turn off the kitchen light."
    await held_then_its_rest(conversation, events)
    assert answers(events)[-1].text == "The kitchen light is on.", answers(events)
    assert [e.command for e in events if isinstance(e, DeviceCommand)] == ['{"state": "ON"}']


def test_the_first_pieces_words_and_the_rest_of_the_decode_of_both() -> None:
    assert spliced("Start a pasta timer.", "Start up off the timer for eight minutes.") == \
        "Start a pasta timer for eight minutes."
    assert spliced("Set the kitchen light,", "Set the kitchen light to fifty percent.") == \
        "Set the kitchen light to fifty percent."
    assert spliced("What time?", "What timers are running?") == ""   # the last word not heard again
    assert spliced("Turn the sound,", "Turn the sound") == ""          # nothing after it
    # the place nearest where the first piece ended, not an earlier word alike
    assert spliced("Set the timer", "Set the timer for the timer") == "Set the timer for the timer"


def test_which_reading_is_better() -> None:
    timer = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480}),))
    named = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 480, "label": "pasta"}),))
    refused = Answer("intent", actions=(ActionCall("turn_on", {"device": "sound"}),), unknown_device="sound")
    assert reads_better(named, timer) and reads_better(named, None) and reads_better(timer, refused)
    assert not reads_better(timer, named) and not reads_better(timer, timer) and not reads_better(None, timer)
    assert not reads_better(refused, None)
    gate = Answer("intent", actions=(ActionCall("turn_on", {"device": "front gate"}),), unknown_device="front gate")
    assert reads_better(gate, None), "\"Opened the | Front gate,\": refused by a gate's name, not left to the LLM"
    assert not reads_better(gate, timer)
    other = Answer("intent", actions=(ActionCall("set_timer", {"seconds": 60, "label": "pasta"}),))
    assert not reads_better(other, timer)   # another amount is another reading, not a detail more
    on = Answer("intent", actions=(ActionCall("turn_on", {"device": "porch light"}),))
    off = Answer("intent", actions=(ActionCall("turn_off", {"device": "porch light"}),))
    assert not reads_better(on, off)                # the pieces and the decode of both disagree: the decode
    assert reads_better(on, off, rest=on)           # unless the rest alone was the whole command
    assert not reads_better(on, off, rest=replace(on, tentative=True))
    assert not reads_better(timer, named, rest=timer)   # the same actions: a detail more still wins


def test_a_cut_command_waits_until_its_rest_would_have_been_heard() -> None:
    assert hold_secs(100.0, 100.5) == pytest.approx(1.75)   # read 0.5 s after the end: 2.25 s after it
    assert hold_secs(100.0, 101.0) == 1.5                   # read late: still 1.5 s
    assert hold_secs(0.0, 101.0) == 1.5                     # no end known


def test_the_continuation_rule() -> None:
    last = LastTurn("Which name?", speech_end_at=100.0)
    assert goes_on_from(last, 101.5) and not goes_on_from(last, 102.5) and not goes_on_from(last, 99.0)
    last.answer_heard_at = 100.3   # a quick answer: words 0.8 s into it may reply to it
    assert goes_on_from(last, 101.0) and not goes_on_from(last, 101.2)
    assert not goes_on_from(None, 100.5) and not goes_on_from(LastTurn("x", 0.0), 0.5)
    last.acted = True
    assert not goes_on_from(last, 100.5)


def test_a_turn_whose_tool_ran_is_not_taken_back() -> None:
    from firmware_py.llm.base import ToolCall

    context = Context("", 2000)
    context.add("user", "Which name?")
    context.add("assistant", "The name")
    assert context.drop_last_turn("Which name?") and context.messages() == []
    context.add("user", "Set a timer.")
    call = ToolCall(id="1", name="set_timer", arguments={"seconds": 60})
    context.add_tool_call(call)
    context.add_tool_result(call, {"ok": True})
    assert not context.drop_last_turn("Set a timer.") and len(context.messages()) == 3
    assert context.drop_last_turn("Never said.") and len(context.messages()) == 3


async def test_words_after_a_refused_command_may_still_complete_it(world: Any) -> None:
    """"Add one minute to, | The laundry-timer,": with two timers running the first piece was refused ("say
    which one"); that changed nothing, so the name that follows completes the request."""
    conversation, events, llm, stt = world
    timers = conversation._engines.tools.timers
    timers.start(600, "laundry", "s1")
    timers.start(900, "", "s1")
    # (a first piece that ends on "to" now waits for its rest instead: test_answering_scripted.py)
    stt.first, stt.second, stt.whole = "Add one minute,", "To the laundry-timer,", "Add one minute to the laundry timer."
    said = await two_pieces(conversation, events, gap_secs=0.8)
    assert "say which one" in said[0].text.lower(), said
    assert said[-1].responder == "intent" and "1 minute added" in said[-1].text, said
    assert sorted((t.label, round(t.seconds)) for t in timers.list()) == [("", 900), ("laundry", 660)]


async def test_the_rest_of_a_held_command_heard_as_no_words_is_still_its_rest(world: Any) -> None:
    """"Turn on the | kitchen light.": the rest alone decodes to nothing, both pieces decoded as one say all;
    the held start is neither lost nor answered with an apology."""
    conversation, events, llm, stt = world
    stt.first, stt.second, stt.whole = "Turn on the", "", "Turn on the kitchen light."
    await held_then_its_rest(conversation, events)
    said = answers(events)
    assert [(a.responder, a.text) for a in said] == [("intent", "The kitchen light is on.")]
    assert [e.command for e in events if isinstance(e, DeviceCommand)] == ['{"state": "ON"}']
    assert not any("catch that" in e.text for e in events if isinstance(e, BotOutput))
