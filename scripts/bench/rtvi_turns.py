"""Voice turns and barge-in through the RTVI WebSocket, as a Pipecat client would live them."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from .client import BenchClient
from .questions import Clip
from .timeline import metrics_section, playback_underruns, turn_row

log = logging.getLogger(__name__)

LEAD_SILENCE_SECS = 0.5
"""Silence streamed before a question, as a microphone that was already open."""
ANSWER_SECS = 90.0
"""Longest spoken answer waited for (max_tokens of speech at real-time pace)."""


def is_final(data: Any) -> bool:
    return isinstance(data, dict) and data.get("final") is True


def client_marks(client: BenchClient, after: float) -> dict[str, float | None]:
    """Arrival times of the turn's milestones (first of each after `after`)."""
    def at(msg_type: str, where: Any = None) -> float | None:
        found = client.first(msg_type, after, where)
        return found.at if found else None

    return {
        "user_stopped": at("user-stopped-speaking"),
        "transcript_final": at("user-transcription", is_final),
        "llm_started": at("bot-llm-started"),
        "llm_first_text": at("bot-llm-text"),
        "bot_started_speaking": at("bot-started-speaking"),
        "voice_to_voice": client.first_audio_after(after),
    }


def answer_text(client: BenchClient, after: float) -> str:
    return "".join(m.data.get("text", "") for m in client.messages
                   if m.at >= after and m.type == "bot-llm-text" and isinstance(m.data, dict))


async def connect_voice_client(url: str) -> BenchClient:
    client = BenchClient(url)
    await client.open()
    await client.ready()
    client.mic.start()
    return client


async def ask(client: BenchClient, clip: Clip, timeout: float) -> dict[str, Any]:
    """Stream `clip` and wait for the whole spoken answer; returns the turn row."""
    marks = await client.mic.play(clip.samples, {"first": clip.first_voiced, "last": clip.last_voiced})
    first_at, last_at = marks["first"], marks["last"]
    started = await client.wait_for("bot-started-speaking", after=last_at, timeout=timeout)
    await client.wait_for("bot-stopped-speaking", after=started.at, timeout=ANSWER_SECS)
    metrics = await client.wait_for("metrics", after=last_at, timeout=10)
    row = turn_row(last_at, client_marks(client, first_at), metrics_section(metrics.data),
                   metrics_section(metrics.data, "processing"), question=clip.question.text, voice=clip.question.label, clip_secs=round(clip.secs, 2))
    final = client.first("user-transcription", first_at, is_final)
    row["transcript"] = final.data.get("text", "") if final else ""
    row["answer"] = answer_text(client, last_at)
    answer_audio = [(at, n) for at, n in client.audio if at >= last_at]
    row.update(playback_underruns(answer_audio, client.audio_rate))
    row["answer_audio_secs"] = round(sum(n for _, n in answer_audio) / client.audio_rate, 2)
    return row


async def rtvi_turn(url: str, clip: Clip, timeout: float = 30.0) -> dict[str, Any]:
    """One question on a fresh connection (a fresh conversation, so every run has the same context)."""
    client = await connect_voice_client(url)
    try:
        await asyncio.sleep(LEAD_SILENCE_SECS)
        return await ask(client, clip, timeout)
    finally:
        await client.close()


def last_old_frame(client: BenchClient, onset: float, stopped_at: float, grace: float = 0.3) -> float | None:
    """Arrival of the last frame of the interrupted answer: after the onset, before the stop message plus a
    short grace (frames already in flight), and before the next answer starts."""
    restart = client.first("bot-started-speaking", stopped_at)
    limit = min(stopped_at + grace, restart.at if restart else float("inf"))
    frames = [at for at, _ in client.audio if onset <= at <= limit]
    return max(frames) if frames else None


async def barge_in(url: str, long_question: Clip, interruption: Clip, vad_start_secs: float,
                   into_answer_secs: float = 1.0, timeout: float = 90.0) -> dict[str, Any]:
    """Ask for a long answer, speak over it, and time how long the bot kept talking."""
    client = await connect_voice_client(url)
    try:
        await asyncio.sleep(LEAD_SILENCE_SECS)
        marks = await client.mic.play(long_question.samples, {"last": long_question.last_voiced})
        speaking = await client.wait_for("bot-started-speaking", after=marks["last"], timeout=timeout)
        await asyncio.sleep(max(0.0, speaking.at + into_answer_secs - time.monotonic()))
        onset_marks = await client.mic.play(interruption.samples, {"onset": interruption.first_voiced})
        onset = onset_marks["onset"]
        row: dict[str, Any] = {"question": long_question.question.text, "interruption": interruption.question.text}
        try:
            stop = await client.wait_for("bot-interrupted", after=onset, timeout=10)
        except TimeoutError:
            still = client.first("bot-stopped-speaking", speaking.at)
            row["error"] = ("answer ended before the interruption" if still and still.at < onset
                            else "no bot-interrupted within 10 s")
            return row
        await asyncio.sleep(0.5)  # let frames already in flight arrive
        last = last_old_frame(client, onset, stop.at)
        started = sum(1 for m in client.messages if m.at < onset and m.type == "bot-started-speaking")
        stopped = sum(1 for m in client.messages if m.at < onset and m.type == "bot-stopped-speaking")
        row["answers_playing_at_onset"] = started - stopped  # more than 1: two answers were being spoken at once
        heard = client.first("user-started-speaking", onset)
        row["user_started_after_secs"] = round(heard.at - onset, 4) if heard else None
        row["interrupted_after_secs"] = round(stop.at - onset, 4)
        row["reaction"] = round((last if last is not None else onset) - onset, 4)
        row["reaction_minus_vad_start"] = round(row["reaction"] - vad_start_secs, 4)
        row["frames_after_onset"] = sum(1 for at, _ in client.audio if onset <= at <= (last or onset))
        return row
    finally:
        await client.close()
