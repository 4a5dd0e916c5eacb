"""From raw runs to the results file's summaries, targets and a Markdown table (pure functions)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any, Mapping

from .stats import summarize, summarize_fields
from .timeline import MILESTONES, SERVER_TTFB

TARGETS = (
    # (name, path in results, target, unit, lower is better)
    ("pipeline overhead (RTVI)", ("overhead", "rtvi", "median"), 1.15, "x", True),
    ("pipeline overhead (local)", ("overhead", "local", "median"), 1.15, "x", True),
    ("peak RSS, default models", ("resources", "peak_rss_mb"), 700.0, "MB", True),
    ("idle-listening CPU, one client", ("resources", "idle_cpu", "one_client_silence_percent"), 5.0, "% of a core", True),
    ("start-up to ready", ("startup", "ready_secs", "median"), 3.0, "s", True),
)


def turn_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Summaries of a list of turn rows (RTVI or local)."""
    milestone_keys = [key for key, _ in MILESTONES]
    return {
        "voice_to_voice": summarize(r.get("voice_to_voice") for r in rows),
        "milestones": summarize_fields(rows, milestone_keys),
        "server_ttfb": summarize_fields(rows, [f"server_{name}" for name in SERVER_TTFB]),
        "engine_secs": summarize_fields(rows, sorted({k for r in rows for k in r if k.startswith("engine_")})),
        "late_frames": sum(r.get("late_frames", 0) for r in rows),
        "runs": rows,
    }


def per_question_median(rows: list[Mapping[str, Any]], key: str) -> dict[str, float]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        if isinstance(row.get(key), (int, float)):
            grouped[row["question"]].append(row[key])
    return {question: statistics.median(values) for question, values in grouped.items()}


def overhead_ratios(turns: list[Mapping[str, Any]], floors: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Per question: median voice-to-voice / median floor; summarized over questions."""
    pipeline, floor = per_question_median(turns, "voice_to_voice"), per_question_median(floors, "floor")
    ratios = {q: round(pipeline[q] / floor[q], 3) for q in pipeline.keys() & floor.keys() if floor[q] > 0}
    return {**summarize(ratios.values(), 3), "per_question": ratios}


def evaluate_targets(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, path, target, unit, lower in TARGETS:
        value = _dig(results, path)
        ok = None if value is None else (value <= target if lower else value >= target)
        rows.append({"name": name, "value": value, "target": target, "unit": unit, "ok": ok})
    return rows


def _fmt(value: Any, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _stat_row(label: str, summary: Mapping[str, Any] | None, unit: str = "s") -> str:
    s = summary or {}
    return (f"| {label} | {_fmt(s.get('median'))} | {_fmt(s.get('p95'))} | {_fmt(s.get('min'))}-{_fmt(s.get('max'))} "
            f"| {s.get('n', 0)} | {unit} |")


def markdown_summary(results: Mapping[str, Any]) -> str:
    """The headline table (median, p95, range, runs) and the targets, as Markdown."""
    get = lambda *path: _dig(results, path)  # noqa: E731
    lines = ["| figure | median | p95 | range | runs | unit |", "|---|---|---|---|---|---|"]
    lines += [
        _stat_row("voice-to-voice, RTVI WebSocket", get("rtvi", "voice_to_voice")),
        _stat_row("voice-to-voice, local audio path", get("local", "voice_to_voice")),
        _stat_row("barge-in: speech onset to last bot audio", get("barge_in", "reaction")),
        _stat_row("barge-in minus VAD start_secs", get("barge_in", "reaction_minus_vad_start")),
        _stat_row("STT floor (whole question)", get("floors", "stt")),
        _stat_row("LLM floor: first token", get("floors", "llm_first_token")),
        _stat_row("LLM floor: first sentence", get("floors", "llm_first_sentence")),
        _stat_row("TTS floor: first sentence", get("floors", "tts_first_sentence")),
        _stat_row("floor sum (turn-end wait + STT + LLM + TTS)", get("floors", "floor")),
        _stat_row("overhead ratio, RTVI", get("overhead", "rtvi"), "x"),
        _stat_row("overhead ratio, local", get("overhead", "local"), "x"),
        _stat_row("start-up to ready line", get("startup", "ready_secs")),
        _stat_row("start-up to engines warm", get("startup", "warm_secs")),
    ]
    for level, data in (get("concurrency", "levels") or {}).items():
        lines.append(_stat_row(f"{level} concurrent clients: voice-to-voice", data.get("voice_to_voice")))
    lines += ["", "| target | measured | target | met |", "|---|---|---|---|"]
    for row in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "n/a"}[row["ok"]]
        lines.append(f"| {row['name']} | {_fmt(row['value'])} {row['unit']} | <= {row['target']:g} {row['unit']} | {met} |")
    return "\n".join(lines)


def _dig(tree: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = tree
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value
