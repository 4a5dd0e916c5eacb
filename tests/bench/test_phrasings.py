"""The typed-phrasings benchmark: its judge, and the layer on its sets (no wrong action, every phrasing right)."""

from __future__ import annotations

import asyncio

from scripts.bench.phrasings import SETS, judge, measure


def test_the_judge_tells_a_wrong_action_from_a_miss() -> None:
    timer = [("set_timer", {"seconds": 60})]
    assert judge(timer, "acted", [("set_timer", {"seconds": 60})]) == "right"
    assert judge(timer, "acted", [("set_timer", {"seconds": 3600})]) == "wrong action"
    assert judge(timer, "llm", []) == "llm" and judge(timer, "asked", []) == "asked"
    assert judge("pass", "told", []) == "right" and judge("pass", "acted", timer) == "wrong action"
    assert judge("pass", "refused", [("turn_on", {"device": "a bank account"})]) == "refused"
    assert judge("refuse", "refused", [("turn_on", {"device": "oven"})]) == "right"
    assert judge("refuse", "acted", [("open_cover", {"device": "Garage Door"})]) == "wrong action"
    labelled = [("set_timer", {"seconds": 60, "label": "Tea"})]
    assert judge(labelled, "acted", [("set_timer", {"seconds": 60, "label": "tea"})]) == "right"
    assert judge(("tell", "36"), "told", [], "12 times 3 is 36.") == "right"
    assert judge(("tell", "36"), "told", [], "12 times 3 is 360.") == "wrong answer"
    assert judge(("tell", "36"), "llm", []) == "llm" and judge(("tell", "36"), "asked", [], "What?") == "asked"


KNOWN_MISSES: set[str] = set()
"""Phrasings left to the LLM on purpose (none now: "Restart the timer." was, until it resumed a paused timer and
started a running one over)."""


def test_every_phrasing_of_every_set_is_right() -> None:
    results = asyncio.run(measure(SETS))
    wrong = [(row["text"], row["outcome"], row["actions"]) for row in results["rows"]
             if row["outcome"] != "right" and not (row["text"] in KNOWN_MISSES and row["outcome"] == "llm")]
    assert wrong == []
