"""One spoken request over a fresh RTVI connection, and the timers the requests leave behind.

A request is streamed in real time (lead, speech, then the same background for as long as the bot may
take), and everything the client and the MQTT listener receive from the first voiced sample on is kept.
The request is over when the bot stops speaking, when the LLM has finished and audio has started, or when
no audio came within the no-answer timeout.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

from .client import BenchClient
from .command_audio import CaseClip, noise
from .command_judge import Call, Observed, bot_text, calls_from_messages, device_topics
from .rtvi_turns import connect_voice_client, is_final
from .timeline import metrics_section

TAIL_SECS = 40.0
"""Background streamed after the request: longer than any wait below."""
ANSWER_CAP_SECS = 30.0
REST_TRANSCRIPT_SECS = 3.0
"""How long after the last voiced sample the words of the turn holding it may come back: the daemon's longest
silence (`turn.max_silence_secs`, 1.5 s by default) and a decode, with room to spare."""
POLL_SECS = 0.02


@dataclass
class RequestLog:
    """The raw observation of one request: times are seconds after the last voiced sample."""

    messages: list[tuple[str, Any]]
    mqtt: list[tuple[str, str]]
    voice_to_voice: float | None       # None also when the bot spoke before the user finished
    answered: bool
    marks: dict[str, float | None] = field(default_factory=dict)
    server_ttfb: dict[str, float] = field(default_factory=dict)

    def observed(self) -> Observed:
        transcript = " / ".join(str(d.get("text", "")) for t, d in self.messages
                                if t == "user-transcription" and is_final(d))
        return Observed(calls_from_messages(self.messages), bot_text(self.messages), transcript,
                        self.answered, self.mqtt)


async def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(POLL_SECS)
    return True


async def speak_request(url: str, clip: CaseClip, mqtt: Any, no_answer_secs: float) -> RequestLog:
    """Stream `clip` on a fresh connection and collect what comes back."""
    client = await connect_voice_client(url)
    try:
        mqtt_seen = len(mqtt.messages)
        marks_future = client.mic.play(clip.samples, {"first": clip.first_voiced, "last": clip.last_voiced})
        client.mic.play(noise(TAIL_SECS, clip.ambient_level, seed=len(clip.samples)))
        marks = await marks_future
        first, last = marks["first"], marks["last"]
        audio = await _until(lambda: client.first_audio_after(last) is not None, no_answer_secs)
        if audio:
            heard = client.first_audio_after(last) or last
            await _until(lambda: client.first("bot-stopped-speaking", heard) is not None
                         or client.first("bot-llm-stopped", last) is not None, ANSWER_CAP_SECS)
            await answer_to_the_rest(client, heard, last)
        await asyncio.sleep(0.3)  # late function-call and MQTT messages
        return _log(client, mqtt.messages[mqtt_seen:], first, last)
    finally:
        await client.close()


async def answer_to_the_rest(client: BenchClient, heard: float, last: float) -> None:
    """The request's rest may have cut into an answer to its first piece ("What is five? | Plus three."): when the
    words of its last piece came back after that answer began (`heard`), wait for the answer to them too. Those
    words come after the last voiced sample (`last`), once the turn holding it ends: waited for, not looked for at
    once (seed 937's "Plus three." came back after the harness had stopped listening, and the right answer to the
    whole request was missed)."""
    await _until(lambda: _final_transcript_after(client, last) is not None, REST_TRANSCRIPT_SECS)
    rest = _final_transcript_after(client, last)
    if rest is not None and rest.at > heard:
        await _until(lambda: client.first("bot-stopped-speaking", rest.at) is not None, ANSWER_CAP_SECS)


def _final_transcript_after(client: BenchClient, after: float) -> Any:
    return client.first("user-transcription", after, is_final)


def _log(client: BenchClient, mqtt_messages: list[Any], first: float, last: float) -> RequestLog:
    def after_last(msg_type: str, where: Any = None) -> float | None:
        found = client.first(msg_type, first, where)
        return None if found is None else round(found.at - last, 4)

    audio_at = client.first_audio_after(last)
    early = any(first <= at < last for at, _ in client.audio)  # a pause ended the turn: the bot talked over
    metrics = client.first("metrics", last)
    topics = set(device_topics())
    return RequestLog(
        messages=[(m.type, m.data) for m in client.messages if m.at >= first],
        mqtt=[(m.topic, m.payload) for m in mqtt_messages if m.topic in topics],
        voice_to_voice=None if audio_at is None or early else round(audio_at - last, 4),
        answered=audio_at is not None or early,
        marks={"user_stopped": after_last("user-stopped-speaking"),
               "transcript_final": after_last("user-transcription", is_final),
               "first_action": after_last("llm-function-call-started"),
               "llm_started": after_last("bot-llm-started"),
               "bot_started_speaking": after_last("bot-started-speaking"),
               "answered_during_request": 1.0 if early else None},
        server_ttfb=metrics_section(metrics.data) if metrics else {},
    )


async def send_typed(url: str, text: str, wait_for: str, timeout: float = 15.0) -> list[Call]:
    """Type `text` (send-text, no audio) on a fresh connection; wait for a `wait_for` call to finish."""
    client = BenchClient(url)
    await client.open()
    try:
        await client.ready()
        sent = time.monotonic()
        await client.send_message("send-text", {"content": text,
                                                "options": {"run_immediately": True, "audio_response": False}})
        await _until(lambda: any(c.name == wait_for and c.stopped for c in _calls(client, sent)), timeout)
        await asyncio.sleep(0.2)
        return _calls(client, sent)
    finally:
        await client.close()


def _calls(client: BenchClient, after: float) -> list[Call]:
    return calls_from_messages([(m.type, m.data) for m in client.messages if m.at >= after])


RING_AHEAD_SECS = 25.0
RING_BEHIND_SECS = 75.0   # the daemon's `timers.ring_secs` (60 s) and its last ring's words


@dataclass
class TrackedTimer:
    label: str
    due: float  # time.monotonic() when it fires; inf when paused or unknown
    paused: bool = False


class TimerLedger:
    """The device's running timers as the harness saw them set, changed and cancelled."""

    def __init__(self) -> None:
        self.timers: dict[str, TrackedTimer] = {}

    def live(self) -> list[TrackedTimer]:
        now = time.monotonic()
        self.timers = {k: t for k, t in self.timers.items() if t.due > now - 1.0}
        return list(self.timers.values())

    def clear(self) -> None:
        self.timers.clear()

    def rings_near(self, ahead: float = RING_AHEAD_SECS, behind: float = RING_BEHIND_SECS) -> bool:
        """Whether a timer set earlier may ring during the next request (it ends within `ahead`) or still rings
        (it ended within `behind`: a timer rings until answered or for its ringing time). A timer whose
        session has gone rings on the one still open, the next request's, so it would answer for it."""
        now = time.monotonic()
        return any(now - behind < t.due < now + ahead for t in self.timers.values())

    def record(self, calls: list[Call]) -> None:
        now = time.monotonic()
        for call in (c for c in calls if c.ran):
            result = call.result if isinstance(call.result, dict) else {}
            timer_id = str(result.get("timer_id", ""))
            if call.name in ("set_timer", "set_alarm", "run_later"):   # an alarm or a command for later: a timer too
                seconds = result.get("seconds")
                due = now + float(seconds) + 2.0 if isinstance(seconds, (int, float)) else math.inf
                self.timers[timer_id or f"t{len(self.timers)}"] = TrackedTimer(str(result.get("label", "")), due)
                if result.get("moved_from"):   # an alarm moved: the one it was is gone
                    for key in self._labelled(str(result["moved_from"]))[:1]:
                        del self.timers[key]
            elif call.name == "amend_timer" and timer_id in self.timers:   # the rest of a timer request: named, longer
                added = call.arguments.get("add_seconds", 0)
                due = self.timers[timer_id].due + (float(added) if isinstance(added, (int, float)) else 0.0)
                self.timers[timer_id] = TrackedTimer(str(result.get("label", "")), due)
            elif call.name == "cancel_timer":
                self._drop(timer_id, str(result.get("label", call.arguments.get("label", ""))))
            elif call.name in ("pause_timer", "resume_timer", "add_timer_time"):
                for key in [timer_id] if timer_id in self.timers else list(self.timers):
                    self.timers[key].due = math.inf  # the new due time is not in every result: keep it until reset
                    if call.name != "add_timer_time":
                        self.timers[key].paused = call.name == "pause_timer"

    def _drop(self, timer_id: str, label: str) -> None:
        if timer_id in self.timers:
            del self.timers[timer_id]
            return
        for key in self._labelled(label)[:1] or list(self.timers)[:1]:
            del self.timers[key]

    def _labelled(self, label: str) -> list[str]:
        """The keys of the timers called `label`, oldest first."""
        return [key for key, timer in self.timers.items() if timer.label.lower() == label.lower()]

    def paused(self) -> bool:
        """Whether the one live timer is paused (as the harness saw it paused and not resumed)."""
        live = self.live()
        return len(live) == 1 and live[0].paused

    def satisfies(self, needs: str | None, max_live: int = 15) -> bool:
        """Whether the state suits a request: `needs` "" = exactly one timer; a label = that timer runs
        (with at most two others); None = any state with room for new timers."""
        live = self.live()
        if needs is None:
            return len(live) < max_live
        if needs == "":
            return len(live) == 1
        return any(needs in t.label.lower() for t in live) and len(live) <= 3
