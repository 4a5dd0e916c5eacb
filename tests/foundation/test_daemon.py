"""The real daemon on the default models: it starts, serves, passes doctor, and stops within 2 s."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def start_daemon(*args: str, env: dict[str, str] | None = None, config: Path | None = None,
                 lines: list[str] | None = None) -> tuple[subprocess.Popen[str], int]:
    """Start `rtvi-edge run` and wait for its ready line; `lines` collects stderr up to it."""
    options = ["--config", str(config)] if config else []
    # timers and alarms of its own unless told: none brought back from another test's daemon
    own_state = {"RTVI_EDGE_STATE": tempfile.mkdtemp(prefix="rtvi-edge-state-")}
    process = subprocess.Popen([sys.executable, "-m", "firmware_py.cli", *options, "run", "--port", "0", *args],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True, env={**os.environ, **own_state, **(env or {})})
    assert process.stderr is not None
    deadline = time.monotonic() + 240  # a first start evaluates the LLM prompt prefix: slow on a busy machine
    lines = lines if lines is not None else []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        lines.append(line)
        ready = re.search(r"ready on ws://[^:]+:(\d+)/ws", line)
        if ready:
            return process, int(ready.group(1))
    process.kill()
    raise AssertionError(f"daemon did not get ready: {''.join(lines)}")


def logged(lines: list[str], message: str) -> list[dict[str, object]]:
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("msg") == message:
            entries.append(entry)
    return entries


def test_ready_only_once_warm_and_the_next_start_loads_the_prompt(tmp_path: Path) -> None:
    """Ready means a question gets a prompt answer: the engines are warm before the ready line, and the LLM
    prompt prefix saved by one start is loaded (not evaluated again) by the next."""
    config = tmp_path / "config.toml"
    config.write_text('[log]\nlevel = "info"\nformat = "json"\n')
    how = []
    for _start in range(2):
        lines: list[str] = []
        process, _port = start_daemon("--no-local-audio", config=config, lines=lines)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert logged(lines, "engines warm"), "the ready line came before the engines were warm"
        how += [entry["prefix"] for entry in logged(lines, "LLM prompt warm")]
    assert how[-1] == "loaded" and how[0] in ("loaded", "evaluated")


def test_daemon_serves_passes_doctor_and_stops_quickly(tmp_path: Path) -> None:
    process, port = start_daemon("--no-local-audio")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:
            assert reply.status == 200 and json.loads(reply.read())
        config = tmp_path / "config.toml"
        config.write_text(f"[server]\nport = {port}\n[audio]\nenabled = false\n")
        doctor = subprocess.run([sys.executable, "-m", "firmware_py.cli", "--config", str(config), "doctor"],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert "already serving" in doctor.stdout
    finally:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        stop_secs = time.monotonic() - started
    assert code == 0
    assert stop_secs < 2.0, f"shutdown took {stop_secs:.2f} s"


def test_daemon_without_sound_card_still_serves() -> None:
    """No capture device here: local audio is reported off once and RTVI still answers."""
    process, port = start_daemon()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:
            assert reply.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        rest = process.stderr.read()
    assert "Traceback" not in rest


def test_timers_and_alarms_survive_the_daemon_being_killed(tmp_path: Path) -> None:
    """A power cut (SIGKILL: no shutdown at all) loses no timer or alarm: the next start lists them."""
    import asyncio

    from scripts.bench.command_session import send_typed

    env = {"RTVI_EDGE_STATE": str(tmp_path / "state")}
    process, port = start_daemon("--no-local-audio", env=env)
    try:
        url = f"ws://127.0.0.1:{port}/ws"
        asyncio.run(send_typed(url, "Set a pasta timer for twenty minutes.", "set_timer"))
        asyncio.run(send_typed(url, "Set an alarm for 7 am.", "set_alarm"))
    finally:
        process.kill()
        process.wait(timeout=10)
    process, port = start_daemon("--no-local-audio", env=env)
    try:
        calls = asyncio.run(send_typed(f"ws://127.0.0.1:{port}/ws", "What timers are running?", "list_timers"))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    listed = next(call.result for call in calls if call.name == "list_timers")
    assert sorted(timer["label"] for timer in listed["timers"]) == ["7 AM alarm", "pasta"]
    assert "The pasta timer has 19 minutes" in listed["summary"]
