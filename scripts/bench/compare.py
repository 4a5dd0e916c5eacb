"""Comparing a results file with the previous one: every median (and scalar figure) side by side."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SKIPPED_SECTIONS = ("machine", "config", "runs", "load")
"""Descriptive parts of a results file; they are not figures to compare."""


def headline_figures(results: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Flatten a results tree to {"rtvi.voice_to_voice": median, "resources.peak_rss_mb": value, ...}."""
    figures: dict[str, float] = {}
    for key, value in results.items():
        if key in SKIPPED_SECTIONS:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            if "median" in value and isinstance(value["median"], (int, float)):
                figures[path] = float(value["median"])
            else:
                figures.update(headline_figures(value, path + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            figures[path] = float(value)
    return figures


def compare(previous: Mapping[str, Any], current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per figure present in both files: before, after, absolute and relative change."""
    before, after = headline_figures(previous), headline_figures(current)
    rows = []
    for path in sorted(before.keys() & after.keys()):
        old, new = before[path], after[path]
        change = new - old
        rows.append({"figure": path, "before": old, "after": new, "change": change,
                     "percent": (100.0 * change / abs(old)) if old else None})
    return rows


def format_comparison(rows: list[dict[str, Any]], min_percent: float = 0.0) -> str:
    """A text table of the rows whose relative change is at least `min_percent`."""
    shown = [r for r in rows if r["change"] and (r["percent"] is None or abs(r["percent"]) >= min_percent)]
    if not shown:
        return "no figure changed by more than {:.0f}%".format(min_percent)
    width = max(len(r["figure"]) for r in shown)
    lines = [f"{'figure':<{width}}  {'before':>10}  {'after':>10}  {'change':>8}"]
    for r in shown:
        percent = "n/a" if r["percent"] is None else f"{r['percent']:+.1f}%"
        lines.append(f"{r['figure']:<{width}}  {r['before']:>10.4g}  {r['after']:>10.4g}  {percent:>8}")
    return "\n".join(lines)


def load_previous(path: Path) -> dict[str, Any] | None:
    """The previous results, or None when there are none or the file is unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
