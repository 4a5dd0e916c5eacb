"""One measured voice turn as a row: times of the pipeline's milestones after the last voiced sample.

The RTVI client and the in-process run observe the same milestones (client arrival times, or bus
publish times), so both produce rows of the same shape and the same stage breakdown.
"""

from __future__ import annotations

from typing import Any, Mapping

MILESTONES = (
    ("user_stopped", "user-stopped-speaking"),
    ("transcript_final", "user-transcription (final)"),
    ("llm_started", "bot-llm-started"),
    ("llm_first_text", "first bot-llm-text"),
    ("bot_started_speaking", "bot-started-speaking"),
    ("voice_to_voice", "first bot audio"),
)
"""(row key, what marks it), in pipeline order; each value is seconds after the last voiced sample."""

STAGES = (
    ("turn end", "user_stopped"),
    ("STT", "transcript_final"),
    ("to LLM", "llm_started"),
    ("LLM first token", "llm_first_text"),
    ("first sentence + TTS", "bot_started_speaking"),
    ("audio out", "voice_to_voice"),
)
"""Stacked-bar segments: each ends at a milestone and starts at the previous one."""

SERVER_TTFB = ("stt", "llm", "tts", "voice_to_voice")


def turn_row(last_voiced_at: float, marks: Mapping[str, float | None], server_ttfb: Mapping[str, float],
             server_processing: Mapping[str, float] | None = None, **extra: Any) -> dict[str, Any]:
    """Milestones relative to `last_voiced_at` (None when not seen) plus the server's own figures:
    ttfb per stage and processing (time inside each engine: stt, turn, tts)."""
    row: dict[str, Any] = dict(extra)
    for key, _ in MILESTONES:
        at = marks.get(key)
        row[key] = None if at is None else round(at - last_voiced_at, 4)
    for name in SERVER_TTFB:
        row[f"server_{name}"] = server_ttfb.get(name)
    for name, value in (server_processing or {}).items():
        row[f"engine_{name}_secs"] = value
    return row


def stage_medians(milestone_medians: Mapping[str, float | None]) -> dict[str, float]:
    """Segment lengths from the medians of cumulative milestones (missing ones merge into the next)."""
    segments: dict[str, float] = {}
    previous = 0.0
    for label, key in STAGES:
        value = milestone_medians.get(key)
        if value is None:
            continue
        segments[label] = max(0.0, value - previous)
        previous = max(previous, value)
    return segments


def metrics_section(data: Any, section: str = "ttfb") -> dict[str, float]:
    """The `ttfb` (or `processing`) list of an RTVI `metrics` message as {processor: seconds}."""
    items = data.get(section, []) if isinstance(data, dict) else []
    return {item["processor"]: float(item["value"]) for item in items
            if isinstance(item, dict) and "processor" in item and "value" in item}


def playback_underruns(arrivals: list[tuple[float, int]], rate: int, jitter_secs: float = 0.1) -> dict[str, float]:
    """How a client playing frames as they arrive (after a `jitter_secs` buffer) would fare.

    A frame is late when it arrives after the playhead reached its start; the playhead then waits for it,
    and the wait is audible as a gap (underrun).
    """
    if not arrivals:
        return {"frames": 0, "late_frames": 0, "underrun_secs": 0.0}
    playhead = arrivals[0][0] + jitter_secs
    late, underrun = 0, 0.0
    for at, samples in arrivals:
        if at > playhead:
            late += 1
            underrun += at - playhead
            playhead = at
        playhead += samples / rate
    return {"frames": len(arrivals), "late_frames": late, "underrun_secs": round(underrun, 4)}
