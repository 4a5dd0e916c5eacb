"""A timer that ends rings until someone answers: its words again after each gap, paused by speech, stopped by
a turn with words ("stop the timer" stops the ringing one, never another still running), going on after a
turn of no words, ending by itself after its ringing time; "snooze" sets it again. Scripted speech engines,
the real chain, tools and timers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from firmware_py.config import Settings
from firmware_py.events import BotOutput, BotStartedSpeaking, EventBus
from firmware_py.listening import TurnTiming
from firmware_py.ring_tone import ring_tone

from .scripted import conversation_on_chain, settle
from .test_answering_scripted import Recorder, answered, spoken

RING = "Your pasta timer is done."


def ringing_settings(ring_secs: float = 30.0, tone: bool = False) -> Settings:
    """Words at every ring unless `tone` (the default's tone, tested on its own below)."""
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False),
                   timers=replace(base.timers, ring_secs=ring_secs, ring_gap_secs=1.0, tone=tone))


@pytest.fixture
async def ringing_world(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Recorder]]:
    bus = EventBus()
    recorder = Recorder(bus)
    settings = ringing_settings(getattr(request, "param", 30.0))
    async with conversation_on_chain(settings, bus) as (conversation, _chain):
        yield conversation, recorder


class PlayedTap:
    """What the sink played, ring by ring (a tap such as the echo canceller's)."""

    def __init__(self) -> None:
        self.pieces: list[np.ndarray] = []

    def played(self, samples: np.ndarray, sample_rate: int, start_time: float) -> None:
        self.pieces.append(np.array(samples))

    def cleared(self, at_time: float) -> None: ...


async def test_with_the_tone_each_ring_chimes_and_the_words_come_every_third_ring() -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    async with conversation_on_chain(ringing_settings(tone=True), bus) as (conversation, _chain):
        tap = PlayedTap()
        conversation._sink.tap = tap
        conversation._engines.tools.timers.start(0.05, "pasta", "s1")
        await settle(lambda: len(recorder.of(BotStartedSpeaking)) >= 3, timeout=20)
        assert rings(recorder) == 1, "three rings: the tone each time, the words with the first only"
        await settle(lambda: rings(recorder) >= 2, timeout=20)
        assert len(recorder.of(BotStartedSpeaking)) == 4, "the words again with the fourth ring"
        chime = ring_tone(conversation._sink.sample_rate, alarm=False)
        played = np.concatenate(tap.pieces)
        assert np.array_equal(played[:len(chime)], chime), "a ring opens with the chime"
        history = [m["content"] for m in conversation.get_context() if m["role"] == "assistant"]
        assert history.count(RING) == 1 and "" not in history, "a ring of the tone alone adds nothing said"
        conversation._ringing.stop()


async def test_a_timer_that_joins_a_ringing_one_is_said_at_the_next_ring() -> None:
    bus = EventBus()
    recorder = Recorder(bus)
    async with conversation_on_chain(ringing_settings(tone=True), bus) as (conversation, _chain):
        timers = conversation._engines.tools.timers
        timers.start(0.05, "pasta", "s1")
        await settle(lambda: rings(recorder) >= 1, timeout=10)
        timers.start(0.05, "egg", "s1")
        await settle(lambda: any("egg" in e.text for e in recorder.of(BotOutput)), timeout=10)
        assert len(recorder.of(BotStartedSpeaking)) == 2, "said at once, not two tone-only rings later"
        conversation._ringing.stop()


def rings(recorder: Recorder) -> int:
    return sum(1 for event in recorder.of(BotOutput) if event.text == RING)


async def set_pasta_timer(conversation: Any, recorder: Recorder) -> None:
    await conversation.on_user_turn("Set a timer for twenty minutes.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Set a pasta timer for one second.", spoken())
    await answered(recorder, 2)


async def test_a_timer_rings_until_a_turn_with_words_and_stop_means_the_ringing_one(ringing_world: Any) -> None:
    conversation, recorder = ringing_world
    await set_pasta_timer(conversation, recorder)
    await settle(lambda: rings(recorder) >= 2, timeout=15)   # said again after the gap
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("Stop the timer.", spoken())
    await settle(lambda: any(e.text == "The pasta timer is off." for e in recorder.of(BotOutput)))
    heard = rings(recorder)
    await asyncio.sleep(2.5)
    assert rings(recorder) == heard, "answered: it rings no more"
    assert [t.label for t in conversation._engines.tools.timers.list()] == [""], \
        "the twenty-minute timer still runs: 'stop the timer' meant the one ringing"
    history = [m["content"] for m in conversation.get_context() if m["role"] == "assistant"]
    assert history.count(RING) == 1, "the rings join the history once"


async def test_turn_it_off_said_to_the_ringing_silences_it_and_asks_nothing(ringing_world: Any) -> None:
    """ "Turn it off." names nothing: while nothing rings it is asked about, while a timer rings it is the ring."""
    conversation, recorder = ringing_world
    await set_pasta_timer(conversation, recorder)
    await settle(lambda: rings(recorder) >= 1, timeout=10)
    said = len(recorder.of(BotOutput))
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("Turn it off, please.", spoken())
    heard = rings(recorder)
    await asyncio.sleep(2.5)
    assert rings(recorder) == heard, "it rings no more"
    assert len(recorder.of(BotOutput)) == said, "and nothing is said: the ring was what was meant"
    assert [t.label for t in conversation._engines.tools.timers.list()] == [""], "the other timer runs on"
    await conversation.on_user_turn("Turn it off.", spoken())   # nothing rings now
    await settle(lambda: any(e.text == "What should I turn off?" for e in recorder.of(BotOutput)))


async def test_a_turn_of_no_words_does_not_silence_it(ringing_world: Any) -> None:
    conversation, recorder = ringing_world
    await set_pasta_timer(conversation, recorder)
    await settle(lambda: rings(recorder) >= 1, timeout=10)
    await conversation.on_user_speech_started()   # a cough
    await conversation.on_user_turn("", TurnTiming(voiced_secs=0.2))
    heard = rings(recorder)
    await settle(lambda: rings(recorder) > heard, timeout=10)


@pytest.mark.parametrize("ringing_world", [1.5], indirect=True)
async def test_it_stops_by_itself_after_its_ringing_time(ringing_world: Any) -> None:
    conversation, recorder = ringing_world
    await set_pasta_timer(conversation, recorder)
    await settle(lambda: rings(recorder) >= 1, timeout=10)
    await asyncio.sleep(4.0)
    heard = rings(recorder)
    assert 2 <= heard <= 3
    await asyncio.sleep(2.0)
    assert rings(recorder) == heard


async def test_snooze_sets_the_one_that_rang_again(ringing_world: Any) -> None:
    conversation, recorder = ringing_world
    await set_pasta_timer(conversation, recorder)
    await settle(lambda: rings(recorder) >= 1, timeout=10)
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("Snooze for five minutes.", spoken())
    await settle(lambda: any(e.text == "Snoozed: the pasta timer rings again in 5 minutes."
                             for e in recorder.of(BotOutput)))
    pasta = [t for t in conversation._engines.tools.timers.list() if t.label == "pasta"]
    assert len(pasta) == 1 and 295 < pasta[0].remaining() <= 300
    await conversation.on_user_turn("Snooze.", spoken())
    await settle(lambda: recorder.of(BotOutput)[-1].text == "Sorry, nothing has rung lately to snooze.")
    assert len([t for t in conversation._engines.tools.timers.list() if t.label == "pasta"]) == 1, \
        "snoozed once: a second snooze has nothing that rang to set again"


async def test_a_wake_up_rings_as_an_alarm_with_its_own_words(ringing_world: Any) -> None:
    conversation, recorder = ringing_world
    conversation._engines.tools.timers.start(0.05, "7 AM alarm", "s1", command="wake me up")
    await settle(lambda: sum(e.text == "It's time to wake up." for e in recorder.of(BotOutput)) >= 2, timeout=15)
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("Snooze.", spoken())
    await settle(lambda: any(e.text == "Snoozed: the 7 AM alarm rings again in 9 minutes." for e in recorder.of(BotOutput)))
    [snoozed] = conversation._engines.tools.timers.list()
    assert snoozed.command == "wake me up", "it wakes with its own words again"
