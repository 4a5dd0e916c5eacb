"""The knowledge benchmark's judging: right, wrong, missed, declined, answered anyway; invented facts."""

from __future__ import annotations

import json
from pathlib import Path

from scripts.bench.knowledge import invented_facts, run_set, verdict


def test_verdicts() -> None:
    assert verdict(["$18"], "Adult: $18") == "right"
    assert verdict(["9 am|09:00"], "We open at 09:00.") == "right"
    assert verdict(["$18", "$9"], "Adult: $18") == "wrong"
    assert verdict(["$18"], None) == "missed"
    assert verdict(None, None) == "declined"
    assert verdict(None, "Adult: $18") == "false_answer"


def test_invented_facts_are_numbers_and_codes_no_document_has() -> None:
    source = "Adults pay $18. The password is Tide-4412. Open 9:30 am to 5 pm."
    assert invented_facts("Adults pay $18; the password is Tide-4412.", source) == []
    assert invented_facts("Adults pay $20 and the code is Wave-99.", source) == ["$20", "Wave-99"]


def test_a_question_set_runs_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "shop.md").write_text("# Shop\n\n## Hours\n\nThe shop opens at 9 am.\n")
    (tmp_path / "questions.json").write_text(json.dumps({"questions": [
        {"q": "When does the shop open?", "expect": ["9 am"]}, {"q": "Is there a pool?", "expect": None}]}))
    summary = run_set("tiny", tmp_path, reps=1)["summary"]
    assert (summary["right"], summary["answerable"], summary["declined"], summary["false_answers"]) == (1, 1, 1, 0)
    assert summary["invented_facts"] == 0
