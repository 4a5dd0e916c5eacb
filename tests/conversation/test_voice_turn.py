"""Whole turns on the real default models: spoken question in, spoken answer out, barge-in, text, mute, PTT."""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest

from firmware_py.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame, resample, to_float
from firmware_py.audio.io import ArraySource, CaptureSink
from firmware_py.conversation import Conversation
from firmware_py.events import (BotInterrupted, BotLlmText, BotStartedSpeaking, BotStoppedSpeaking, BotTtsText,
                                Event, Metrics, UserStartedSpeaking, UserTranscript)
from tests.speechgen import speech

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def word_overlap(expected: str, heard: str) -> float:
    """Share of the expected words that were heard (a loose, order-free intelligibility measure)."""
    wanted = words(expected)
    got = set(words(heard))
    return sum(w in got for w in wanted) / max(1, len(wanted))


async def wait_for(events: list[Event], kind: type[Event], session_id: str, timeout: float, count: int = 1) -> Event:
    for _ in range(int(timeout * 20)):
        found = [e for e in events if isinstance(e, kind) and e.session_id == session_id]
        if len(found) >= count:
            return found[count - 1]
        await asyncio.sleep(0.05)
    seen = [e.kind for e in events if e.session_id == session_id]
    raise AssertionError(f"no {kind.kind} #{count} within {timeout} s; saw {seen}")


async def push_realtime(conversation: Conversation, samples: np.ndarray) -> None:
    for start in range(0, len(samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        conversation.push_audio(AudioFrame(samples[start:start + FRAME_SAMPLES]))
        await asyncio.sleep(FRAME_SAMPLES / SAMPLE_RATE)


def silence(secs: float) -> np.ndarray:
    return np.zeros(int(secs * SAMPLE_RATE), np.int16)


async def test_spoken_question_gets_a_spoken_answer(engines, bus, events, live) -> None:
    question = "What is the capital of France?"
    clip, rate = speech(question)
    sink = CaptureSink(24_000)
    conversation = Conversation("turn", engines, bus, live, sink, ArraySource(clip, rate, tail_silence_secs=4.0))
    conversation.start()
    try:
        await wait_for(events, BotStoppedSpeaking, "turn", timeout=60)
        await wait_for(events, Metrics, "turn", timeout=5)
    finally:
        await conversation.close()

    mine = [e for e in events if e.session_id == "turn"]
    interim = [e for e in mine if isinstance(e, UserTranscript) and not e.final]
    kinds = [e.kind for e in mine if e.kind not in ("state", "bot-llm-text", "bot-tts-text", "bot-output")
             and e not in interim]
    expected_order = ["user-started-speaking", "user-stopped-speaking", "user-transcription", "user-llm-text",
                      "bot-llm-started", "bot-tts-started", "bot-started-speaking", "bot-llm-stopped",
                      "bot-tts-stopped", "bot-stopped-speaking", "metrics"]
    positions = [kinds.index(kind) for kind in expected_order if kind in kinds]
    assert set(expected_order) - {"bot-llm-stopped"} <= set(kinds), kinds
    assert kinds.index("user-started-speaking") < kinds.index("user-transcription") < kinds.index("user-llm-text")
    assert kinds.index("bot-llm-started") < kinds.index("bot-started-speaking") < kinds.index("bot-stopped-speaking")
    assert positions[:4] == sorted(positions[:4])

    final = [e for e in mine if isinstance(e, UserTranscript) and e.final]
    assert len(final) == 1 and word_overlap(question, final[0].text) >= 0.8, final
    answer_text = "".join(e.text for e in mine if isinstance(e, BotLlmText))
    spoken_text = " ".join(e.text for e in mine if isinstance(e, BotTtsText))
    assert answer_text.strip() and spoken_text.strip()

    heard = sink.audio
    assert len(heard) / sink.sample_rate > 0.5
    transcript_of_answer = engines.stt.transcribe(to_float(resample(heard, sink.sample_rate, SAMPLE_RATE)))
    assert word_overlap(spoken_text, transcript_of_answer) >= 0.6, (spoken_text, transcript_of_answer)

    metrics = [e for e in mine if isinstance(e, Metrics)][0]
    assert {"stt", "llm", "tts", "voice_to_voice"} <= set(metrics.ttfb)
    roles = [m["role"] for m in conversation.get_context()]
    assert roles[0] == "system" and roles[-2:] == ["user", "assistant"]


async def test_barge_in_stops_the_bot_and_keeps_only_what_was_heard(engines, bus, events, live) -> None:
    story, _ = speech("Tell me a long story about a brave little dragon.")
    interruption, _ = speech("Stop. What is two plus two?")
    sink = CaptureSink(24_000)
    conversation = Conversation("barge", engines, bus, live, sink)
    conversation.start()
    try:
        await push_realtime(conversation, np.concatenate([story, silence(1.0)]))
        pusher = asyncio.create_task(push_realtime(conversation, silence(30.0)))
        await wait_for(events, BotStartedSpeaking, "barge", timeout=60)
        await asyncio.sleep(1.0)
        pusher.cancel()
        await push_realtime(conversation, interruption)
        interrupted = await wait_for(events, BotInterrupted, "barge", timeout=10)
        await push_realtime(conversation, silence(3.0))
        await wait_for(events, UserTranscript, "barge", timeout=20, count=2)
    finally:
        await conversation.close()

    mine = [e for e in events if e.session_id == "barge"]
    kinds = [e.kind for e in mine]
    assert kinds.index("bot-interrupted") < len(kinds) - 1
    assert kinds.count("user-started-speaking") >= 2
    first_answer = ""
    for event in mine:
        if isinstance(event, BotInterrupted):
            break
        if isinstance(event, BotLlmText):
            first_answer += event.text
    assert isinstance(interrupted, BotInterrupted)
    assistant = [m["content"] for m in conversation.get_context() if m["role"] == "assistant"]
    kept = assistant[0] if assistant else ""
    assert kept == interrupted.spoken_text
    assert len(kept) < len(first_answer.strip()), "the context must hold only the spoken part"
    heard_secs = len(sink.audio) / sink.sample_rate
    assert heard_secs < 6.0


async def test_text_input_answers_with_and_without_audio(engines, bus, events, live) -> None:
    sink = CaptureSink(24_000)
    conversation = Conversation("text", engines, bus, live, sink)
    conversation.start()
    try:
        await conversation.send_text("Say hello to me.", audio_response=False)
        await asyncio.wait_for(conversation._reply, 60)  # noqa: SLF001 - waiting for the answer to finish
        assert not [e for e in events if isinstance(e, BotStartedSpeaking) and e.session_id == "text"]
        assert [e for e in events if isinstance(e, BotLlmText) and e.session_id == "text"]
        await conversation.send_text("Now say goodbye.", audio_response=True)
        await wait_for(events, BotStoppedSpeaking, "text", timeout=60)
        assert len(sink.audio) > 0
    finally:
        await conversation.close()


async def test_muted_session_ignores_speech(engines, bus, events, live) -> None:
    clip, _ = speech("Are you listening to me?")
    conversation = Conversation("muted", engines, bus, live, CaptureSink(24_000))
    conversation.start()
    try:
        conversation.set_muted(True)
        await push_realtime(conversation, np.concatenate([clip, silence(1.5)]))
        assert not [e for e in events if isinstance(e, UserStartedSpeaking) and e.session_id == "muted"]
        conversation.set_muted(False)
        await push_realtime(conversation, np.concatenate([clip, silence(0.5)]))
        await wait_for(events, UserStartedSpeaking, "muted", timeout=5)
    finally:
        await conversation.close()
    kinds = [e.kind for e in events if e.session_id == "muted"]
    assert "user-mute" in kinds


async def test_push_to_talk_turn(engines, bus, events, live) -> None:
    clip, _ = speech("What time is it?")
    live.update("conversation", {"activation": "push_to_talk"})
    conversation = Conversation("ptt", engines, bus, live, CaptureSink(24_000))
    conversation.start()
    try:
        await push_realtime(conversation, np.concatenate([clip, silence(1.0)]))
        assert not [e for e in events if isinstance(e, UserStartedSpeaking) and e.session_id == "ptt"]
        conversation.push_to_talk(True)
        await push_realtime(conversation, np.concatenate([silence(0.2), clip]))
        conversation.push_to_talk(False)
        final = await wait_for_final(events, "ptt", timeout=15)
        assert word_overlap("what time is it", final.text) >= 0.75
    finally:
        await conversation.close()


async def test_a_short_pause_inside_a_question_loses_no_words(engines, bus, events, live) -> None:
    """A pause long enough to start an early decode, too short to end the segment: that decode is dropped."""
    first, second = trimmed(speech("What is the weather like")[0]), trimmed(speech("in Paris tomorrow?")[0])
    conversation = Conversation("pause", engines, bus, live, CaptureSink(24_000))
    conversation.start()
    try:
        await push_realtime(conversation, np.concatenate([silence(0.3), first, silence(0.19), second, silence(2.0)]))
        final = await wait_for_final(events, "pause", timeout=20)
    finally:
        await conversation.close()
    assert word_overlap("what is the weather like in paris tomorrow", final.text) >= 0.85, final.text


def trimmed(samples: np.ndarray) -> np.ndarray:
    """Speech without its leading and trailing near-silence, so a test controls the pauses exactly."""
    loud = np.flatnonzero(np.abs(samples) > 300)
    return samples[loud[0]: loud[-1] + 1]


async def wait_for_final(events: list[Event], session_id: str, timeout: float) -> UserTranscript:
    for _ in range(int(timeout * 20)):
        finals = [e for e in events if isinstance(e, UserTranscript) and e.final and e.session_id == session_id]
        if finals:
            return finals[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no final transcript within {timeout} s")


async def test_a_new_turn_never_plays_over_a_running_answer(engines, bus, events, live) -> None:
    """A turn that ends while an answer plays (the user went on during its transcription) replaces it."""
    from firmware_py.listening import TurnTiming

    conversation = Conversation("overlap", engines, bus, live, CaptureSink(24_000))
    conversation.start()
    try:
        await conversation.send_text("Tell me a long story about a brave little dragon.")
        await wait_for(events, BotStartedSpeaking, "overlap", timeout=60)
        await conversation.on_user_turn("What is two plus two?", TurnTiming())
        await wait_for(events, BotStartedSpeaking, "overlap", timeout=60, count=2)
    finally:
        await conversation.close()
    kinds = [e.kind for e in events if e.session_id == "overlap"]
    second_start = [i for i, k in enumerate(kinds) if k == "bot-llm-started"][1]
    assert "bot-interrupted" in kinds[:second_start]
    starts, stops = kinds.count("bot-started-speaking"), kinds.count("bot-stopped-speaking")
    assert stops >= starts - 1, "at most one answer is playing at any time"
