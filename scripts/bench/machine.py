"""What the benchmark ran on, and how busy the machine was while it ran."""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import platform
import time
from pathlib import Path
from typing import Any

from .stats import summarize

PACKAGES = ("onnxruntime", "llama_cpp_python", "sherpa-onnx", "hibari-tts", "numpy", "websockets")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "processor\t: arm")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def mem_total_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe_machine() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_mb": mem_total_mb(),
        "arch": platform.machine(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in PACKAGES},
    }


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat: everything but idle and iowait)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in fields]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds this (benchmark) process has used."""
    times = os.times()
    return times.user + times.system


class LoadSampler:
    """Samples the 1-minute load average every few seconds: how noisy the shared machine was."""

    def __init__(self, every_secs: float = 5.0) -> None:
        self.every = every_secs
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None
        self.started = time.time()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.samples.append(os.getloadavg()[0])
            await asyncio.sleep(self.every)

    async def stop(self) -> dict[str, Any]:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return {"loadavg_1min": summarize(self.samples, 2), "at_end": [round(x, 2) for x in os.getloadavg()]}
