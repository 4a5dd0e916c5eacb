"""Typed phrasings through the intent layer: does each way people put a request run the right action?

`commands.py` measures spoken requests end to end; this measures the sentence layer alone, on many more
phrasings than the spoken corpus can hold, in milliseconds: each text goes through the intent responder
as the daemon builds it, with the spoken benchmark's six devices. Two sets, reported apart:

- `probed`: phrasings that went wrong when the thirteenth round probed the layer (a mute heard as "Un mute"
  muted, "Remove one minute from the timer" cancelled it, "Open the garage window" opened the garage door,
  a question ending in a duration set a timer...); the round's fixes were made against them, so their
  figure says what was fixed, not how the layer does on what nobody tried.
- `fresh`: written after those fixes and measured as they came; the nearer figure to held-out use.

Outcomes: right; `llm` (nobody claimed it: the LLM would answer); `asked` (a question back); `refused`
(as an unknown device); `wrong action` (an action other than the one asked for, or any action for words that
ask for none). Usage: `.venv/bin/python -m scripts.bench.phrasings [--out FILE]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.base import Answer
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers, IntentResponder

from .command_corpus import DEVICES
from .phrasing_sets import (COTTAGE, EIGHTEENTH, HOLIDAY_FLAT, TWENTIETH, TWENTY_FIRST, TWENTY_SECOND, TWENTY_THIRD, TWENTY_FOURTH, TWENTY_FIFTH, NURSERY_FLAT, FARMHOUSE, STUDIO_LOFT, TOWNHOUSE, WORKSHOP, EIGHTH, ELEVENTH, NINETEENTH, FAMILY_HOUSE, FIFTEENTH, FOURTEENTH, FRESH, LAST, LATER, MAKER_FLAT, NEWEST, NINTH, OTHER_HOUSE, PROBED,
                            SEVENTEENTH, SEVENTH, SIXTEENTH, TENTH, THIRTEENTH, TWELFTH, UNSEEN, Expected)

RESULTS = Path(__file__).resolve().parents[2] / "bench-results"


HOUSEHOLDS: dict[str, list[dict[str, Any]]] = {"eighth": OTHER_HOUSE, "ninth": MAKER_FLAT, "thirteenth": FAMILY_HOUSE,
                                               "fifteenth": OTHER_HOUSE, "sixteenth": MAKER_FLAT,
                                               "seventeenth": FAMILY_HOUSE, "eighteenth": COTTAGE,
                                               "nineteenth": COTTAGE, "twentieth": WORKSHOP,
                                               "twenty-first": HOLIDAY_FLAT,
                                               "twenty-second": NURSERY_FLAT, "twenty-third": STUDIO_LOFT, "twenty-fourth": TOWNHOUSE,
                                               "twenty-fifth": FARMHOUSE}
"""Sets measured with another household's devices than the spoken corpus's."""


def directory(devices: list[dict[str, Any]] | None = None) -> DeviceDirectory:
    return DeviceDirectory(parse_devices(devices if devices is not None else [
        {"name": d.name, "kind": d.kind, "area": d.area, "aliases": list(d.aliases), "command_topic": d.topic}
        for d in DEVICES]))


def responder_for(devices: DeviceDirectory) -> IntentResponder:
    responder = IntentResponder(IntentMatcher("en", devices), IntentAnswers(devices, ()))
    responder.warm_up()
    return responder


SETS: dict[str, list[tuple[str, str, Expected]]] = {
    "probed": PROBED, "fresh": FRESH, "later": LATER, "unseen": UNSEEN, "newest": NEWEST, "last": LAST,
    "seventh": SEVENTH, "eighth": EIGHTH, "ninth": NINTH, "tenth": TENTH, "eleventh": ELEVENTH, "twelfth": TWELFTH,
    "thirteenth": THIRTEENTH, "fourteenth": FOURTEENTH, "fifteenth": FIFTEENTH, "sixteenth": SIXTEENTH,
    "seventeenth": SEVENTEENTH, "eighteenth": EIGHTEENTH, "nineteenth": NINETEENTH, "twentieth": TWENTIETH,
    "twenty-first": TWENTY_FIRST, "twenty-second": TWENTY_SECOND, "twenty-third": TWENTY_THIRD, "twenty-fourth": TWENTY_FOURTH,
    "twenty-fifth": TWENTY_FIFTH}
"""Every typed set, by name (a set named in HOUSEHOLDS is matched with that household's devices)."""


def outcome(answer: Answer | None, devices: DeviceDirectory) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """What the layer did: ("llm" | "asked" | "told" | "stop" | "refused" | "acted", the actions run)."""
    if answer is None:
        return "llm", []
    if answer.command:
        return answer.command, []
    calls = [(call.name, dict(call.arguments)) for call in answer.actions]
    if not calls:
        return ("asked" if answer.text.rstrip().endswith("?") else "told"), []
    if answer.unknown_device or all(name in ("turn_on", "turn_off") and devices.find(str(args.get("device", ""))) is None
                                    for name, args in calls):
        return "refused", calls
    return "acted", calls


def _same(expected: list[tuple[str, dict[str, Any]]], done: list[tuple[str, dict[str, Any]]]) -> bool:
    def norm(calls: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, tuple[tuple[str, Any], ...]]]:
        return sorted((name, tuple(sorted((k, str(v).lower()) for k, v in args.items()))) for name, args in calls)
    return norm(expected) == norm(done)


def judge(expected: Expected, kind: str, done: list[tuple[str, dict[str, Any]]], said: str = "") -> str:
    if isinstance(expected, tuple):   # ("tell", words): told here, with those words
        told = kind == "told" and re.search(rf"\b{re.escape(expected[1])}\b", said) is not None
        return "right" if told else ("wrong answer" if kind == "told" else "wrong action" if kind == "acted" else kind)
    if expected == "pass":
        return "right" if kind in ("llm", "told") else ("wrong action" if kind == "acted" else kind)
    if expected in ("refuse", "stop"):
        wanted = "refused" if expected == "refuse" else "stop"
        return "right" if kind == wanted else ("wrong action" if kind == "acted" else kind)
    if expected == "ask":
        return "right" if kind == "asked" else ("wrong action" if kind in ("acted", "stop") else kind)
    if kind == "acted":
        return "right" if _same(expected, done) else "wrong action"
    return kind if kind in ("llm", "asked", "refused") else "wrong action" if kind == "stop" else "llm"


async def measure(sets: dict[str, list[tuple[str, str, Expected]]]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for set_name, items in sets.items():
        devices = directory(HOUSEHOLDS.get(set_name))
        responder = responder_for(devices)
        for category, text, expected in items:
            started = time.perf_counter()
            answer = await responder.match(text, "bench")
            secs = time.perf_counter() - started
            kind, done = outcome(answer, devices)
            rows.append({"set": set_name, "category": category, "text": text, "outcome": judge(expected, kind, done, answer.text if answer else ""),
                         "did": kind, "actions": done, "said": answer.text if answer else "", "secs": round(secs, 4)})
    summary: dict[str, Any] = defaultdict(dict)
    for set_name in sets:
        mine = [row for row in rows if row["set"] == set_name]
        for category in sorted({row["category"] for row in mine}) + ["all"]:
            picked = [row for row in mine if category == "all" or row["category"] == category]
            summary[set_name][category] = {"n": len(picked), **Counter(row["outcome"] for row in picked)}
    return {"summary": summary, "rows": rows}


def print_report(results: dict[str, Any]) -> None:
    kinds = ("right", "llm", "asked", "refused", "wrong action", "wrong answer")
    for set_name, categories in results["summary"].items():
        print(f"\n{set_name}\n| category | n | " + " | ".join(kinds) + " |\n|---|---|" + "---|" * len(kinds))
        for category, counts in categories.items():
            print(f"| {category} | {counts['n']} | " + " | ".join(str(counts.get(k, 0)) for k in kinds) + " |")
    misses = [row for row in results["rows"] if row["outcome"] != "right"]
    if misses:
        print("\nnot right:")
        for row in misses:
            print(f"- [{row['set']}] {row['text']!r}: {row['outcome']} ({row['did']} {row['actions']} {row['said']!r})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results = asyncio.run(measure(SETS))
    out = args.out or RESULTS / f"phrasings-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1))
    print_report(results)
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
