"""A command heard whose meaning turns on one sound is read within its family before it runs (scripted
recogniser, real listener, conversation and intents): a reading that does otherwise within a nat of the
likeliest makes it a question; none, a failure, a refused device or the setting turned off leave it as heard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from firmware_py.conversation import Conversation
from firmware_py.events import DeviceCommand
from firmware_py.speech.stt import Rereading

from .scripted import ScriptedLlm, recorded_conversation
from .test_reread_scripted import RereadingScriptedStt, one_spoken_turn, settings


def reading(text: str, *rivals: tuple[str, float]) -> Rereading:
    return Rereading(text, score=-3.0, heard_score=-3.0, heard_words=len(text.split()), rivals=rivals)


@pytest.fixture
async def world(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Conversation, list[Any], RereadingScriptedStt]]:
    heard = getattr(request, "param", ("Can you turn off the kitchen light?", True))
    stt = RereadingScriptedStt(default=heard[0])
    async with recorded_conversation(settings(heard[1]), stt, ScriptedLlm("LLM.")) as (conversation, events):
        yield conversation, events, stt


async def test_a_reading_of_the_other_deed_within_a_nat_is_asked_about(world: Any) -> None:
    """ "Can you turn on the kitchen light." (fast, after digital silence) heard "... turn off ...": read within
    the on / off sentences, "on" is the likelier. The words said off, the audio on: the device asks."""
    conversation, events, stt = world
    stt.readings = [reading("Can you turn on the kitchen light?", ("Can you turn off the kitchen light?", -3.4))]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == 'Sorry, did you say "Turn off the kitchen light" or "Turn on the kitchen light"?'
    assert not [e for e in events if isinstance(e, DeviceCommand)], "nothing is switched while in doubt"
    assert len(stt.reread) == 1


async def test_a_rival_of_the_other_deed_beside_the_heard_one_is_asked_about(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [reading("Can you turn off the kitchen light?", ("Can you turn on the kitchen light?", -3.5))]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == 'Sorry, did you say "Turn off the kitchen light" or "Turn on the kitchen light"?'


@pytest.mark.parametrize("read", [
    reading("Can you turn off the kitchen light?"),                          # the audio says what was heard
    reading("Can you turn off the kitchen light?", ("Could you turn off the kitchen light?", -3.2)),  # same deed
    Rereading("", float("-inf"), -3.0, 7),                                    # nothing in the family near it
    None,
    RuntimeError("decoder failed"),
])
async def test_no_reading_of_the_other_deed_runs_the_command_as_heard(world: Any, read: Any) -> None:
    conversation, events, stt = world
    stt.readings = [read]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The kitchen light is off."
    assert [e.command for e in events if isinstance(e, DeviceCommand)] == ['{"state": "OFF"}']


async def test_only_a_family_command_is_read_again(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [reading("Can you turn off the kitchen light?")]
    await one_spoken_turn(conversation, events)
    assert len(stt.reread) == 1
    stt.default = "What time is it?"   # the time is no family's: it is never read again
    events.clear()
    await one_spoken_turn(conversation, events)
    assert len(stt.reread) == 1


@pytest.mark.parametrize("world", [("Can you turn off the kitchen light?", False)], indirect=True)
async def test_with_reading_again_turned_off_it_runs_as_heard(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [reading("Can you turn on the kitchen light?")]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The kitchen light is off." and stt.reread == []


@pytest.mark.parametrize("world", [("Mute.", True)], indirect=True)
async def test_mute_beside_unmute_is_asked_about_and_the_microphone_stays_on(world: Any) -> None:
    conversation, events, stt = world
    stt.readings = [reading("Mute.", ("Unmute.", -3.46))]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == 'Sorry, did you say "Mute" or "Unmute"?'
    assert not conversation.listener.muted


@pytest.mark.parametrize("world", [("Can you set a timer for an hour and 50 minutes?", True)], indirect=True)
async def test_fifty_beside_fifteen_is_asked_about_and_no_timer_is_set(world: Any) -> None:
    """ "an hour and fifteen minutes" written "... 50 minutes": read within the timer sentences, both lengths
    are as likely. Which? The device asks; a length heard with no such twin ("twenty") is never read."""
    conversation, events, stt = world
    # (a timer set with no name is first read for a name left out: none here)
    stt.readings = [reading("Can you set a timer for an hour and fifty minutes?"),
                    reading("Can you set a timer for an hour and fifty minutes?",
                            ("Can you set a timer for an hour and fifteen minutes?", -3.0))]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == ('Sorry, did you say "Set a timer for an hour and fifty minutes" or '
                           '"Set a timer for an hour and fifteen minutes"?')
    assert conversation._engines.tools.timers.list() == []
    stt.default, stt.readings = "Set a timer for twenty minutes.", [reading("Set a timer for twenty minutes.")]
    stt.made.clear()   # (the scripted turns' audio is the same)
    events.clear()
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "A timer is set for 20 minutes." and len(stt.reread) == 3, "its name read, its length never"


@pytest.mark.parametrize("world", [("Resumed the timer,", True)], indirect=True)
async def test_a_resume_heard_runs_though_the_audio_may_say_remove(world: Any) -> None:
    """The words asked to resume the paused timer; the family's reading says remove. A resume is undone by a
    word, a removal is not: the timer resumes, unasked. The other way round is asked (a removal never runs
    on a guess)."""
    conversation, events, stt = world
    timers = conversation._engines.tools.timers
    timers.pause(timers.start(300, "", conversation.session_id).timer_id)
    stt.readings = [reading("Remove the timer.")]
    answer = await one_spoken_turn(conversation, events)
    assert len(stt.reread) == 1 and "?" not in answer.text
    assert [t.paused for t in timers.list()] == [False]
    stt.default, stt.readings = "Remove the timer.", [reading("Resume the timer.")]
    timers.pause(timers.list()[0].timer_id)
    events.clear()
    answer = await one_spoken_turn(conversation, events)
    assert answer.text.startswith("Sorry, did you say") and len(timers.list()) == 1
