"""The bot's voice pauses at the first sound over it and goes on when no words follow (onset_pause.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Iterator

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.audio.io import CaptureSink
from firmware_py.events import EventBus
from firmware_py.listening import TurnListener
from firmware_py.onset_pause import MAX_HOLD_SECS, MIN_HOLD_SECS, QUIET_SECS, OnsetPause, PauseAction
from firmware_py.speaking import BotSpeech

from .scripted import (RecordingOwner, ScriptedStt, ScriptedTurn, close_engines, feed, live_settings,
                       scripted_engines, settle, tone, zeros)
from .test_speaking import ToneVoice

FRAME = 320


def run(pause: OnsetPause, frames: list[tuple[bool, bool, float]], may_pause: bool = True,
        after: float = 0.06) -> list[tuple[int, PauseAction]]:
    """(heard, starting, starting_secs) per 20 ms frame -> the actions taken, by frame index."""
    actions = []
    for index, (heard, starting, secs) in enumerate(frames):
        action = pause.step((index + 1) * FRAME, may_pause, heard, starting, secs, 0, after)
        if action is not PauseAction.NONE:
            actions.append((index, action))
    return actions


def speech_frames(count: int) -> list[tuple[bool, bool, float]]:
    return [(True, True, 0.02 * (i + 1)) for i in range(count)]


def quiet(secs: float) -> list[tuple[bool, bool, float]]:
    return [(False, False, 0.0)] * int(secs / 0.02)


def test_a_blip_pauses_the_bot_and_quiet_lets_it_go_on() -> None:
    actions = run(OnsetPause(), speech_frames(3) + quiet(1.0))
    assert [a for _, a in actions] == [PauseAction.PAUSE, PauseAction.RESUME]
    paused, resumed = actions[0][0], actions[1][0]
    assert paused == 2                                   # at 0.06 s of possible speech
    held = (resumed - paused) * 0.02
    assert max(MIN_HOLD_SECS, QUIET_SECS) - 0.05 <= held <= MAX_HOLD_SECS


def test_a_start_still_being_counted_holds_the_pause_but_never_past_the_longest() -> None:
    actions = run(OnsetPause(), speech_frames(3) + [(False, True, 0.06)] * 80)
    assert [a for _, a in actions] == [PauseAction.PAUSE, PauseAction.RESUME]
    assert abs((actions[1][0] - actions[0][0]) * 0.02 - MAX_HOLD_SECS) < 0.03


def test_words_after_a_comma_keep_the_pause() -> None:
    """"Stop, | what time is it?": a gap shorter than `QUIET_SECS` does not let the bot go on."""
    gap = quiet(QUIET_SECS - 0.1)
    actions = run(OnsetPause(), speech_frames(4) + gap + speech_frames(3))
    assert [a for _, a in actions] == [PauseAction.PAUSE]


def test_nothing_pauses_unless_speech_now_would_interrupt_or_the_setting_is_off() -> None:
    assert run(OnsetPause(), speech_frames(10), may_pause=False) == []
    assert run(OnsetPause(), speech_frames(10), after=0.0) == []


def test_a_pause_ends_when_speech_could_no_longer_interrupt() -> None:
    """The barge-in stopped the voice (going on is then a no-op), or barge-in was turned off meanwhile."""
    pause = OnsetPause()
    run(pause, speech_frames(3))
    assert pause.paused_at is not None
    assert run(pause, quiet(1.0), may_pause=False) == [(0, PauseAction.RESUME)]
    assert pause.paused_at is None and pause.onset_from is None


# --- the voice -------------------------------------------------------------------------------------


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(1)
    yield pool
    pool.shutdown()


async def test_a_paused_voice_writes_nothing_and_goes_on_a_little_before_where_it_stopped(executor) -> None:
    bus, seen = EventBus(), []
    bus.subscribe(seen.append)
    sink = CaptureSink(sample_rate=16_000)
    speech = BotSpeech("s", ToneVoice(), executor, sink, bus)
    speech.feed("one two three four five six seven eight nine ten.")   # 1.0 s of tone
    speech.finish()
    while len(sink.audio) < 0.3 * 16_000:
        await asyncio.sleep(0.01)
    speech.pause()
    written = len(sink.audio)
    await asyncio.sleep(0.3)
    assert len(sink.audio) - written <= 0.04 * 16_000, "at most the chunk being written when it paused"
    assert speech.speaking and speech.paused
    speech.resume()
    await asyncio.wait_for(speech.wait(), 10)
    replayed = len(sink.audio) - 16_000      # the sink dropped what it held; the rewind plays it again
    assert -0.005 * 16_000 <= replayed <= 0.12 * 16_000, "nothing lost, little said twice"
    kinds = [e.kind for e in seen]
    assert kinds.count("bot-output") == 1 and kinds.count("bot-started-speaking") == 1
    assert speech.spoken_text == "one two three four five six seven eight nine ten."


async def test_a_paused_voice_stops_at_once(executor) -> None:
    sink = CaptureSink(sample_rate=16_000)
    speech = BotSpeech("s", ToneVoice(), executor, sink, EventBus())
    speech.feed("one two three four five six seven eight nine ten.")
    speech.finish()
    while len(sink.audio) < 0.2 * 16_000:
        await asyncio.sleep(0.01)
    speech.pause()
    heard = await asyncio.wait_for(speech.stop(), 2)
    assert heard.startswith("one") and not speech.speaking


# --- the listener ----------------------------------------------------------------------------------


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


def make_listener(bus: EventBus, owner: RecordingOwner, stt: ScriptedStt, **conversation: object) -> TurnListener:
    engines = scripted_engines(bus, stt=stt, turn=ScriptedTurn(default=0.9))
    listener = TurnListener("s1", engines, live_settings(bus, turn={"max_silence_secs": 0.4}, **conversation),
                            bus, owner)
    listener.engines_for_test = engines  # type: ignore[attr-defined]
    return listener


async def test_a_blip_over_the_bot_pauses_it_and_it_goes_on(bus: EventBus) -> None:
    owner = RecordingOwner(speaking=True)
    listener = make_listener(bus, owner, ScriptedStt(default="uh"))
    try:
        await feed(listener, zeros(0.2) + tone(0.08) + zeros(1.2), pace=0.005)
        assert owner.pauses == ["pause", "resume"]
        assert owner.speech_started == 0 and not listener.in_turn
    finally:
        close_engines(listener.engines_for_test)  # type: ignore[attr-defined]


async def test_speech_over_the_paused_bot_interrupts_it_and_the_turn_starts_at_its_first_sound(bus: EventBus) -> None:
    owner, stt = RecordingOwner(speaking=True), ScriptedStt(default="stop")
    listener = make_listener(bus, owner, stt)
    try:
        # "Stop, | what time is it?": the first word pauses the bot, the VAD's start comes with the next
        await feed(listener, zeros(0.5) + tone(0.1) + zeros(0.25) + tone(0.6) + zeros(0.8), pace=0.005)
        await settle(lambda: len(owner.turns) == 1)
        # (the "resume" comes after the interruption, which has stopped the voice: it goes on with nothing)
        assert owner.pauses == ["pause", "resume"] and owner.speech_started == 1
        # from the first word on: 0.94 s (from the VAD start, less its pre-roll, it was 0.85 s)
        assert max(len(audio) for audio in stt.heard) >= 0.9 * SAMPLE_RATE, "the first word is in the turn"
    finally:
        close_engines(listener.engines_for_test)  # type: ignore[attr-defined]


async def test_with_the_setting_off_the_bot_never_pauses(bus: EventBus) -> None:
    owner = RecordingOwner(speaking=True)
    listener = make_listener(bus, owner, ScriptedStt(default="uh"), barge_in_pause_secs=0.0)
    try:
        await feed(listener, zeros(0.2) + tone(0.1) + zeros(1.0), pace=0.005)
        assert owner.pauses == [] and owner.speech_started == 0
    finally:
        close_engines(listener.engines_for_test)  # type: ignore[attr-defined]


async def test_a_paused_bot_goes_on_when_the_microphone_is_muted(bus: EventBus) -> None:
    owner = RecordingOwner(speaking=True)
    listener = make_listener(bus, owner, ScriptedStt(default="uh"))
    try:
        await feed(listener, zeros(0.2) + tone(0.08), pace=0.005)
        assert owner.pauses == ["pause"]
        listener.muted = True
        await feed(listener, zeros(0.04), pace=0.005)
        assert owner.pauses == ["pause", "resume"]
    finally:
        close_engines(listener.engines_for_test)  # type: ignore[attr-defined]
