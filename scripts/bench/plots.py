"""One PNG: latency distributions (left) and the voice-to-voice stage breakdown as stacked bars (right)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import matplotlib

matplotlib.use("Agg")  # files only: never a display
import matplotlib.pyplot as plt  # noqa: E402

from .timeline import STAGES, stage_medians  # noqa: E402

COLOURS = dict(zip([label for label, _ in STAGES], ("#9aa5b1", "#4c78a8", "#bab0ac", "#f58518", "#54a24b", "#e45756")))


def distributions(results: Mapping[str, Any]) -> dict[str, list[float]]:
    """{label: per-run values (s)} for every latency series present in the results."""
    series: dict[str, list[float]] = {}

    def add(label: str, rows: list[Mapping[str, Any]] | None, key: str) -> None:
        values = [r[key] for r in rows or [] if isinstance(r.get(key), (int, float))]
        if values:
            series[label] = values

    add("RTVI voice-to-voice", results.get("rtvi", {}).get("runs"), "voice_to_voice")
    add("local voice-to-voice", results.get("local", {}).get("runs"), "voice_to_voice")
    add("barge-in reaction", results.get("barge_in", {}).get("runs"), "reaction")
    for level, data in (results.get("concurrency", {}).get("levels") or {}).items():
        add(f"N={level} clients at once", data.get("runs"), "voice_to_voice")
    return series


def breakdowns(results: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """{bar label: {stage: seconds}} for the RTVI path, the local path and the engine floors."""
    bars: dict[str, dict[str, float]] = {}
    for name in ("rtvi", "local"):
        milestones = results.get(name, {}).get("milestones") or {}
        medians = {key: value.get("median") for key, value in milestones.items() if isinstance(value, Mapping)}
        segments = stage_medians(medians)
        if segments:
            bars[f"{name} (median)"] = segments
    floors = results.get("floors") or {}
    if floors.get("stt", {}).get("n"):
        first_token = floors["llm_first_token"].get("median") or 0.0
        bars["engine floors"] = {
            "turn end": floors.get("turn_end_wait", 0.0),
            "STT": floors["stt"]["median"],
            "LLM first token": first_token,
            "first sentence + TTS": (floors["llm_first_sentence"].get("median") or 0.0) - first_token
                                    + (floors["tts_first_sentence"].get("median") or 0.0),
        }
    return bars


def plot_results(results: Mapping[str, Any], path: Path) -> Path:
    series, bars = distributions(results), breakdowns(results)
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1.3, 1]})
    if series:
        labels = list(series)
        left.boxplot([series[k] for k in labels], orientation="horizontal", tick_labels=labels, showfliers=False)
        for index, label in enumerate(labels, start=1):
            values = series[label]
            left.scatter(values, [index + 0.12 * ((i % 5) - 2) / 2 for i in range(len(values))], s=10, alpha=0.6)
    left.set_xlabel("seconds")
    left.set_title("latency per run (box: quartiles)")
    left.grid(axis="x", alpha=0.3)
    names = list(bars)
    tallest = max((sum(stages.values()) for stages in bars.values()), default=1.0)
    for position, name in enumerate(names):
        bottom = 0.0
        for stage, seconds in bars[name].items():
            right.bar(position, seconds, bottom=bottom, color=COLOURS.get(stage), label=stage if position == 0 else None)
            bottom += seconds
        right.text(position, bottom, f"{bottom:.2f} s", ha="center", va="bottom", fontsize=8)
    right.set_xticks(range(len(names)), names, fontsize=8)
    right.set_ylim(0, tallest * 1.12)  # room for the totals above the bars
    right.set_ylabel("seconds after the last voiced sample")
    right.set_title("voice-to-voice by stage")
    handles = [plt.Rectangle((0, 0), 1, 1, color=COLOURS[label]) for label, _ in STAGES]
    right.legend(handles, [label for label, _ in STAGES], fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    right.grid(axis="y", alpha=0.3)
    figure.suptitle(results.get("title", "rtvi-edge benchmarks"), fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return path
