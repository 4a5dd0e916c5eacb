"""Memory benchmark: the daemon's peak RSS over start, warm-up and a conversation, memory per engine, STT
accuracy and speed, today's Moonshine weights beside the prepared ones, in one run.

    .venv/bin/python scripts/bench/memory.py                   # default + small profiles, today's beside
    .venv/bin/python scripts/bench/memory.py --soak 200        # plus a 200-turn soak (about 5 minutes)
    .venv/bin/python scripts/bench/memory.py --starts 1 --turns 2 --skip engines   # quicker

Configurations: "today" (default profile, the decoder as float32 ONNX: how Moonshine ran before the
prepared copies), "default" (prepared 4-bit copies), "small" (Moonshine tiny-en, prepared) and, asked for
with --configs, "small-remote" (the small profile with `llm.backend = "remote"`, answered by a scripted
OpenAI-compatible server: what a 512 MB board holds; daemon figures only). For each:
the daemon is spawned (`rtvi-edge run`), start-up to ready timed `--starts` times (with the daemon's CPU
seconds at ready), then one RTVI client has a conversation of `--turns` spoken questions, and VmHWM (peak
RSS) is read from /proc. Per engine, WER and real-time factor come from `memory_engines.py` in a fresh child
process per configuration.

Writes bench-results/memory.json (+ a timestamped copy) and prints a table. Exits 1 when a target is
missed (peak RSS above --target-mb / --small-target-mb, WER more than 0.5 points above today's, STT
real-time factor above 1.2x today's, start-up to ready above 2 s), 2 when a phase failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench.daemon import Daemon, config_toml, cpu_seconds  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.memory_engines import memory as proc_memory  # noqa: E402
from scripts.bench.questions import make_clips  # noqa: E402
from scripts.bench.rtvi_turns import LEAD_SILENCE_SECS, ask, connect_voice_client  # noqa: E402
from scripts.bench.scripted_llm import ScriptedLlm  # noqa: E402

CONFIGS = {"today": ("default", "folded"), "default": ("default", "prepared"), "small": ("small", "prepared"),
           "small-remote": ("small", "prepared")}
REMOTE_LLM = {"small-remote"}
"""Configurations whose LLM is a scripted remote server: the daemon holds no model of its own."""
DEFAULT_CONFIGS = "today,default,small"
WEIGHTS_ENV = "RTVI_EDGE_STT_WEIGHTS"
WER_MARGIN_POINTS = 0.5
RTF_RATIO = 1.2
READY_SECS = 2.0


def daemon_config(profile: str, remote_url: str = "") -> str:
    text = config_toml() + f'\n[models]\nprofile = "{profile}"\n'
    return text + (f'\n[llm]\nbackend = "remote"\nremote_url = "{remote_url}"\n' if remote_url else "")


async def spawn(profile: str, weights: str, remote_url: str = "") -> Daemon:
    daemon = Daemon(daemon_config(profile, remote_url))
    previous = os.environ.get(WEIGHTS_ENV)
    os.environ[WEIGHTS_ENV] = weights
    try:
        await daemon.start(timeout=180)
    finally:
        if previous is None:
            os.environ.pop(WEIGHTS_ENV, None)
        else:
            os.environ[WEIGHTS_ENV] = previous
    return daemon


async def daemon_phase(name: str, starts: int, turns: int) -> dict[str, Any]:
    """Start-up times, memory at ready, and the peak over a spoken conversation, for one configuration."""
    if name in REMOTE_LLM:
        async with ScriptedLlm() as llm:
            return await daemon_runs(name, starts, turns, llm.url)
    return await daemon_runs(name, starts, turns)


async def daemon_runs(name: str, starts: int, turns: int, remote_url: str = "") -> dict[str, Any]:
    profile, weights = CONFIGS[name]
    ready, ready_cpu, at_ready = [], [], []

    async def start() -> Daemon:
        daemon = await spawn(profile, weights, remote_url)
        ready.append(daemon.ready_secs)
        ready_cpu.append(cpu_seconds(daemon.pid))  # what the start cost, which the machine's load moves far less
        at_ready.append(proc_memory(daemon.pid))
        return daemon

    for _ in range(max(0, starts - 1)):
        await (await start()).stop()
    daemon = await start()
    rows = []
    try:
        client = await connect_voice_client(daemon.url)
        try:
            await asyncio.sleep(LEAD_SILENCE_SECS)
            for clip in make_clips(turns):
                row = await ask(client, clip, timeout=60)
                rows.append({"question": clip.question.text, "heard": row.get("transcript", ""),
                             "answer": row.get("answer", "")[:120], "memory": proc_memory(daemon.pid)})
        finally:
            await client.close()
        after = proc_memory(daemon.pid)
    finally:
        await daemon.stop()
    return {"profile": profile, "weights": weights, "ready_secs": [round(s, 2) for s in ready],
            "ready_secs_median": round(statistics.median(ready), 2), "ready_cpu_secs": ready_cpu,
            "ready_cpu_secs_median": round(statistics.median(ready_cpu), 2), "at_ready": at_ready,
            "turns": rows, "after_conversation": after, "peak_rss_mb": after["VmHWM"]}


def engines_phase(name: str, repeats: int) -> dict[str, Any]:
    """memory_engines.py in a fresh child (clean RSS figures), for one configuration."""
    profile, weights = CONFIGS[name]
    command = [sys.executable, "-m", "scripts.bench.memory_engines", "engines", "--profile", profile,
               "--weights", weights, "--repeats", str(repeats)]
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"engines child failed: {done.stderr.strip().splitlines()[-3:]}")
    return json.loads(done.stdout)


def soak_phase(turns: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "scripts.bench.memory_engines", "soak", "--turns", str(turns)]
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"soak child failed: {done.stderr.strip().splitlines()[-3:]}")
    return json.loads(done.stdout)


def verdicts(results: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each target: what was measured, today's figure, the limit and whether it was met."""
    daemons, engines = results.get("daemon", {}), results.get("engines", {})
    checks = []

    def check(target: str, measured: float | None, limit: float, today: float | None = None) -> None:
        if measured is not None:
            checks.append({"target": target, "measured": measured, "today": today, "limit": round(limit, 4),
                           "met": measured <= limit})

    today_peak = daemons.get("today", {}).get("peak_rss_mb")
    check("default peak RSS (MB)", daemons.get("default", {}).get("peak_rss_mb"), args.target_mb, today_peak)
    check("small peak RSS (MB)", daemons.get("small", {}).get("peak_rss_mb"), args.small_target_mb, today_peak)
    check("small, remote LLM peak RSS (MB)", daemons.get("small-remote", {}).get("peak_rss_mb"), args.small_target_mb)
    check("default start-up to ready (s)", daemons.get("default", {}).get("ready_secs_median"), READY_SECS,
          daemons.get("today", {}).get("ready_secs_median"))
    check("small start-up to ready (s)", daemons.get("small", {}).get("ready_secs_median"), READY_SECS)
    today = engines.get("today", {}).get("stt")
    default = engines.get("default", {}).get("stt")
    if today and default:
        check("default STT WER (%)", default["wer_percent"], today["wer_percent"] + WER_MARGIN_POINTS,
              today["wer_percent"])
        for key in ("rtf_cpu_median", "rtf_wall_median"):
            check(f"default STT real-time factor ({key.split('_')[1]})", default[key], today[key] * RTF_RATIO,
                  today[key])
    return checks


def print_report(results: dict[str, Any]) -> None:
    print("\n| configuration | peak RSS MB | RSS after MB | ready s | CPU s at ready | STT MB | STT load peak MB | "
          "WER % | RTF cpu | RTF wall |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in CONFIGS:
        daemon, engines = results.get("daemon", {}).get(name, {}), results.get("engines", {}).get(name, {})
        if not daemon and not engines:
            continue
        stt, added = engines.get("stt", {}), engines.get("per_engine_mb", {})
        print(f"| {name} | {daemon.get('peak_rss_mb', '-')} | {daemon.get('after_conversation', {}).get('VmRSS', '-')}"
              f" | {daemon.get('ready_secs_median', '-')} | {daemon.get('ready_cpu_secs_median', '-')}"
              f" | {added.get('stt_loaded', '-')} | "
              f"{added.get('stt_load_peak', '-')} | {stt.get('wer_percent', '-')} | {stt.get('rtf_cpu_median', '-')} | "
              f"{stt.get('rtf_wall_median', '-')} |")
    for name, engines in results.get("engines", {}).items():
        print(f"per engine ({name}, MB added):", engines.get("per_engine_mb"))
    if "soak" in results:
        soak = results["soak"]
        print(f"soak: {soak['turns']} turns, RSS growth after the first tenth {soak['rss_growth_after_first_tenth_mb']}"
              f" MB (range {soak['rss_range_after_first_tenth_mb']} MB)")
    print("\n| target | measured | today | limit | met |\n|---|---|---|---|---|")
    for row in results["targets"]:
        print(f"| {row['target']} | {row['measured']} | {row['today'] if row['today'] is not None else '-'} | "
              f"{row['limit']} | {'yes' if row['met'] else '**no**'} |")
    print(f"load average over the run: {results['load']}")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results: dict[str, Any] = {"machine": describe_machine(), "started": started, "daemon": {}, "engines": {},
                               "errors": {}}
    sampler = LoadSampler()
    sampler.start()
    await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "scripts.bench.memory_engines", "corpus"],
                            cwd=REPO, check=True, stdout=subprocess.DEVNULL)  # speech made once, outside the figures
    for name in args.configs:
        for phase in ("daemon", "engines"):
            if phase in args.skip or (phase == "engines" and name in REMOTE_LLM):  # the same engines as "small"
                continue
            print(f"memory bench: {phase} {name} ...", file=sys.stderr, flush=True)
            try:
                results[phase][name] = (await daemon_phase(name, args.starts, args.turns) if phase == "daemon"
                                        else await asyncio.to_thread(engines_phase, name, args.repeats))
            except Exception as err:  # one failed phase must not lose the others' figures
                results["errors"][f"{phase}:{name}"] = f"{type(err).__name__}: {err}"
    if args.soak:
        print(f"memory bench: soak of {args.soak} turns ...", file=sys.stderr, flush=True)
        try:
            results["soak"] = await asyncio.to_thread(soak_phase, args.soak)
        except Exception as err:
            results["errors"]["soak"] = f"{type(err).__name__}: {err}"
    results["load"] = await sampler.stop()
    results["targets"] = verdicts(results, args)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=DEFAULT_CONFIGS, type=lambda v: v.split(","),
                        help=f"of {', '.join(CONFIGS)}")
    parser.add_argument("--skip", default="", type=lambda v: v.split(","), help="daemon and/or engines")
    parser.add_argument("--starts", type=int, default=3, help="daemon start-ups per configuration")
    parser.add_argument("--turns", type=int, default=4, help="spoken questions in the conversation")
    parser.add_argument("--repeats", type=int, default=2, help="passes over the corpus for the real-time factor")
    parser.add_argument("--soak", type=int, default=0, help="turns of an in-process soak (0: none)")
    parser.add_argument("--target-mb", type=float, default=600.0)
    parser.add_argument("--small-target-mb", type=float, default=350.0)
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "memory.json")
    args = parser.parse_args()
    unknown = [name for name in args.configs if name not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}; known: {', '.join(CONFIGS)}")
    results = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=1)
    args.out.write_text(text)
    (args.out.parent / f"memory-{time.strftime('%Y%m%dT%H%M%S')}.json").write_text(text)
    print_report(results)
    print(f"wrote {args.out}")
    if results["errors"]:
        print(f"failed phases: {results['errors']}", file=sys.stderr)
        return 2
    missed = [row["target"] for row in results["targets"] if not row["met"]]
    if missed:
        print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
