"""The end-to-end harness for the official web client: node packages, the page bundle, the fake-mic WAV,
the real daemon (`rtvi-edge run --port 0`) and one browser run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from pathlib import Path

from tests.browser_tools import npm_ci
from typing import Any

import numpy as np

E2E_DIR = Path(__file__).parent
REPO = E2E_DIR.parent.parent
READY = re.compile(r"ready on wss?://[^\s/]+:(\d+)/ws")
TOKEN = "e2e-token"
"""The daemon under test requires it, so the client's `token` connect parameter is exercised too."""
NODE_PACKAGES = ("@pipecat-ai/client-js", "@pipecat-ai/websocket-transport", "@pipecat-ai/small-webrtc-transport",
                 "playwright-core", "esbuild")




def ensure_node_modules() -> None:
    npm_ci(E2E_DIR, NODE_PACKAGES)


def build_page(outdir: Path) -> Path:
    done = subprocess.run(["node", str(E2E_DIR / "build.mjs"), str(outdir)], capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"page build failed:\n{done.stderr[-2000:]}")
    return outdir


def write_fake_mic(path: Path, text: str, lead_secs: float = 1.5, tail_secs: float = 120.0) -> Path:
    """`text` in the project's own voice with silence around it. Chromium loops the file, so the long tail
    keeps the question from coming again while the test runs."""
    if str(REPO) not in sys.path:  # tests/ is not a package: make `tests.speechgen` importable
        sys.path.insert(0, str(REPO))
    from firmware_py.audio.io import write_wav
    from tests.speechgen import silence, speech

    samples, rate = speech(text, rate=48_000)
    write_wav(path, np.concatenate([silence(lead_secs, rate), samples, silence(tail_secs, rate)]), rate)
    return path


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class DaemonProcess:
    """`rtvi-edge run` as installed, on a free loopback port read from its "ready on" line."""

    def __init__(self, config: Path, start_timeout: float = 240.0) -> None:
        script = Path(sys.executable).with_name("rtvi-edge")
        command = [str(script) if script.exists() else "rtvi-edge", "--config", str(config), "run", "--port", "0",
                   "--no-local-audio"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "RTVI_EDGE_STATE": tempfile.mkdtemp(prefix="rtvi-edge-state-")}   # no timers from another daemon
        env.pop("RTVI_EDGE_CONFIG", None)
        self.output: deque[str] = deque(maxlen=300)
        self.port = 0
        self._ready = threading.Event()
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()
        if not self._ready.wait(start_timeout) or not self.port:
            self.stop()
            raise RuntimeError(f"daemon did not become ready:\n{self.tail()}")

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip())
            match = READY.search(line)
            if match and not self.port:
                self.port = int(match.group(1))
                self._ready.set()
        self._ready.set()  # exited

    def tail(self, lines: int = 40) -> str:
        return "\n".join(list(self.output)[-lines:])

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def run_browser(options: dict[str, Any], timeout: float) -> dict[str, Any]:
    done = subprocess.run(["node", str(E2E_DIR / "run.mjs"), json.dumps(options)], cwd=E2E_DIR,
                          capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise AssertionError(f"the browser run printed no outcome (exit {done.returncode}):\n{done.stderr[-3000:]}")
    outcome: dict[str, Any] = json.loads(lines[-1])
    return outcome


def rtvi_test_client() -> type:
    """The protocol tests' RTVI client (tests/rtvi/rtvi_harness.py), shared rather than written twice."""
    folder = str(REPO / "tests" / "rtvi")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    from rtvi_harness import RtviClient

    return RtviClient


def callbacks(outcome: dict[str, Any]) -> list[str]:
    return [event["name"] for event in outcome.get("events", [])]


def summary(outcome: dict[str, Any]) -> str:
    """What the client saw, in a few lines: when each callback first fired, the texts, the audio."""
    events = outcome.get("events", [])
    first: dict[str, int] = {}
    for event in events:
        first.setdefault(event["name"], event["atMs"])
    texts = {name: "".join(str((e["data"] or {}).get("text", "")) for e in events if e["name"] == name)
             for name in ("onUserTranscript", "onBotLlmText", "onBotTtsText")}
    lines = [f"first fired (ms): {first}", f"texts: {texts}", f"audio: {outcome.get('audio')}"]
    return "\n".join(lines)
