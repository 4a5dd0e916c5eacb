"""The pieces the kiosk browser tests share: the real daemon as a subprocess, the Node driver, the fake mic.

The daemon is `rtvi-edge run` exactly as installed (console script next to this interpreter), on a free
loopback port (`--port 0`; the port is read from its "ready on" line), with the real models.
A restart can ask for the same port again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser_tools import npm_ci
from typing import Any, Callable

import numpy as np

KIOSK_DIR = Path(__file__).parent
REPO = KIOSK_DIR.parent.parent
DRIVER = KIOSK_DIR / "drive.mjs"
READY_LINE = re.compile(r"ready on \w+://[^\s/]+:(\d+)/ws")
START_TIMEOUT_SECS = 180.0
MAX_SCREENSHOT_BYTES = 300_000




def ensure_node_modules() -> None:
    npm_ci(KIOSK_DIR, ("playwright-core",))


def rtvi_edge_command() -> list[str]:
    script = Path(sys.executable).with_name("rtvi-edge")
    if script.exists():
        return [str(script)]
    found = shutil.which("rtvi-edge")
    if found is None:
        raise RuntimeError("the rtvi-edge console script is not installed (pip install -e .)")
    return [found]


def toml_value(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in values.items())
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Daemon:
    """A running `rtvi-edge run`; its output is kept (last lines) for failure messages."""

    process: subprocess.Popen[str]
    port: int = 0
    output: deque[str] = field(default_factory=lambda: deque(maxlen=200))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(list(self.output)[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_daemon(config: Path, extra_args: list[str], port: int = 0) -> Daemon:
    env = {**os.environ, "RTVI_EDGE_MODELS": str(REPO / "models"), "PYTHONUNBUFFERED": "1",
           "RTVI_EDGE_STATE": tempfile.mkdtemp(prefix="rtvi-edge-state-")}   # no timers from another daemon
    env.pop("RTVI_EDGE_CONFIG", None)
    command = rtvi_edge_command() + ["--config", str(config), "run", "--port", str(port), *extra_args]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1)
    daemon = Daemon(process)
    ready = threading.Event()

    def pump() -> None:  # keeps the pipe drained for the daemon's whole life
        assert process.stdout is not None
        for line in process.stdout:
            daemon.output.append(line.rstrip())
            match = READY_LINE.search(line)
            if match and not ready.is_set():
                daemon.port = int(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECS
    while not ready.wait(0.2):
        if time.monotonic() > deadline:
            daemon.stop()
            raise RuntimeError(f"daemon not ready within {START_TIMEOUT_SECS:.0f} s:\n{daemon.log_tail()}")
    if not daemon.port:
        daemon.stop()
        raise RuntimeError(f"daemon exited before it was ready:\n{daemon.log_tail()}")
    return daemon


def drive(scenario: str, args: dict[str, Any], daemon: Daemon, timeout: float = 400.0,
          on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Runs one driver scenario; returns what the page showed, or fails with the page's and daemon's logs.

    `on_step(name)` is called when the driver reports a step (the scenario waits for the test there).
    """
    driver = subprocess.Popen(["node", str(DRIVER), scenario, json.dumps(args)], cwd=KIOSK_DIR,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(timeout, driver.kill)
    timer.start()
    report: dict[str, Any] | None = None
    try:
        assert driver.stdout is not None
        for line in driver.stdout:
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            if "step" in message:
                if on_step is not None:
                    on_step(message["step"])
            else:
                report = message
        stderr = driver.stderr.read() if driver.stderr else ""
        driver.wait()
    finally:
        timer.cancel()
    if report is None:
        raise AssertionError(f"driver printed no result (exit {driver.returncode}):\n{stderr[-3000:]}\n"
                             f"daemon:\n{daemon.log_tail()}")
    if not report["ok"]:
        raise AssertionError(f"driver failed: {report['error']}\npage log:\n" + "\n".join(report["logs"][-30:])
                             + f"\ndaemon:\n{daemon.log_tail()}")
    result: dict[str, Any] = report["result"]
    result["logs"] = report["logs"]
    return result


def explain(result: dict[str, Any], daemon: Daemon) -> str:
    """Context for an assertion message: the page's final view, its console and the daemon's output."""
    final = result.get("final", {})
    return (f"\nstate history: {final.get('stateHistory')}\ntranscript: {final.get('transcript')}\n"
            f"audio: {final.get('audio')}\nmic: {final.get('mic')}\ntoasts: {final.get('toasts')}\n"
            "page log:\n" + "\n".join(result.get("logs", [])[-20:]) + f"\ndaemon:\n{daemon.log_tail(25)}")


def write_question_wav(path: Path, text: str, rate: int, lead_secs: float, tail_secs: float) -> Path:
    """`text` spoken by the project's own TTS, with silence before and after, as a 16-bit WAV."""
    from firmware_py.audio.io import write_wav
    from tests.speechgen import silence, speech

    samples, rate = speech(text, rate=rate)
    write_wav(path, np.concatenate([silence(lead_secs, rate), samples, silence(tail_secs, rate)]), rate)
    return path


def shrink_png(path: Path, limit: int = MAX_SCREENSHOT_BYTES) -> int:
    """Keeps a screenshot under `limit` bytes (palette-quantised only when needed); returns its size
    (0 when it is larger but Pillow is not installed to shrink it)."""
    if path.stat().st_size <= limit:
        return path.stat().st_size
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional: the size only matters for the copy kept in docs/
        return 0

    with Image.open(path) as image:
        quantised = image.convert("RGB").quantize(colors=256, dither=Image.Dither.FLOYDSTEINBERG)
    quantised.save(path, optimize=True)
    return path.stat().st_size
