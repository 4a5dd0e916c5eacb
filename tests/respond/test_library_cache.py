"""The parsed sentence library kept between starts: the same matches, rebuilt when its sources change, never
loaded from a file that is corrupt or that someone else could have written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.custom import parse_custom_sentences
from firmware_py.respond.intent_matcher import IntentMatcher

ROOT = Path(__file__).resolve().parents[2]
DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"}]
SAMPLES = ["Set a timer for twenty five minutes.", "Set the volume to 30 percent", "Turn on the kitchen light",
           "Dim the kitchen light to 40%", "What time is it?", "Add two minutes to the pasta timer",
           "What is five plus three?", "Turn on the garage heater", "How far away is the moon?"]

START = """
import json, sys
from pathlib import Path
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.intent_matcher import IntentMatcher
devices, samples, cache = json.loads(sys.argv[1])
matcher = IntentMatcher("en", DeviceDirectory(parse_devices(devices)), (), "", [Path(cache)])
loaded = matcher._parsed_before
matcher.warm_up()
print(json.dumps({"loaded": loaded, "matches": [repr(matcher.match(text)) for text in samples]}))
"""


def start(cache: Path) -> dict[str, object]:
    """One daemon start's matcher, in a process of its own (hassil keeps its number tries per process)."""
    out = subprocess.run([sys.executable, "-c", START, json.dumps([DEVICES, SAMPLES, str(cache)])], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def matcher(cache: Path, custom: list[dict[str, object]] | None = None) -> IntentMatcher:
    return IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES)), parse_custom_sentences(custom or []), "",
                         [cache])


def test_the_second_start_loads_the_library_and_matches_the_same(tmp_path: Path) -> None:
    first, second = start(tmp_path), start(tmp_path)
    assert (first["loaded"], second["loaded"]) == (False, True)
    assert second["matches"] == first["matches"]
    assert "minutes': 25" in str(first["matches"][0]) and "garage heater" in str(first["matches"][7])
    kept = list(tmp_path.glob("*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o077 == 0


def test_a_changed_user_sentence_parses_again(tmp_path: Path) -> None:
    matcher(tmp_path).warm_up()
    custom = [{"sentences": ["good night"], "action": "turn_off", "arguments": {"device": "kitchen light"}}]
    changed = matcher(tmp_path, custom)
    assert not changed._parsed_before
    changed.warm_up()
    assert changed.match("good night") is not None
    assert len(list(tmp_path.glob("*.pickle"))) == 2
    assert matcher(tmp_path, custom)._parsed_before


@pytest.mark.parametrize("spoil", ["truncated", "group-writable"])
def test_a_spoiled_file_is_not_loaded_and_is_rebuilt(tmp_path: Path, spoil: str) -> None:
    matcher(tmp_path).warm_up()
    [kept] = tmp_path.glob("*.pickle")
    if spoil == "truncated":
        kept.write_bytes(kept.read_bytes()[:1000])
    else:
        os.chmod(kept, 0o664)
    again = matcher(tmp_path)
    assert not again._parsed_before
    again.warm_up()
    assert again.match("set a timer for 3 minutes") is not None
    assert kept.stat().st_mode & 0o077 == 0 and matcher(tmp_path)._parsed_before
