"""The kiosk shows under an answer which document and section it came from (server-message answer-source)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("transcript_source.mjs")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_source_is_shown_under_its_answer_only() -> None:
    result = subprocess.run(["node", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=True)
    bots = json.loads(result.stdout)
    assert [(bot["text"], bot["source"]) for bot in bots] == [
        ("The password is Tide-4412.", "From museum.md, Wi-Fi"),
        ("We open at 10 am.", "From museum.md"),
        ("Sorry, I don't have that information.", ""),
    ]
