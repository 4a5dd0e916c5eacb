"""CPU time of the daemon while idle-listening, from /proc (utime + stime of all its threads)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .daemon import Daemon
from .rtvi_turns import connect_voice_client


async def cpu_percent(daemon: Daemon, secs: float) -> float:
    """Share of one core the daemon used over the next `secs` seconds (100 = one core busy)."""
    cpu_before, wall_before = daemon.cpu_seconds(), time.monotonic()
    await asyncio.sleep(secs)
    return round(100.0 * (daemon.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before), 2)


async def idle_cpu(daemon: Daemon, secs: float, settle_secs: float = 2.0) -> dict[str, Any]:
    """CPU with no client, then with one client connected and streaming silence (idle listening)."""
    without_client = await cpu_percent(daemon, max(2.0, secs / 2))
    client = await connect_voice_client(daemon.url)
    try:
        await asyncio.sleep(settle_secs)
        listening = await cpu_percent(daemon, secs)
        sent = client.mic.frames_sent
    finally:
        await client.close()
    return {"no_client_percent": without_client, "one_client_silence_percent": listening,
            "secs": secs, "mic_frames_sent": sent}
