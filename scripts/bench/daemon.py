"""The daemon under test: `rtvi-edge run` as a subprocess, its ready line, logs, memory and CPU time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
READY_RE = re.compile(r"ready on (wss?)://([^\s/]+):(\d+)/ws")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOG_COPY = "RTVI_BENCH_DAEMON_LOG"
"""A file the daemon's log lines are also appended to, to read a run afterwards."""
LOG_LEVEL = "RTVI_BENCH_LOG_LEVEL"
"""The daemon's log level for a run (info unless set: debug shows each turn's matching)."""


class DaemonError(RuntimeError):
    """The daemon did not start, or died."""


@dataclass
class LogLine:
    at: float
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


def parse_log_line(text: str) -> dict[str, Any]:
    """The fields of a JSON log line ({} for anything else, e.g. the plain ready line)."""
    try:
        entry = json.loads(text)
    except ValueError:
        return {}
    return entry if isinstance(entry, dict) else {}


def read_proc_status(pid: int) -> dict[str, float]:
    """VmHWM (peak RSS) and VmRSS in MB from /proc/PID/status."""
    figures: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            figures[key] = int(value.split()[0]) / 1024
    return figures


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields_after_name = stat.rsplit(")", 1)[1].split()
    return (int(fields_after_name[11]) + int(fields_after_name[12])) / CLOCK_TICKS


class Daemon:
    """Starts `rtvi-edge --config FILE run --port 0 [--no-local-audio]`, reads its stderr, stops it."""

    def __init__(self, config_toml: str = "", local_audio: bool = False, extra_args: list[str] | None = None) -> None:
        self.config_toml = config_toml
        self.local_audio = local_audio
        self.extra_args = extra_args or []
        self.command = [str(REPO / ".venv" / "bin" / "rtvi-edge")]
        """What starts the daemon (another checkout: [python, "-m", "firmware_py.cli"] with `cwd` there)."""
        self.cwd = REPO
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[LogLine] = []
        self.url = ""
        self.port = 0
        self.spawned_at = 0.0
        self.ready_secs: float | None = None
        self._reader: asyncio.Task[None] | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="rtvi-edge-bench-")
        self._changed = asyncio.Event()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, timeout: float = 60.0) -> float:
        """Spawn and wait for the ready line; returns seconds from spawn to ready."""
        config = Path(self._tmp.name) / "config.toml"
        config.write_text(self.config_toml)
        args = [*self.command, "--config", str(config), "run", "--port", "0", *self.extra_args]
        if not self.local_audio:
            args.append("--no-local-audio")
        self.spawned_at = time.monotonic()
        # timers and alarms of its own: a daemon of an earlier run must not bring back timers into this one
        env = {**os.environ, "RTVI_EDGE_STATE": str(Path(self._tmp.name) / "state")}
        self.process = await asyncio.create_subprocess_exec(*args, cwd=self.cwd, stdin=asyncio.subprocess.DEVNULL,
                                                            stdout=asyncio.subprocess.DEVNULL,
                                                            stderr=asyncio.subprocess.PIPE, env=env)
        self._reader = asyncio.create_task(self._read_stderr())
        ready = await self.wait_line(lambda line: READY_RE.search(line.text) is not None, timeout)
        match = READY_RE.search(ready.text)
        assert match is not None
        self.url = f"{match.group(1)}://127.0.0.1:{match.group(3)}/ws"
        self.port = int(match.group(3))
        self.ready_secs = ready.at - self.spawned_at
        return self.ready_secs

    async def wait_warm(self, timeout: float = 60.0) -> float:
        """Seconds from spawn until the engines reported warm (first-call costs paid)."""
        warm = await self.wait_line(lambda line: line.fields.get("msg") == "engines warm", timeout)
        return warm.at - self.spawned_at

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        copy = open(os.environ[LOG_COPY], "a") if os.environ.get(LOG_COPY) else None   # to read a run afterwards
        while line := await self.process.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            if copy is not None:
                copy.write(text + "\n")
                copy.flush()
            self.lines.append(LogLine(time.monotonic(), text, parse_log_line(text)))
            self._changed.set()
        if copy is not None:
            copy.close()
        self._changed.set()

    async def wait_line(self, match: Any, timeout: float) -> LogLine:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            self._changed.clear()
            for line in self.lines[seen:]:
                if match(line):
                    return line
            seen = len(self.lines)
            if self.process is not None and self.process.returncode is not None:
                raise DaemonError(f"daemon exited with {self.process.returncode}:\n{self.tail()}")
            if self._reader is not None and self._reader.done():
                await asyncio.sleep(0.1)  # stderr closed: the exit code is about to be known
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DaemonError(f"daemon: expected line not seen within {timeout:g} s:\n{self.tail()}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def tail(self, count: int = 20) -> str:
        return "\n".join(line.text for line in self.lines[-count:])

    def log_fields(self, message: str) -> list[dict[str, Any]]:
        """Every JSON log entry whose message is `message`."""
        return [line.fields for line in self.lines if line.fields.get("msg") == message]

    def warnings(self) -> list[str]:
        return [line.text for line in self.lines if line.fields.get("level") in ("warning", "error", "critical")]

    def memory_mb(self) -> dict[str, float]:
        return read_proc_status(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    async def stop(self, timeout: float = 10.0) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except asyncio.TimeoutError:
            print("bench: daemon did not stop on SIGTERM; killing it", file=sys.stderr)
            self.process.kill()
            await self.process.wait()
        if self._reader:
            await asyncio.gather(self._reader, return_exceptions=True)
        self._tmp.cleanup()
        return self.process.returncode


def config_toml(log_level: str = "", input_wav: str | None = None, max_clients: int | None = None) -> str:
    """Daemon settings for a run: default models and behaviour; JSON logs so the harness can read them.

    `input_wav` gives the daemon a local session (a WAV as its microphone) for monitor clients to follow;
    `max_clients` lifts the connection limit when a run needs more clients than the default allows.
    """
    text = f'[log]\nlevel = "{log_level or os.environ.get(LOG_LEVEL, "info")}"\nformat = "json"\n'
    if input_wav:
        text += f'\n[audio]\nenabled = true\ninput_wav = "{input_wav}"\n'
    if max_clients:
        text += f"\n[server]\nmax_clients = {max_clients}\n"
    return text
