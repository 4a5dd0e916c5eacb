"""Summary statistics over repeated measurements (pure functions, no I/O)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(values: Iterable[float | None], digits: int = 4) -> dict[str, Any]:
    """n, median, p95, min, max, IQR and stdev of the values that are not None (n=0 when there are none)."""
    clean = [float(v) for v in values if v is not None and math.isfinite(v)]
    if not clean:
        return {"n": 0}
    r = lambda x: round(x, digits)  # noqa: E731 - tiny local formatter
    return {
        "n": len(clean),
        "median": r(statistics.median(clean)),
        "p95": r(percentile(clean, 95)),
        "min": r(min(clean)),
        "max": r(max(clean)),
        "iqr": r(percentile(clean, 75) - percentile(clean, 25)),
        "stdev": r(statistics.stdev(clean)) if len(clean) > 1 else 0.0,
    }


def summarize_fields(rows: list[Mapping[str, Any]], keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """`summarize` of each key across rows (rows missing the key count as absent)."""
    return {key: summarize(row.get(key) for row in rows) for key in keys}


def median_or_none(summary: Mapping[str, Any] | None) -> float | None:
    return summary.get("median") if summary else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator
