"""From judged request rows to per-category and per-intent figures, targets and Markdown (pure functions)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Iterable, Mapping

from firmware_py.llm.repeats import says_the_request_back

from .command_corpus import CATEGORIES, COMMAND, QUESTION
from .command_judge import CATEGORY_NAMES
from .stats import summarize

TARGETS = (
    # (name, category, figure, target, lower is better)
    ("commands: voice-to-voice median", COMMAND, ("voice_to_voice", "median"), 0.45, True),
    ("questions: voice-to-voice median", QUESTION, ("voice_to_voice", "median"), 0.80, True),
    ("commands: accuracy with arguments", COMMAND, ("accuracy",), 0.95, False),
    ("all: wrong-action rate", None, ("wrong_action_rate",), 0.0, True),
    ("all: no-answer rate", None, ("no_answer_rate",), 0.0, True),
)


HEARD_RIGHT_WER = 0.25
"""A request counts as heard right when its final transcript is within this word error rate of what was meant."""


def heard_right(row: Mapping[str, Any]) -> bool:
    """Whether speech recognition got the request (so a failure is the understanding's, not the hearing's)."""
    from tests.speechgen import word_error_rate

    if not row.get("intended") or not row.get("transcript"):
        return False
    return word_error_rate(str(row["intended"]), str(row["transcript"]).replace(" / ", " ")) <= HEARD_RIGHT_WER


def said_back(row: Mapping[str, Any]) -> bool:
    """Whether the answer said the request back (a sentence of it is a run of the words heard). The benchmark
    leaves at the first audio, so a replaced answer often shows as the LLM wrote it (the daemon logs each
    replacement: "answer said the request back")."""
    request = str(row.get("transcript") or "").replace(" / ", " ")
    sentences = re.findall(r"[^.!?]+[.!?]*", str(row.get("bot_text") or ""))
    return any(says_the_request_back(sentence.strip(), request) for sentence in sentences)


def group_figures(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Accuracy, no-answer and wrong-action rates, and voice-to-voice of a group of rows; accuracy also
    over the requests speech recognition heard right."""
    judged = [r for r in rows if r.get("outcome") != "skipped"]
    heard = [r for r in judged if heard_right(r)]
    n = len(judged)
    rate = lambda key: round(sum(1 for r in judged if r.get(key)) / n, 4) if n else None  # noqa: E731
    return {
        "n": n,
        "ok": sum(1 for r in judged if r.get("ok")),
        "accuracy": rate("ok"),
        "no_answer_rate": round(sum(1 for r in judged if not r.get("answered")) / n, 4) if n else None,
        "wrong_action_rate": rate("wrong_action"),
        "voice_to_voice": summarize(r.get("voice_to_voice") for r in judged),
        "heard_right": len(heard),
        "accuracy_heard_right": round(sum(1 for r in heard if r.get("ok")) / len(heard), 4) if heard else None,
        "said_back": sum(1 for r in judged if said_back(r)),
        "skipped": len(rows) - n,
    }


def grouped(rows: Iterable[Mapping[str, Any]], key: str) -> dict[str, list[Mapping[str, Any]]]:
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row.get(key))].append(row)
    return dict(groups)


def summarize_rows(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Figures for all rows, per category, per split and category, per intent, per condition and voice."""
    by_split = {split: {cat: group_figures(part) for cat, part in grouped(split_rows, "category").items()}
                for split, split_rows in grouped(rows, "split").items()}
    return {
        "all": group_figures(rows),
        "category": {cat: group_figures(part) for cat, part in grouped(rows, "category").items()},
        "split": by_split,
        "intent": {name: group_figures(part) for name, part in sorted(grouped(rows, "intent").items())},
        "condition": {name: group_figures(part) for name, part in sorted(grouped(rows, "condition").items())},
        "voice": {name: group_figures(part) for name, part in sorted(grouped(rows, "voice").items())},
        "failures": failures(rows),
    }


def failures(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    keys = ("case_id", "run", "split", "category", "voice", "condition", "text", "transcript", "outcome", "detail",
            "bot_text", "actions")
    return [{k: row.get(k) for k in keys} for row in rows if not row.get("ok") and row.get("outcome") != "skipped"]


def evaluate_targets(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, category, path, target, lower in TARGETS:
        value: Any = summary["all"] if category is None else summary["category"].get(category, {})
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        ok = None if value is None else (value <= target if lower else value >= target)
        out.append({"name": name, "value": value, "target": target, "ok": ok})
    return out


def _pct(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:.1f} %" if 0 < value < 0.095 else f"{100 * value:.0f} %"  # 0.5 % is not "0 %"


def _secs(summary: Mapping[str, Any] | None, key: str) -> str:
    value = (summary or {}).get(key)
    return "n/a" if value is None else f"{value:.2f}"


def category_table(figures: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = ["| category | requests | accuracy | no answer | wrong action | voice-to-voice median | p95 "
             "| heard right | accuracy when heard right | LLM said the request back |", "|---|---|---|---|---|---|---|---|---|---|"]
    for category in CATEGORIES:
        f = figures.get(category)
        if not f:
            continue
        v2v = f["voice_to_voice"]
        lines.append(f"| {CATEGORY_NAMES[category]} | {f['n']} | {_pct(f['accuracy'])} | {_pct(f['no_answer_rate'])} "
                     f"| {_pct(f['wrong_action_rate'])} | {_secs(v2v, 'median')} s | {_secs(v2v, 'p95')} s "
                     f"| {f.get('heard_right', 'n/a')} | {_pct(f.get('accuracy_heard_right'))} | {f.get('said_back', 'n/a')} |")
    return lines


def markdown(results: Mapping[str, Any]) -> str:
    """Per category (all, then each split), per intent, the targets and the failures, as Markdown."""
    summary = results["summary"]
    lines = [f"Load average (1 min) median {results.get('load', {}).get('loadavg_1min', {}).get('median')}; "
             f"{summary['all']['n']} judged requests over {results['config']['runs']} run(s).", ""]
    lines += category_table(summary["category"])
    for split, figures in sorted(summary["split"].items()):
        lines += ["", f"Split `{split}`:", ""] + category_table(figures)
    lines += ["", "| intent | requests | accuracy | no answer | wrong action |", "|---|---|---|---|---|"]
    for name, f in summary["intent"].items():
        lines.append(f"| {name} | {f['n']} | {_pct(f['accuracy'])} | {_pct(f['no_answer_rate'])} "
                     f"| {_pct(f['wrong_action_rate'])} |")
    lines += ["", "| target | measured | target | met |", "|---|---|---|---|"]
    for t in results.get("targets", []):
        shown = _pct(t["value"]) if "rate" in t["name"] or "accuracy" in t["name"] else \
            ("n/a" if t["value"] is None else f"{t['value']:.2f} s")
        met = {True: "yes", False: "**no**", None: "n/a"}[t["ok"]]
        lines.append(f"| {t['name']} | {shown} | {t['target']:g} | {met} |")
    lines += ["", "Failures (heard = final transcript; did = actions run):", ""]
    for f in summary["failures"]:
        lines.append(f"- {f['case_id']} r{f['run']} {f['voice']} {f['condition']}: \"{f['text']}\" heard "
                     f"\"{f['transcript']}\" -> {f['outcome']}"
                     + (f" ({f['detail']})" if f.get("detail") else "")
                     + (f"; did {f['actions']}" if f.get("actions") else "")
                     + (f"; said \"{(f.get('bot_text') or '')[:80]}\"" if f.get("bot_text") else ""))
    return "\n".join(lines)


def comparison_markdown(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """Before/after per category: accuracy, no answer, wrong action, voice-to-voice median and p95."""
    summaries = {id(r): summarize_rows(r["rows"]) if "rows" in r else r["summary"] for r in (before, after)}

    def cell(results: Mapping[str, Any], category: str) -> list[str]:
        f = summaries[id(results)]["category"].get(category)
        if not f:
            return ["n/a"] * 6
        v2v = f["voice_to_voice"]
        return [_pct(f["accuracy"]), _pct(f.get("accuracy_heard_right")), _pct(f["no_answer_rate"]),
                _pct(f["wrong_action_rate"]), _secs(v2v, "median"), _secs(v2v, "p95")]

    def load(results: Mapping[str, Any]) -> str:
        return str(results.get("load", {}).get("loadavg_1min", {}).get("median"))

    lines = [f"before: {before.get('title')} (load {load(before)}); after: {after.get('title')} (load {load(after)})",
             "", "| category | accuracy | when heard right | no answer | wrong action | v2v median (s) | v2v p95 (s) |",
             "|---|---|---|---|---|---|---|"]
    for category in CATEGORIES:
        pairs = zip(cell(before, category), cell(after, category))
        lines.append(f"| {CATEGORY_NAMES[category]} | " + " | ".join(f"{b} → {a}" for b, a in pairs) + " |")
    return "\n".join(lines)
