"""Per-turn latency figures, published as one `Metrics` event and one log line."""

from __future__ import annotations

import logging

from .events import EventBus, Metrics
from .listening import TurnTiming
from .speaking import BotSpeech

log = logging.getLogger(__name__)


def publish_turn_metrics(bus: EventBus, session_id: str, timing: TurnTiming, llm_started: float,
                         first_token_at: float | None, speech: BotSpeech | None) -> Metrics:
    """ttfb: time to first result of each stage; processing: time spent inside each engine (seconds)."""
    ttfb: dict[str, float] = {}
    processing: dict[str, float] = {}
    spoken_turn = timing.speech_end_at > 0
    if spoken_turn and timing.transcript_at:
        ttfb["stt"] = timing.transcript_at - timing.speech_end_at
        processing["stt"] = timing.stt_secs
        processing["turn"] = timing.turn_secs
    if first_token_at:
        ttfb["llm"] = first_token_at - llm_started
    if speech and speech.first_audio_ready_at and first_token_at:
        ttfb["tts"] = speech.first_audio_ready_at - first_token_at
        processing["tts"] = speech.tts_secs
    if speech and speech.first_audio_out_at:
        start = timing.speech_end_at if spoken_turn else llm_started
        ttfb["voice_to_voice" if spoken_turn else "text_to_voice"] = speech.first_audio_out_at - start
    event = Metrics(session_id=session_id, ttfb={k: round(v, 4) for k, v in ttfb.items()},
                    processing={k: round(v, 4) for k, v in processing.items()})
    bus.publish(event)
    log.info("turn metrics", extra={"session": session_id, **{f"ttfb_{k}": v for k, v in event.ttfb.items()}})
    return event
