"""A turn starts where its sound started, not where the VAD noticed it (speech/onset.py): a soft first
syllable the VAD needed 0.6 s to hear is still decoded (real listener, scripted VAD and recogniser)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from firmware_py.config import Settings
from firmware_py.events import BotAnswered

from .scripted import FRAME, ScriptedLlm, ScriptedStt, feed, recorded_conversation, settle, tone, zeros


def soft_frames(audio: np.ndarray) -> float:
    """Seconds of `audio` at the soft start's level (a 500-peak tone: RMS ~350)."""
    frames = len(audio) // FRAME
    levels = np.sqrt(np.mean(np.square(audio[:frames * FRAME].astype(np.float32).reshape(frames, FRAME)), axis=1))
    return float(np.count_nonzero((levels > 200) & (levels < 600))) * FRAME / 16000


async def spoken(soft_secs: float) -> list[np.ndarray]:
    base = Settings()
    settings = replace(base, audio=replace(base.audio, enabled=False))
    stt = ScriptedStt(default="What day is it today?")
    async with recorded_conversation(settings, stt, ScriptedLlm("It is Tuesday.")) as (conversation, events):
        # the scripted VAD hears only the loud part: the soft start is what Silero notices late
        await feed(conversation.listener, zeros(0.5) + tone(soft_secs, level=500) + tone(1.0) + zeros(1.2), pace=0.005)
        await settle(lambda: any(isinstance(e, BotAnswered) for e in events))
    return [as_int16(heard) for heard in stt.heard]


def as_int16(audio: np.ndarray) -> np.ndarray:
    return (audio * 32768).astype(np.int16) if audio.dtype != np.int16 else audio


async def test_a_soft_start_the_vad_heard_late_is_decoded() -> None:
    heard = await spoken(0.6)
    assert heard and max(soft_frames(clip) for clip in heard) >= 0.55, "the soft start was cut off"


async def test_a_turn_without_a_soft_start_keeps_the_pre_roll_alone() -> None:
    heard = await spoken(0.0)
    assert heard and all(len(clip) < int(1.0 * 16000) + int(0.6 * 16000) for clip in heard)
