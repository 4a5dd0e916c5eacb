"""Timers and alarms kept on disk, so that a restart or a power cut does not lose them.

The file holds each timer's end as wall-clock time (the monotonic clock starts again at boot). It is rewritten
whole at every change, by one worker thread in the order of the changes, and synced to the disk before it
replaces the old one: a power cut leaves the old file or the new one, never half of one. A file that cannot be
read is put aside (`.bad`) with a log line and the daemon starts with no timers rather than not at all.
"""

from __future__ import annotations

import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..cache_dir import atomic_write
from .weekdays import is_repeat

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MAX_FILE_BYTES = 256 * 1024   # 20 timers take ~4 KB; anything far larger is not ours


@dataclass(frozen=True)
class SavedTimer:
    timer_id: str
    label: str
    seconds: float
    session_id: str
    ends_at: float            # wall clock (time.time()) when it fires; for a paused one, when it was saved
    paused_left: float | None = None
    command: str = ""
    repeat: str = ""          # an alarm that repeats: "daily", "weekdays", "weekends", "monday,thursday" (weekdays.py)


class TimerStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timer-store")

    def load(self) -> tuple[list[SavedTimer], float]:
        """The saved timers and when they were saved (wall clock); none when there is no file or it is unreadable."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0.0
        except OSError as err:
            log.warning("saved timers unreadable", extra={"path": str(self.path), "error": str(err)})
            return [], 0.0
        try:
            if len(raw) > MAX_FILE_BYTES:
                raise ValueError(f"{len(raw)} bytes")
            data = json.loads(raw)
            if data.get("version") != FORMAT_VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            timers = [_saved(entry) for entry in data["timers"]]
            return timers, float(data["saved_at"])
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            aside = self.path.with_name(self.path.name + ".bad")
            log.warning("saved timers corrupt; put aside, starting with none",
                        extra={"path": str(self.path), "aside": str(aside), "error": str(err)})
            try:
                os.replace(self.path, aside)
            except OSError:
                pass
            return [], 0.0

    def save(self, timers: list[SavedTimer]) -> None:
        """Queue the whole list to be written (the caller's thread only serialises it)."""
        text = json.dumps({"version": FORMAT_VERSION, "saved_at": time.time(),
                           "timers": [asdict(timer) for timer in timers]}, indent=1)
        self._writer.submit(self._write, text)

    def flush(self) -> None:
        """Wait until every queued write is on disk."""
        self._writer.submit(lambda: None).result()

    def close(self) -> None:
        self._writer.shutdown(wait=True)

    def _write(self, text: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, lambda tmp: _write_synced(tmp, text))
        except OSError as err:   # a full or read-only disk: the timers still run, they just may not survive
            log.warning("timers not saved", extra={"path": str(self.path), "error": str(err)})


def _write_synced(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _saved(entry: Any) -> SavedTimer:
    if not isinstance(entry, dict):
        raise ValueError("a timer is not an object")
    paused = entry.get("paused_left")
    return SavedTimer(timer_id=str(entry["timer_id"]), label=str(entry.get("label", "")),
                      seconds=float(entry["seconds"]), session_id=str(entry.get("session_id", "")),
                      ends_at=float(entry["ends_at"]), paused_left=None if paused is None else float(paused),
                      command=str(entry.get("command", "")),
                      repeat=repeat if is_repeat(repeat := str(entry.get("repeat", ""))) else "")
