"""A command claimed at the user's pause whose meaning turns on one sound is read within its family while the
pause is still being confirmed, on the audio its words came from; the turn's end reads the same audio again
(the recogniser keeps the reading it made ahead). Scripted recogniser, real listener, conversation and intents."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from firmware_py.config import Settings
from firmware_py.events import BotAnswered, StateChanged, UserTranscript
from firmware_py.respond.command_reread import LEFT_OUT_NAME_MARGIN, LEFT_OUT_NAME_WIDTH
from firmware_py.speech.stt import Rereading

from .scripted import ScriptedLlm, ScriptedStt, feed, recorded_conversation, settle, tone, zeros


@dataclass
class FamilyReadingStt(ScriptedStt):
    events: list[Any] = field(default_factory=list)
    readings: list[tuple[np.ndarray, bool]] = field(default_factory=list)
    """Each reading's audio, and whether the turn had ended (its final transcript published) when it was asked."""
    read: str = "Turn on the kitchen light."
    margins: list[tuple[float, int]] = field(default_factory=list)

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        ended = any(isinstance(event, UserTranscript) and event.final for event in self.events)
        self.readings.append((audio, ended))
        self.margins.append((margin, width))
        return Rereading(self.read, -2.0, -2.0, 5)


DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"}]


def settings(speculate: bool = True) -> Settings:
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False), mqtt=replace(base.mqtt, enabled=True),
                   devices=DEVICES, intents=replace(base.intents, speculate=speculate))


async def spoken_command(speculate: bool, heard: str = "Turn on the kitchen light.",
                         read: str = "Turn on the kitchen light.") -> tuple[FamilyReadingStt, list[Any]]:
    stt = FamilyReadingStt(default=heard, read=read)
    async with recorded_conversation(settings(speculate), stt, ScriptedLlm()) as (conversation, events):
        stt.events = events
        await feed(conversation.listener, zeros(0.2) + tone(1.0), pace=0.01)
        # the pause in real time: the reading made at the pause starts before the turn ends, on a loaded machine too
        await feed(conversation.listener, zeros(1.2), pace=0.02)
        await settle(lambda: any(isinstance(e, BotAnswered) for e in events))
        await settle(lambda: [e for e in events if isinstance(e, StateChanged)][-1].state == "listening")
    return stt, events


async def test_a_one_sound_command_is_read_ahead_on_the_audio_the_turn_ends_with() -> None:
    stt, events = await spoken_command(speculate=True)
    answer = next(e for e in events if isinstance(e, BotAnswered))
    assert answer.responder == "intent" and answer.text == "The kitchen light is on."
    assert [ended for _, ended in stt.readings] == [False, True], "read at the pause, then at the turn's end"
    assert np.array_equal(stt.readings[0][0], stt.readings[1][0]), "the same audio: the reading made ahead is found"


async def test_without_guessing_at_the_pause_nothing_is_read_ahead() -> None:
    stt, _ = await spoken_command(speculate=False)
    assert [ended for _, ended in stt.readings] == [True]


async def test_a_timer_set_with_no_name_is_read_for_one_ahead() -> None:
    """ "Set a timer for 3 minutes" of a tea timer whose name the recogniser left out: the narrow reading for
    a name is made at the pause, and the turn's end finds it."""
    stt, events = await spoken_command(True, "Set a timer for three minutes.", "Set a tea timer for three minutes.")
    answer = next(e for e in events if isinstance(e, BotAnswered))
    assert answer.text == "The tea timer is set for 3 minutes."
    assert [ended for _, ended in stt.readings] == [False, True] and np.array_equal(stt.readings[0][0], stt.readings[1][0])
    assert stt.margins == [(LEFT_OUT_NAME_MARGIN, LEFT_OUT_NAME_WIDTH)] * 2
