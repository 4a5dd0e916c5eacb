"""scripts/install-device.sh: valid shell, argument handling, and the plan it would carry out (--dry-run).

A real install changes the machine (a system user, /opt, a native llama.cpp build, a service), so it is
exercised on a device, not here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-device.sh"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DRY_RUN": "0"})


def test_scripts_are_valid_bash() -> None:
    for script in (SCRIPT, ROOT / "scripts" / "lib.sh"):
        assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0, script


def test_bad_arguments_are_refused() -> None:
    assert run("--frobnicate").returncode == 2
    purge_alone = run("--purge")
    assert purge_alone.returncode == 2 and "--purge goes with --uninstall" in purge_alone.stderr
    assert "--uninstall" in run("--help").stdout


def test_install_plan() -> None:
    plan = run("--dry-run")
    assert plan.returncode == 0, plan.stderr
    steps = [line.strip().removeprefix("would run: ") for line in plan.stderr.splitlines() if "would run:" in line]
    if "creating system user" in plan.stderr:  # absent when the user already exists
        assert any(s.startswith("useradd --system") and s.endswith(" rtvi-edge") for s in steps)
    assert "usermod -a -G audio,gpio rtvi-edge" in steps
    assert "/opt/rtvi-edge/.venv/bin/python -m pip install -q --disable-pip-version-check -e /opt/rtvi-edge" in steps
    assert "env RTVI_EDGE_MODELS=/var/lib/rtvi-edge/models /opt/rtvi-edge/.venv/bin/rtvi-edge models install" in steps
    assert f"install -m 0644 {ROOT}/systemd/rtvi-edge.service /etc/systemd/system/rtvi-edge.service" in steps
    assert "llama-cpp-python" in plan.stderr


def test_uninstall_plan_keeps_config_unless_purged() -> None:
    keep = run("--uninstall", "--dry-run")
    assert keep.returncode == 0 and "rm -rf /etc/rtvi-edge" not in keep.stderr
    assert "rm -rf /opt/rtvi-edge /var/lib/rtvi-edge /var/cache/rtvi-edge" in keep.stderr
    purge = run("--uninstall", "--purge", "--dry-run")
    assert purge.returncode == 0 and "would run: rm -rf /etc/rtvi-edge" in purge.stderr
