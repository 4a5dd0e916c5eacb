"""The local-audio path in this process: the shared engines and a Conversation fed from an ArraySource.

No daemon and no network: what is left of the voice-to-voice time is the conversation engine itself, so
comparing it with the RTVI figure shows the cost of the WebSocket path.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from firmware_py.audio.frames import AudioFrame
from firmware_py.audio.io import ArraySource, CaptureSink
from firmware_py.config import Settings
from firmware_py.events import (BotLlmStarted, BotLlmText, BotStartedSpeaking, BotStoppedSpeaking, Event, EventBus,
                                Metrics, UserStoppedSpeaking, UserTranscript)
from firmware_py.live_config import LiveSettings

from .questions import Clip
from .timeline import turn_row

TAIL_SILENCE_SECS = 3.0
"""Silence after the question: enough for any turn-end decision (max_silence_secs is 1.5 s)."""


class MarkedArraySource(ArraySource):
    """An ArraySource that notes when the frame holding each marked sample was delivered."""

    def __init__(self, clip: Clip, marks: dict[str, int]) -> None:
        super().__init__(clip.samples, 16_000, realtime=True, tail_silence_secs=TAIL_SILENCE_SECS)
        self.marks = marks
        self.delivered: dict[str, float] = {}

    async def frames(self) -> AsyncIterator[AudioFrame]:
        position = 0
        async for frame in super().frames():
            now = time.monotonic()
            for name, sample in self.marks.items():
                if position <= sample < position + len(frame.samples):
                    self.delivered[name] = now
            position += len(frame.samples)
            yield frame


def bench_settings() -> Settings:
    """The daemon's defaults, without the device's own audio."""
    settings = Settings()
    return replace(settings, audio=replace(settings.audio, enabled=False))


class BusRecorder:
    """Publish times (time.monotonic) of one session's events."""

    def __init__(self, bus: EventBus, session_id: str) -> None:
        self.events: list[tuple[float, Event]] = []
        self._unsubscribe = bus.subscribe(lambda e: self.events.append((time.monotonic(), e)), session_id=session_id)

    def close(self) -> None:
        self._unsubscribe()

    def first(self, kind: type[Event], after: float, where: Any = None) -> tuple[float, Event] | None:
        return next(((at, e) for at, e in self.events if at >= after and isinstance(e, kind)
                     and (where is None or where(e))), None)

    async def wait(self, kind: type[Event], after: float, timeout: float) -> tuple[float, Event]:
        deadline = time.monotonic() + timeout
        while (found := self.first(kind, after)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {kind.kind} within {timeout:g} s")
            await asyncio.sleep(0.02)
        return found


async def local_turn(engines: Any, bus: EventBus, settings: Settings, clip: Clip, session_id: str,
                     timeout: float = 90.0) -> dict[str, Any]:
    """One question through a fresh Conversation (device-style source and a real-time capture sink)."""
    from firmware_py.conversation import Conversation

    await reset_llm_cache(engines, settings)
    live = LiveSettings(settings, bus)
    source = MarkedArraySource(clip, {"first": clip.first_voiced, "last": clip.last_voiced})
    sink = CaptureSink(24_000, realtime=True)
    recorder = BusRecorder(bus, session_id)
    conversation = Conversation(session_id, engines, bus, live, sink, source)
    conversation.start()
    try:
        deadline = time.monotonic() + timeout
        while "last" not in source.delivered:
            if time.monotonic() > deadline:
                raise TimeoutError("question was never delivered")
            await asyncio.sleep(0.05)
        first_at, last_at = source.delivered["first"], source.delivered["last"]
        await recorder.wait(BotStoppedSpeaking, last_at, timeout)
        _, metrics = await recorder.wait(Metrics, last_at, 10)
        marks = {
            "user_stopped": _at(recorder.first(UserStoppedSpeaking, first_at)),
            "transcript_final": _at(recorder.first(UserTranscript, first_at, lambda e: e.final)),
            "llm_started": _at(recorder.first(BotLlmStarted, first_at)),
            "llm_first_text": _at(recorder.first(BotLlmText, first_at)),
            "bot_started_speaking": _at(recorder.first(BotStartedSpeaking, first_at)),
            "voice_to_voice": sink.first_write_at,
        }
        assert isinstance(metrics, Metrics)
        row = turn_row(last_at, marks, metrics.ttfb, metrics.processing, question=clip.question.text, voice=clip.question.label,
                       clip_secs=round(clip.secs, 2))
        row["transcript"], row["answer"] = conversation.last_transcript, conversation.last_answer
        return row
    finally:
        recorder.close()
        await conversation.close()


def _at(found: tuple[float, Event] | None) -> float | None:
    return found[0] if found else None


async def reset_llm_cache(engines: Any, settings: Settings) -> None:
    """Bring the LLM's prompt cache back to the warm prefix (system prompt and tools, ~30 ms).

    Without it, a run that repeats the previous run's question would find the whole prompt cached and look
    faster than any real turn, which always brings new user words.
    """
    await engines.llm.warm_up(settings.llm.system_prompt, engines.tools.schemas())


async def load_bench_engines(bus: EventBus, settings: Settings) -> Any:
    """The default engines, loaded and warmed exactly as the daemon does it."""
    from firmware_py.engines import load_engines
    from firmware_py.models import models_dir
    from tests.conversation.conftest import NoDevice  # volume/mute of a machine with no speaker

    engines = await load_engines(settings, models_dir(settings.models.dir), bus, NoDevice())
    await engines.warm_up(settings.llm.system_prompt)
    return engines
