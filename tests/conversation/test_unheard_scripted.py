"""A turn whose speech gave no words is read within the command sentences before the device says it did not
catch it (scripted recogniser, real listener, conversation and intents): fast speech after digital silence
can send the recogniser astray from its first token while the command is still the likeliest reading."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import pytest

from firmware_py.events import BotAnswered, BotOutput, DeviceCommand, ErrorEvent, StateChanged, UserTranscript
from firmware_py.respond.command_reread import FAR_MARGIN, UNHEARD_MARGIN
from firmware_py.speech.stt import Rereading

from .scripted import ScriptedLlm, feed, recorded_conversation, settle, tone, zeros
from .test_reread_scripted import MarginRecordingStt, one_spoken_turn, settings


@pytest.fixture
async def unheard_world(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, list[Any], ScriptedLlm, MarginRecordingStt]]:
    llm, stt = ScriptedLlm("Here is a scripted answer."), MarginRecordingStt(default="")
    async with recorded_conversation(settings(getattr(request, "param", True)), stt, llm) as (conversation, events):
        yield conversation, events, llm, stt


def commands(events: list[Any]) -> list[str]:
    return [e.command for e in events if isinstance(e, DeviceCommand)]


async def apologised(conversation: Any, events: list[Any]) -> None:
    """One spoken turn, answered by the apology for words not caught."""
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(1.2), pace=0.01)
    await settle(lambda: any("catch that" in e.text for e in events if isinstance(e, BotOutput)))
    await settle(lambda: [e for e in events if isinstance(e, StateChanged)][-1].state == "listening")


async def test_a_turn_with_no_words_read_as_a_command_runs_it(unheard_world: Any) -> None:
    conversation, events, llm, stt = unheard_world
    stt.readings = [Rereading("Turn on the kitchen light.", score=-4.0, heard_score=-2.5)]
    answer = await one_spoken_turn(conversation, events)
    assert answer.responder == "intent" and answer.text == "The kitchen light is on."
    assert commands(events) == ['{"state": "ON"}'] and llm.asked == [] and stt.margins == [UNHEARD_MARGIN]
    finals = [e.text for e in events if isinstance(e, UserTranscript) and e.final]
    assert finals == ["Turn on the kitchen light."], "the client is told what was understood"
    assert conversation.context.messages()[-2] == {"role": "user", "content": "Turn on the kitchen light."}
    assert not [e for e in events if isinstance(e, ErrorEvent)]


@pytest.mark.parametrize("reading", [
    Rereading("Turn on the kitchen light.", score=-8.0, heard_score=-2.5),   # 5.5 nats below: too far with no words
    Rereading("Mute yourself.", score=-2.6, heard_score=-2.5),              # two words fit any mumble
    Rereading("", float("-inf"), heard_score=-2.5),                          # nothing read
    None,                                                                    # the recogniser was sure
])
async def test_a_turn_with_no_words_and_no_near_command_is_not_understood(unheard_world: Any,
                                                                           reading: Rereading | None) -> None:
    conversation, events, llm, stt = unheard_world
    stt.readings = [reading]
    await apologised(conversation, events)
    assert commands(events) == [] and llm.asked == [] and not [e for e in events if isinstance(e, BotAnswered)]
    assert len(stt.reread) == 1 and [e for e in events if isinstance(e, ErrorEvent)]


@pytest.mark.parametrize("unheard_world", [False], indirect=True)
async def test_turned_off_a_turn_with_no_words_is_not_read(unheard_world: Any) -> None:
    conversation, events, llm, stt = unheard_world
    stt.readings = [Rereading("Turn on the kitchen light.", score=-4.0, heard_score=-2.5)]
    await apologised(conversation, events)
    assert stt.reread == [] and commands(events) == []


async def test_a_cough_is_not_read(unheard_world: Any) -> None:
    """Too little speech to be a request: neither read nor apologised for."""
    conversation, events, llm, stt = unheard_world
    stt.readings = [Rereading("Turn on the kitchen light.", score=-4.0, heard_score=-2.5)]
    await feed(conversation.listener, zeros(0.2) + tone(0.3) + zeros(1.5), pace=0.01)
    await settle(lambda: bool(stt.heard) and not conversation.listener.in_turn)
    await asyncio.sleep(0.3)
    assert stt.reread == [] and commands(events) == [] and not [e for e in events if isinstance(e, BotAnswered)]


@dataclass
class HearsOutStt(MarginRecordingStt):
    """Decodes the turn to nothing, and to `words` with the end barred from the first token."""

    words: str = ""
    heard_out: list[int] = field(default_factory=list)

    def hear_out(self, audio: np.ndarray) -> str:
        self.heard_out.append(len(audio))
        return self.words


@pytest.fixture
async def hearing_out_world() -> AsyncIterator[tuple[Any, list[Any], ScriptedLlm, HearsOutStt]]:
    llm, stt = ScriptedLlm("Here is a scripted answer."), HearsOutStt(default="", words="Burn on the kitchen life,")
    async with recorded_conversation(settings(), stt, llm) as (conversation, events):
        yield conversation, events, llm, stt


async def test_a_turn_with_no_words_is_read_by_the_words_heard_once_the_end_may_not_come_first(
        hearing_out_world: Any) -> None:
    """Seed 887: "Volume up." and "Set an egg timer for six minutes." decoded to nothing (the end first), and
    read within the commands with no words found nothing near: "Sorry, I didn't catch that.". Decoded with the
    end barred from the first token they were "Malumum" and "Santa nun, time for sick spirits.", read as
    "Volume up" and "Set on a timer for six minutes." as any words heard are."""
    conversation, events, llm, stt = hearing_out_world
    stt.readings = [Rereading("", float("-inf"), heard_score=-1.0),
                    Rereading("Turn on the kitchen light.", score=-8.0, heard_score=-6.0, heard_words=5)]
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The kitchen light is on." and commands(events) == ['{"state": "ON"}']
    assert stt.margins == [UNHEARD_MARGIN, FAR_MARGIN] and len(stt.heard_out) == 1 and llm.asked == []


async def test_words_heard_once_the_end_may_not_come_first_are_never_the_llms(hearing_out_world: Any) -> None:
    """What reads as no command is still not understood: such words may be no words ("70% of the world's users
    30% of ..." for a clip of speech the recogniser ended at once)."""
    conversation, events, llm, stt = hearing_out_world
    stt.readings = [Rereading("", float("-inf"), heard_score=-1.0), Rereading("", float("-inf"), heard_score=-6.0)]
    await apologised(conversation, events)
    assert commands(events) == [] and llm.asked == [] and len(stt.heard_out) == 1
