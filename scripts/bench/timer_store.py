"""What keeping timers on disk costs: the event loop's share of a change, the write and sync on the store's
worker, the file's size, and bringing the timers back at start.

    .venv/bin/python -m scripts.bench.timer_store [--timers 20] [--changes 50] [--dir PATH]

`--dir` on the device's own disk (the state directory's file system) measures its sync; the default is a
temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from firmware_py.events import EventBus
from firmware_py.llm.timer_store import TimerStore
from firmware_py.llm.timers import TimerService


def summary(label: str, secs: list[float]) -> str:
    ordered = sorted(secs)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{label}: median {statistics.median(secs) * 1e3:.2f} ms, p95 {p95 * 1e3:.2f} ms"


async def measure(directory: Path, timers: int, changes: int) -> None:
    path = directory / "timers.json"
    service = TimerService(EventBus())
    store = TimerStore(path)
    service.keep_in(store)
    for index in range(timers - 1):
        service.start(600 + index, f"timer {index}", "bench")
    on_loop: list[float] = []
    written: list[float] = []
    for _ in range(changes):
        started = time.perf_counter()
        timer = service.start(60, "probe", "bench")
        on_loop.append(time.perf_counter() - started)
        started = time.perf_counter()
        store.flush()
        written.append(time.perf_counter() - started)
        service.cancel(timer.timer_id)
        store.flush()
    size = path.stat().st_size
    service.close()
    started = time.perf_counter()
    again = TimerService(EventBus())
    back = again.keep_in(TimerStore(path))
    loaded = time.perf_counter() - started
    again.close()
    print(summary(f"a change on the event loop ({timers} timers)", on_loop))
    print(summary("its write and sync on the worker", written))
    print(f"file: {size} bytes; {len(back)} brought back in {loaded * 1e3:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=20)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        asyncio.run(measure(directory, args.timers, args.changes))


if __name__ == "__main__":
    main()
