"""A client session with `echo_cancel=True` whose speaker and microphone share a simulated room (real engines).

The client plays the bot's voice on a speaker its microphone hears (a speakerphone, a satellite): without
cancellation the bot interrupts itself; with it, the bot finishes, and the user can still interrupt.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest
import pytest_asyncio

from firmware_py.appliance import Appliance
from firmware_py.audio.processing.room import RoomConditions
from firmware_py.audio.processing.room_device import RoomMicrophone, simulated_room
from firmware_py.events import BotInterrupted, BotStoppedSpeaking, Event, EventBus, UserStartedSpeaking, UserTranscript
from firmware_py.live_config import LiveSettings
from firmware_py.models import models_dir
from tests.conversation.conftest import NoDevice, conversation_settings
from tests.speechgen import speech

pytestmark = pytest.mark.slow

ANSWER = ("The lighthouse keeper climbed the stairs every evening to light the great lamp, and ships far out at sea "
          "saw it and knew where the rocks were hidden.")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def appliance() -> AsyncIterator[Appliance]:
    from firmware_py.engines import load_engines

    bus = EventBus()
    settings = conversation_settings()
    host = Appliance(settings, bus, LiveSettings(settings, bus))
    host.engines = await load_engines(settings, models_dir(), bus, NoDevice())
    await host.warm_up()
    yield host
    await host.close()


async def _feed(mic: RoomMicrophone, session_push) -> None:  # type: ignore[no-untyped-def]
    async for frame in mic.frames():
        session_push(frame)


async def _speak_in_room(appliance: Appliance, echo_cancel: bool, interrupt_with: np.ndarray | None = None,
                         ) -> list[Event]:
    mic, speaker = simulated_room(RoomConditions(delay_ms=90, rt60_secs=0.35, distortion=0.2, seed=7))
    seen: list[Event] = []
    unsubscribe = appliance.bus.subscribe(seen.append, session_id="room")
    session = await appliance.open_session("room", speaker, echo_cancel=echo_cancel)
    feeder = asyncio.create_task(_feed(mic, session.push_audio))
    try:
        await session.say(ANSWER)
        if interrupt_with is not None:
            await asyncio.sleep(3.0)
            mic.say(interrupt_with)
        done = (UserTranscript,) if interrupt_with is not None else (BotStoppedSpeaking, BotInterrupted)
        for _ in range(200):
            if any(isinstance(e, done) and getattr(e, "final", True) for e in seen):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
    finally:
        feeder.cancel()
        await mic.close()
        await appliance.close_session("room")
        unsubscribe()
    return seen


@pytest.mark.asyncio(loop_scope="module")
async def test_without_cancellation_the_bot_hears_itself(appliance: Appliance) -> None:
    seen = await _speak_in_room(appliance, echo_cancel=False)
    assert any(isinstance(e, UserStartedSpeaking) for e in seen), "the room's echo must fool the VAD"


@pytest.mark.asyncio(loop_scope="module")
async def test_with_cancellation_the_bot_finishes_and_the_user_can_interrupt(appliance: Appliance) -> None:
    seen = await _speak_in_room(appliance, echo_cancel=True)
    assert not any(isinstance(e, (UserStartedSpeaking, BotInterrupted)) for e in seen)
    assert any(isinstance(e, BotStoppedSpeaking) for e in seen)

    user = speech("Excuse me, what time is it in Tokyo right now?", voice="espeak")[0]
    seen = await _speak_in_room(appliance, echo_cancel=True, interrupt_with=(user.astype(np.float32) * 2).astype(np.int16))
    assert any(isinstance(e, BotInterrupted) for e in seen)
    transcripts = " ".join(e.text for e in seen if isinstance(e, UserTranscript) and e.final).lower()
    assert "time" in transcripts or "tokyo" in transcripts, transcripts
