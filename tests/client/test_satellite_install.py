"""The satellite's systemd unit verifies cleanly, and `install-device.sh --satellite` plans a light install."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "rtvi-edge-satellite.service"
EXEC = "/opt/rtvi-edge/.venv/bin/rtvi-edge"


def test_unit_verifies_and_is_hardened_like_the_daemon(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    stand_in = tmp_path / "rtvi-edge"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    text = UNIT.read_text().replace(EXEC, str(stand_in)).replace("EnvironmentFile=/", "EnvironmentFile=-/")
    (tmp_path / UNIT.name).write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", str(tmp_path / UNIT.name)], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    daemon_unit = (ROOT / "systemd" / "rtvi-edge.service").read_text()
    hardening = daemon_unit.split("# --- hardening ---", 1)[1].split("[Install]", 1)[0]
    rules = [line for line in hardening.splitlines() if "=" in line and not line.startswith("#")]
    assert all(rule in UNIT.read_text() for rule in rules)


def test_install_plan_builds_no_llm_and_fetches_only_the_wake_word() -> None:
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DRY_RUN": "0"}
    script = ["bash", str(ROOT / "scripts" / "install-device.sh"), "--satellite"]
    assert subprocess.run(script + ["--dry-run"], capture_output=True, env=env, timeout=60).returncode == 2
    plan = subprocess.run(script + ["--hub=ws://hub:7860/ws", "--token=t", "--dry-run"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert plan.returncode == 0, plan.stderr
    assert "llama-cpp-python" not in plan.stderr and "models install wakeword" in plan.stderr
    assert f"{ROOT}/systemd/rtvi-edge-satellite.service /etc/systemd/system/rtvi-edge-satellite.service" in plan.stderr
