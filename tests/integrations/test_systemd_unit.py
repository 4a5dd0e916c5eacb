"""The systemd unit: it verifies cleanly, asks for what the daemon needs, and its W^X rule holds."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "rtvi-edge.service"
EXEC = "/opt/rtvi-edge/.venv/bin/rtvi-edge"


def unit_keys(text: str) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def verify(unit_text: str, tmp_path: Path) -> str:
    """`systemd-analyze verify` output for the unit, with ExecStart pointed at an executable that exists."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    stand_in = tmp_path / "rtvi-edge"
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    unit = tmp_path / "rtvi-edge.service"
    unit.write_text(unit_text.replace(EXEC, str(stand_in)))
    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    return f"rc={result.returncode}\n{result.stdout}{result.stderr}".strip()


def test_unit_verifies_without_a_single_warning(tmp_path: Path) -> None:
    assert verify(UNIT.read_text(), tmp_path) == "rc=0"


def test_the_check_would_catch_a_bad_unit(tmp_path: Path) -> None:
    broken = UNIT.read_text().replace("ProtectHome=yes", "ProtectHome=yes\nProtectHomes=yes")
    assert "Unknown key 'ProtectHomes'" in verify(broken, tmp_path)


def test_unit_asks_for_what_the_daemon_needs() -> None:
    keys = unit_keys(UNIT.read_text())
    assert keys["Type"] == ["notify"] and keys["NotifyAccess"] == ["main"]
    assert int(keys["WatchdogSec"][0]) >= 10 and keys["Restart"] == ["on-failure"]
    assert keys["ExecStart"] == [f"{EXEC} run --config /etc/rtvi-edge/config.toml"]
    assert keys["User"] == ["rtvi-edge"] and keys["SupplementaryGroups"] == ["audio gpio"]
    assert "RTVI_EDGE_MODELS=/var/lib/rtvi-edge/models" in keys["Environment"]
    assert keys["StateDirectory"] == ["rtvi-edge"] and keys["ConfigurationDirectory"] == ["rtvi-edge"]
    assert keys["ProtectSystem"] == ["strict"] and keys["CapabilityBoundingSet"] == [""]
    assert keys["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6 AF_NETLINK"]
    assert keys["SystemCallFilter"] == ["@system-service"]
    assert {"char-alsa rw", "char-gpiochip rw"} <= set(keys["DeviceAllow"])


MDWE_CHILD = """
import ctypes, mmap, sys
from pathlib import Path
import numpy as np
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:   # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    print("unsupported"); sys.exit(0)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    print("not enforced"); sys.exit(1)
except OSError:
    pass
import onnxruntime as ort
vad = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
vad.run(None, {"input": np.zeros((1, 512), np.float32), "state": np.zeros((2, 1, 128), np.float32),
               "sr": np.array(16000, np.int64)})
from llama_cpp import Llama
from tests.llm.tiny_gguf import write_tiny_gguf
llm = Llama(model_path=str(write_tiny_gguf(Path(sys.argv[2]))), n_ctx=64, verbose=False, n_threads=1)
llm.create_completion("hi", max_tokens=2)
callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)
assert callback(1) == 2
print("ok")
"""


@pytest.mark.skipif(platform.system() != "Linux", reason="PR_SET_MDWE is Linux")
def test_inference_runs_with_memory_deny_write_execute(tmp_path: Path) -> None:
    """What MemoryDenyWriteExecute=yes enforces (the kernel's PR_SET_MDWE), with the engines running."""
    vad = ROOT / "models" / "vad" / "silero_vad.onnx"
    if not vad.exists():
        pytest.skip("models are not installed (rtvi-edge models install)")
    child = subprocess.run([sys.executable, "-c", MDWE_CHILD, str(vad), str(tmp_path / "tiny.gguf")], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stdout + child.stderr
    if child.stdout.strip() == "unsupported":
        pytest.skip("this kernel has no PR_SET_MDWE (Linux < 6.3)")
    assert child.stdout.strip().endswith("ok")
