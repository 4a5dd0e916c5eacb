"""The protocol package and the client SDK stay light: no server code, no websockets (protocol), no numpy, no soxr."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["numpy", "soxr", "onnxruntime", "firmware_py.rtvi.server", "firmware_py.rtvi.session",
         "firmware_py.rtvi.handlers", "firmware_py.config", "firmware_py.events"]


def loaded_after(statement: str) -> list[str]:
    """Which of HEAVY (plus websockets) a fresh interpreter holds after running `statement`."""
    code = (f"import sys; {statement}; "
            f"print(__import__('json').dumps([m for m in {HEAVY + ['websockets']!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_protocol_package_pulls_in_nothing_heavy() -> None:
    assert loaded_after("import firmware_py.rtvi.protocol") == []


def test_client_sdk_pulls_in_no_server_numpy_or_soxr() -> None:
    assert loaded_after("import firmware_py.client") == []


def test_the_check_itself_sees_what_the_server_loads() -> None:
    assert "firmware_py.rtvi.server" in loaded_after("import firmware_py.rtvi.server")
