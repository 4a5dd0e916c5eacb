"""The benchmark's phases, each filling one part of the results; a failed phase is recorded, not fatal."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Awaitable, Callable

import numpy as np

from .concurrency import monitor_fanout, open_monitors, voice_round
from .daemon import Daemon, config_toml
from .floors import engine_floor
from .questions import Clip
from .resources import idle_cpu
from .rtvi_turns import barge_in, rtvi_turn
from .stats import summarize, summarize_fields

FANOUT_QUESTION = "Say hello to everyone in one short sentence."


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def guarded(name: str, errors: dict[str, str], step: Callable[[], Awaitable[Any]]) -> Any:
    """Run one step; on failure note the error (and say so) and return None so the rest still runs."""
    try:
        return await step()
    except Exception as err:  # a broken phase must not lose the others' figures
        errors[name] = f"{type(err).__name__}: {err}"
        progress(f"{name} failed: {errors[name]}")
        traceback.print_exc(file=sys.stderr)
        return None


async def repeated(name: str, count: int, errors: dict[str, str], step: Callable[[int], Awaitable[Any]]) -> list[Any]:
    rows = []
    for index in range(count):
        row = await guarded(f"{name}[{index}]", errors, lambda: step(index))
        if row is not None:
            rows.append(row)
            progress(f"{name} {index + 1}/{count}: " + ", ".join(
                f"{k}={row[k]}" for k in ("voice_to_voice", "reaction", "floor") if row.get(k) is not None))
    return rows


async def start_daemon(daemon: Daemon, startup: dict[str, list[float]]) -> None:
    ready = await daemon.start()
    warm = await daemon.wait_warm()
    startup["ready_secs"].append(ready)
    startup["warm_secs"].append(warm)
    progress(f"daemon ready in {ready:.2f} s, warm at {warm:.2f} s ({daemon.url})")


async def startup_runs(count: int, startup: dict[str, list[float]], errors: dict[str, str]) -> None:
    """Extra cold starts (spawn to ready line, then stop) for a steadier start-up figure."""
    async def once() -> None:
        daemon = Daemon(config_toml())
        try:
            startup["ready_secs"].append(await daemon.start())
        finally:
            await daemon.stop()

    for index in range(count):
        await guarded(f"startup[{index}]", errors, once)
    progress(f"start-up to ready: {[round(s, 2) for s in startup['ready_secs']]} s")


async def single_client_phase(args: Any, clips: list[Clip], long_question: Clip, interruption: Clip,
                              results: dict[str, Any], startup: dict[str, list[float]]) -> None:
    """Daemon with default models and no local audio: idle CPU, then per question the RTVI turn, the
    local-path turn and the engine floors back to back (so a burst of load on the shared machine hits all
    three alike), then barge-in and memory."""
    errors = results.setdefault("errors", {})
    daemon = Daemon(config_toml())
    inprocess = None
    try:
        await start_daemon(daemon, startup)
        if "idle" not in args.skip:
            progress(f"idle CPU over {args.idle_secs:g} s")
            idle = await guarded("idle", errors, lambda: idle_cpu(daemon, args.idle_secs))
            results.setdefault("resources", {})["idle_cpu"] = idle
        if {"floors", "local"} - args.skip:
            inprocess = await guarded("in-process engines", errors, InProcess.load)
        await question_rounds(args, clips, daemon, inprocess, results)
        if "barge" not in args.skip:
            start_secs = results["config"]["vad_start_secs"]
            results["barge_rows"] = await repeated("barge-in", args.barge_runs, errors,
                                                   lambda i: barge_in(daemon.url, long_question, interruption, start_secs))
        memory = daemon.memory_mb()
        resources = results.setdefault("resources", {})
        resources["peak_rss_mb"], resources["rss_at_end_mb"] = round(memory["VmHWM"], 1), round(memory["VmRSS"], 1)
        resources["daemon_warnings"] = daemon.warnings()[:10]
    finally:
        await daemon.stop()
        if inprocess is not None:
            inprocess.close()


class InProcess:
    """The default engines loaded in this process, for the local-audio path and the floors."""

    def __init__(self, engines: Any, bus: Any, settings: Any) -> None:
        self.engines, self.bus, self.settings = engines, bus, settings
        self.turns = 0

    @classmethod
    async def load(cls) -> "InProcess":
        from firmware_py.events import EventBus

        from .inprocess import bench_settings, load_bench_engines

        bus, settings = EventBus(), bench_settings()
        started = time.monotonic()
        engines = await load_bench_engines(bus, settings)
        progress(f"in-process engines loaded and warm in {time.monotonic() - started:.1f} s")
        return cls(engines, bus, settings)

    async def floor(self, clip: Clip) -> dict[str, Any]:
        return await engine_floor(self.engines, self.bus, self.settings, clip)

    async def local_turn(self, clip: Clip) -> dict[str, Any]:
        from .inprocess import local_turn

        self.turns += 1
        return await local_turn(self.engines, self.bus, self.settings, clip, f"bench-local-{self.turns}")

    def close(self) -> None:
        self.engines.close()


async def question_rounds(args: Any, clips: list[Clip], daemon: Daemon, inprocess: InProcess | None,
                          results: dict[str, Any]) -> None:
    errors = results["errors"]
    kinds: list[tuple[str, Callable[[Clip], Awaitable[dict[str, Any]]]]] = []
    if "rtvi" not in args.skip:
        kinds.append(("rtvi", lambda clip: rtvi_turn(daemon.url, clip)))
    if inprocess is not None and "local" not in args.skip:
        kinds.append(("local", inprocess.local_turn))
    if inprocess is not None and "floors" not in args.skip:
        kinds.append(("floor", inprocess.floor))
    for name, _ in kinds:
        results.setdefault(f"{name}_rows", [])
    turns = [clip for _ in range(args.runs) for clip in clips]
    for index, clip in enumerate(turns):
        figures = []
        for name, measure in kinds:
            row = await guarded(f"{name}[{index}]", errors, lambda: measure(clip))
            if row is not None:
                results[f"{name}_rows"].append(row)
                value = row.get("voice_to_voice", row.get("floor"))
                figures.append(f"{name} {value:.2f} s" if isinstance(value, float) else f"{name} n/a")
        progress(f"question {index + 1}/{len(turns)} ({clip.question.label}): " + ", ".join(figures))


async def concurrency_phase(args: Any, clips: list[Clip], results: dict[str, Any],
                            startup: dict[str, list[float]]) -> None:
    """Daemon with a (silent) local session for monitors to follow; N voice clients at once per level."""
    from firmware_py.audio.io import write_wav

    errors = results.setdefault("errors", {})
    with tempfile.TemporaryDirectory(prefix="rtvi-edge-bench-") as tmp:
        silent_mic = Path(tmp) / "silence.wav"
        write_wav(silent_mic, np.zeros(16_000, np.int16), 16_000)
        needed = args.monitors + max(args.concurrency) + 4
        daemon = Daemon(config_toml(input_wav=str(silent_mic), max_clients=needed), local_audio=True)
        try:
            await start_daemon(daemon, startup)
            monitors, failed = await open_monitors(daemon.url, args.monitors)
            progress(f"{len(monitors)} monitors connected ({failed} failed)")
            levels: dict[str, Any] = {}
            fanout: list[dict[str, Any]] = []
            for count in args.concurrency:
                progress(f"{count} concurrent voice clients")
                timeout = 60.0 + 15.0 * count
                level = await guarded(f"concurrency[{count}]", errors, lambda: voice_round(daemon, count, clips, timeout))
                if level is not None:
                    levels[str(count)] = level
                    progress(f"{count} clients: voice-to-voice median {level['voice_to_voice'].get('median')} s, "
                             f"p95 {level['voice_to_voice'].get('p95')} s, late frames {level['late_frames']}, "
                             f"CPU % daemon/harness/others {level['cpu_percent']}")
                if monitors:
                    spread = await guarded(f"fanout[{count}]", errors, lambda: monitor_fanout(monitors, FANOUT_QUESTION))
                    if spread is not None:
                        fanout.append(spread)
            await asyncio.gather(*(m.close() for m in monitors), return_exceptions=True)
            memory = daemon.memory_mb()
            results["concurrency"] = {"levels": levels, "monitors": summarize_fanout(fanout, args.monitors, failed),
                                      "max_clients_setting": needed, "peak_rss_mb": round(memory["VmHWM"], 1)}
        finally:
            await daemon.stop()


def summarize_fanout(rounds: list[dict[str, Any]], wanted: int, failed: int) -> dict[str, Any]:
    skew = [s for r in rounds for s in [(r.get("fanout_skew_secs") or {}).get("bot-started-speaking", {}).get("max")]
            if s is not None]
    return {"requested": wanted, "connect_failures": failed, "rounds": rounds,
            "max_skew_bot_started_speaking_secs": summarize(skew),
            "missing_messages": sum(r.get("missing_messages", 0) for r in rounds)}


def floors_summary(rows: list[dict[str, Any]], stop_secs: float) -> dict[str, Any]:
    keys = ("stt", "llm_decision", "llm_first_token", "llm_first_sentence", "tts_first_sentence", "floor")
    return {**summarize_fields(rows, keys), "turn_end_wait": stop_secs, "runs": rows}


def barge_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {**summarize_fields(rows, ("reaction", "reaction_minus_vad_start", "interrupted_after_secs")),
            "not_interrupted": [r["error"] for r in rows if "error" in r],
            "overlapping_answers": sum(1 for r in rows if r.get("answers_playing_at_onset", 1) > 1), "runs": rows}


def startup_summary(startup: dict[str, list[float]]) -> dict[str, Any]:
    return {key: summarize(values, 3) for key, values in startup.items()}
