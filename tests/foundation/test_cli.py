"""CLI exit codes and messages: help, config errors, model problems, doctor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_py.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware_py.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["models", "install", "--help"], ["doctor", "--help"]])
def test_help_everywhere(args: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(args)
    assert caught.value.code == 0


def test_bad_flag_value_names_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--port", "99999"]) == 2
    assert "server.port" in capsys.readouterr().err


def test_bad_config_file_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[vad]\nconfidence = 7\n")
    assert main(["--config", str(config), "doctor"]) == 2
    assert "vad.confidence" in capsys.readouterr().err


@pytest.mark.parametrize("before", [True, False])
def test_config_goes_before_or_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 before: bool) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[vad]\nconfidence = 7\n")
    args = ["--config", str(config), "run"] if before else ["run", "--config", str(config)]
    assert main(args) == 2
    assert "vad.confidence" in capsys.readouterr().err


def test_token_required_beyond_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--host", "0.0.0.0"]) == 2
    assert "token" in capsys.readouterr().err


def test_verify_reports_missing_models_with_the_fix(tmp_path: Path) -> None:
    result = run_cli("models", "verify", env={"RTVI_EDGE_MODELS": str(tmp_path)})
    assert result.returncode == 1
    assert str(tmp_path / "vad" / "silero_vad.onnx") in result.stderr
    assert "rtvi-edge models install vad" in result.stderr


def test_list_shows_state(tmp_path: Path) -> None:
    result = run_cli("models", "list", env={"RTVI_EDGE_MODELS": str(tmp_path)})
    assert result.returncode == 0
    assert "not installed" in result.stdout and "silero-vad==6.2.3" in result.stdout


def test_daemon_refuses_to_start_without_models(tmp_path: Path) -> None:
    result = run_cli("run", "--no-local-audio", "--port", "0", env={"RTVI_EDGE_MODELS": str(tmp_path)})
    assert result.returncode == 1
    assert "cannot start" in result.stderr and "rtvi-edge models install" in result.stderr
    assert "Traceback" not in result.stderr


def test_daemon_names_a_corrupt_model(tmp_path: Path) -> None:
    for path in (ROOT / "models").rglob("*"):
        if path.is_file() and not path.name.startswith(".") and path.suffix != ".part" and path.name != "manifest.toml":
            target = tmp_path / path.relative_to(ROOT / "models")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    turn = tmp_path / "turn" / "smart-turn-v3.2-cpu.onnx"
    data = bytearray(turn.read_bytes())
    turn.unlink()
    data[1000] ^= 0xFF
    turn.write_bytes(bytes(data))
    result = run_cli("run", "--no-local-audio", "--port", "0", env={"RTVI_EDGE_MODELS": str(tmp_path)})
    assert result.returncode == 1
    assert str(turn) in result.stderr and "corrupt" in result.stderr and "models install turn" in result.stderr


def test_doctor_passes_with_models_and_free_port() -> None:
    result = run_cli("--log-level", "error", "doctor", "--json")
    report = json.loads(result.stdout)
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    if statuses.get("port") == "fail":
        pytest.skip("port 7860 is taken by another program on this machine")
    assert result.returncode == 0, result.stdout
    assert report["ok"] and statuses["models"] == "ok"
    assert all(s != "fail" for s in statuses.values())
