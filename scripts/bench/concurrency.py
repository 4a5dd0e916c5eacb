"""N voice clients asking at the same moment while monitor clients watch the device's own session.

The LLM serves one generation at a time through a fair queue, so the k-th answer waits for k-1 others:
latency grows with N by design. What must not happen is audio falling apart: late or dropped frames.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from .client import BenchClient
from .daemon import Daemon
from .machine import machine_busy_seconds, own_cpu_seconds
from .questions import Clip
from .rtvi_turns import LEAD_SILENCE_SECS, ask, connect_voice_client
from .stats import summarize, summarize_fields


async def open_monitors(url: str, count: int) -> tuple[list[BenchClient], int]:
    """`count` clients on `?mode=monitor`, ready; returns them and how many failed to connect."""
    async def one() -> BenchClient:
        client = BenchClient(f"{url}?mode=monitor")
        await client.open()
        await client.ready()
        return client

    results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    monitors = [r for r in results if isinstance(r, BenchClient)]
    return monitors, count - len(monitors)


def dropped_by_server(daemon: Daemon, from_line: int) -> int:
    """Bot audio frames the server dropped for slow clients, from its 'client left' log lines."""
    return sum(int(line.fields.get("audio_dropped", 0)) for line in daemon.lines[from_line:]
               if line.fields.get("msg") == "client left")


async def voice_round(daemon: Daemon, count: int, clips: list[Clip], timeout: float) -> dict[str, Any]:
    """`count` fresh voice clients each ask one question, all at once."""
    log_mark = len(daemon.lines)
    load_before, wall_before = os.getloadavg()[0], time.monotonic()
    cpu_before = (daemon.cpu_seconds(), own_cpu_seconds(), machine_busy_seconds())
    opened = await asyncio.gather(*(connect_voice_client(daemon.url) for _ in range(count)), return_exceptions=True)
    clients = [c for c in opened if isinstance(c, BenchClient)]
    try:
        await asyncio.sleep(LEAD_SILENCE_SECS)
        questions = [clips[i % len(clips)] for i in range(len(clients))]
        results = await asyncio.gather(*(ask(c, q, timeout) for c, q in zip(clients, questions)),
                                       return_exceptions=True)
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    # CPU shares over the round (100 = one core): the daemon, this harness, and everything else on a shared
    # machine, whose work competes with the daemon for the two cores
    wall = time.monotonic() - wall_before
    daemon_cpu, harness_cpu, busy = (after - before for after, before in
                                     zip((daemon.cpu_seconds(), own_cpu_seconds(), machine_busy_seconds()), cpu_before))
    shares = {"daemon": daemon_cpu, "harness": harness_cpu, "others": max(0.0, busy - daemon_cpu - harness_cpu)}
    await asyncio.sleep(0.5)  # the server logs each departure as it closes the session
    rows = [r for r in results if isinstance(r, dict)]
    errors = [repr(r) for r in results if isinstance(r, BaseException)] + \
             [repr(c) for c in opened if isinstance(c, BaseException)]
    return {
        "clients": count,
        "answered": len(rows),
        "errors": errors[:5],
        **summarize_fields(rows, ("voice_to_voice", "transcript_final", "llm_started", "bot_started_speaking")),
        "late_frames": sum(r["late_frames"] for r in rows),
        "audio_frames": sum(r["frames"] for r in rows),
        "underrun_secs": summarize(r["underrun_secs"] for r in rows),
        "server_dropped_frames": dropped_by_server(daemon, log_mark),
        "harness_late_mic_frames": sum(c.mic.late_frames for c in clients),
        "cpu_percent": {name: round(100.0 * secs / wall, 1) for name, secs in shares.items()},
        "loadavg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "runs": rows,
    }


async def monitor_fanout(monitors: list[BenchClient], text: str, timeout: float = 90.0) -> dict[str, Any]:
    """A typed question to the device's session; how evenly its events reach every monitor."""
    if not monitors:
        return {"monitors": 0}
    sent = time.monotonic()
    await monitors[0].send_message("send-text", {"content": text,
                                                 "options": {"run_immediately": True, "audio_response": True}})
    done = await asyncio.gather(*(m.wait_for("bot-stopped-speaking", after=sent, timeout=timeout) for m in monitors),
                                return_exceptions=True)
    finished = [m for m, d in zip(monitors, done) if not isinstance(d, BaseException)]
    await asyncio.sleep(1.0)  # the turn's trailing messages (metrics, state) reach every monitor
    skews: dict[str, list[float]] = {}
    for kind in ("bot-llm-started", "bot-started-speaking", "bot-stopped-speaking"):
        arrivals = [found.at for m in finished if (found := m.first(kind, sent)) is not None]
        if arrivals:
            skews[kind] = [at - min(arrivals) for at in arrivals]
    counts = [sum(1 for msg in m.messages if msg.at >= sent) for m in finished]
    return {
        "monitors": len(monitors),
        "saw_whole_answer": len(finished),
        "fanout_skew_secs": {kind: summarize(values) for kind, values in skews.items()},
        "messages_per_monitor": summarize(counts),
        "missing_messages": sum(max(counts) - c for c in counts) if counts else 0,
    }
