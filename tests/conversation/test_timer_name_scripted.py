"""A timer's name heard as other words is read again among the names timers are given (scripted recogniser,
real listener, conversation, intents and timers): a reading of the same request with a listed name names
the timer; any other reading, a failure or the setting turned off leave the request as it was heard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from firmware_py.config import Settings
from firmware_py.conversation import Conversation
from firmware_py.respond.command_reread import LEFT_OUT_NAME_MARGIN, LEFT_OUT_NAME_WIDTH, NAME_MARGIN
from firmware_py.speech.stt import Rereading

from .scripted import ScriptedLlm, feed, recorded_conversation, settle, tone, zeros
from .test_reread_scripted import RereadingScriptedStt, one_spoken_turn

GARBLED_PASTA = "Start her past her timer for eight minutes."


class GrammarRecordingStt(RereadingScriptedStt):
    def __init__(self, default: str) -> None:
        super().__init__(default=default)
        self.calls: list[tuple[Any, float]] = []
        self.widths: list[int] = []

    def read_within(self, audio: Any, grammar: Any, margin: float, width: int, trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        self.calls.append((grammar, margin))
        self.widths.append(width)
        return super().read_within(audio, grammar, margin, width, trusted)


def settings(reread: bool = True) -> Settings:
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False), intents=replace(base.intents, reread=reread))


@pytest.fixture
async def world(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Conversation, list[Any], GrammarRecordingStt]]:
    stt = GrammarRecordingStt(default=GARBLED_PASTA)
    async with recorded_conversation(settings(getattr(request, "param", True)), stt, ScriptedLlm("LLM.")) as (conversation, events):
        yield conversation, events, stt


@pytest.fixture
async def garage_world() -> AsyncIterator[tuple[Conversation, list[Any], GrammarRecordingStt]]:
    """A home with a garage door: "grandet" is mended to "garage" as well as kept as heard."""
    garage = {"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"}
    stt = GrammarRecordingStt(default=GARBLED_PASTA)
    async with recorded_conversation(replace(settings(), devices=[garage]), stt, ScriptedLlm("LLM.")) as (conversation, events):
        yield conversation, events, stt


def running(conversation: Conversation) -> list[tuple[str, float]]:
    return [(timer.label, timer.seconds) for timer in conversation._engines.tools.timers.list()]


def reading(text: str) -> Rereading:
    return Rereading(text, score=-9.0, heard_score=-2.0, heard_words=8)


async def test_a_name_heard_as_other_words_is_read_again_and_the_timer_is_named(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [reading("Start a pasta timer for eight minutes.")]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The pasta timer is set for 8 minutes." and running(conversation) == [("pasta", 480)]
    grammar, margin = stt.calls[0]
    assert margin == NAME_MARGIN and len(stt.reread) == 1, "made once (at the pause, and found at the turn's end)"
    assert grammar.advance(grammar.start, "start a pasta timer") != -1, "the names timers are given"
    assert grammar.advance(grammar.start, "start a her past her timer") == -1, "no free words for the name"
    assert conversation.context.messages()[-2] == {"role": "user", "content": "Start a pasta timer for eight minutes."}


@pytest.mark.parametrize("read", [
    "Start a pasta timer for nine minutes.",   # another request: never taken for the name's sake
    "Start a timer for eight minutes.",        # no name in the audio either
    "Pause the pasta timer.",
])
async def test_a_reading_that_is_not_the_same_request_with_a_name_is_not_taken(world: Any, read: str) -> None:
    conversation, events, stt = world
    stt.readings = [reading(read)]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "A timer is set for 8 minutes." and running(conversation) == [("", 480)]


async def test_no_reading_or_a_failed_one_still_sets_the_timer(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [RuntimeError("decoder failed")]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "A timer is set for 8 minutes." and running(conversation) == [("", 480)]


async def test_a_timer_set_with_no_name_is_read_narrowly_for_one_left_out(world: Any) -> None:
    """ "Set a timer for 3 minutes" of an espeak voice's tea timer in noise: the recogniser left the name out
    whole; a reading of the same request with a name people give timers names it."""
    conversation, events, stt = world
    stt.default = "Set a timer for three minutes."
    stt.readings = [reading("Set a tea timer for three minutes.")]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The tea timer is set for 3 minutes." and running(conversation) == [("tea", 180)]
    assert {margin for _, margin in stt.calls} == {LEFT_OUT_NAME_MARGIN} and set(stt.widths) == {LEFT_OUT_NAME_WIDTH}


@pytest.mark.parametrize("read", [
    "Set a timer for three minutes.",         # the audio says no name either: read once, not wider
    "Set a tea timer for thirty minutes.",    # another length: a name read is no reason to change it
    None,                                     # nothing within the margin
])
async def test_a_timer_set_with_no_name_stays_so_unless_the_same_request_names_it(world: Any, read: str | None) -> None:
    conversation, events, stt = world
    stt.default = "Set a timer for three minutes."
    stt.readings = [reading(read) if read else Rereading("", float("-inf"), -2.0, 6)]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "A timer is set for 3 minutes." and running(conversation) == [("", 180)]
    assert len(stt.reread) == 1, "read once, not wider"


async def test_a_name_heard_plainly_is_not_read_again(world: Any) -> None:
    conversation, events, stt = world
    stt.default = "Start a pizza timer for eight minutes."
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The pizza timer is set for 8 minutes." and stt.calls == []


@pytest.mark.parametrize("world", [False], indirect=True)
async def test_turned_off_no_name_is_read_again(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [reading("Start a pasta timer for eight minutes.")]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "A timer is set for 8 minutes." and stt.calls == []


async def test_a_running_timer_named_as_other_words_is_read_within_the_running_names(world: Any) -> None:
    """"Stop, lurkey timer." while the tea and rice timers run: no timer is called lurkey; read again within
    the running timers' names, it is the tea timer."""
    conversation, events, stt = world
    timers = conversation._engines.tools.timers
    timers.start(180, "tea", "s1")
    timers.start(600, "rice", "s1")
    stt.default = "Stop, lurkey timer."
    stt.readings = [reading("Stop the tea timer.")]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The tea timer is cancelled." and [label for label, _ in running(conversation)] == ["rice"]
    grammar, _ = stt.calls[0]
    assert grammar.advance(grammar.start, "stop the rice timer") != -1
    assert grammar.advance(grammar.start, "stop the pasta timer") == -1, "only the running timers' names"


async def test_a_running_timer_read_as_a_name_not_running_is_still_refused(world: Any) -> None:
    conversation, events, stt = world
    conversation._engines.tools.timers.start(180, "tea", "s1")
    stt.default = "Stop, lurkey timer."
    stt.readings = [reading("Stop the timer.")]   # no name: the reading does not say which timer was meant
    answer = await one_spoken_turn(conversation, events)
    assert "no timer called 'lurkey'" in answer.text and [label for label, _ in running(conversation)] == ["tea"]
    assert "only the tea timer" in answer.text, "what is running is said, for the user to name it again"


@pytest.mark.parametrize(("read", "said", "left"), [
    ("Cancel my bread timer.", "The bread timer is cancelled.", []),
    (None, "Sorry, no timer called 'grandet' is running, only the bread timer.", ["bread"]),
])
async def test_a_question_between_two_names_of_no_running_timer_is_not_asked(garage_world: Any, read: str | None,
                                                                             said: str, left: list[str]) -> None:
    """Seed 1201's "Cancel my bread timer." heard "Cancel my grandet tiger." while the bread timer ran: asked
    "grandet" or "garage"? Neither runs, so either answer refuses: read among the running timers' names,
    else the first refused, naming the timer that runs."""
    conversation, events, stt = garage_world
    conversation._engines.tools.timers.start(1200, "bread", "s1")
    stt.default = "Cancel my grandet tiger."
    stt.readings = [reading(read)] if read else []
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == said and [label for label, _ in running(conversation)] == left
    grammar, _ = stt.calls[-1]
    assert grammar.advance(grammar.start, "cancel my bread timer") != -1, "read among the running timers' names"


async def test_with_no_timer_running_a_name_is_not_read_again(world: Any) -> None:
    conversation, events, stt = world
    stt.default = "Stop, lurkey timer."
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(1.2), pace=0.01)
    await settle(lambda: bool(conversation.last_answer))
    assert all(margin != NAME_MARGIN for _, margin in stt.calls), "no names to read it among"


@pytest.mark.parametrize("heard, read, said", [
    # seed 1051: "Set an egg timer for six minutes." in a fast voice; the reading within the commands made up a
    # name nobody said, from "any"; no common name read better: a timer with no name, not "the end timer"
    ("Sent on any time or forsake minutes.", "Set an end timer for six minutes.", "A timer is set for 6 minutes."),
    # a seldom name the recogniser did write is kept
    ("Set a brisket time or for six minutes.", "Set a brisket timer for six minutes.",
     "The brisket timer is set for 6 minutes."),
])
async def test_a_seldom_name_no_words_said_is_left_out(world: Any, heard: str, read: str, said: str) -> None:
    conversation, events, stt = world
    stt.default = heard
    stt.readings = [Rereading(read, score=-9.0, heard_score=-9.5, heard_words=7), None]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == said
    assert any(margin == NAME_MARGIN for _, margin in stt.calls), "the name was read among the common ones first"


@pytest.mark.parametrize("read, said", [
    # the follow-ups benchmark (espeak en-gb): "for ten" run together as "fourteen", the name as "past her"
    ("Set a pasta timer for ten minutes.", "The pasta timer is set for 10 minutes."),
    # another length, no sound from the one heard: not taken
    ("Set a pasta timer for twenty minutes.", "A timer is set for 14 minutes."),
])
async def test_a_name_read_with_the_length_one_sound_from_the_one_heard(world: Any, read: str, said: str) -> None:
    conversation, events, stt = world
    stt.default = "Set past her time of fourteen minutes."
    stt.readings = [reading(read)]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == said
