"""rtvi-edge benchmarks: one command, unattended, about 7 minutes on a 2-core machine.

    .venv/bin/python scripts/bench/run.py                 # everything, default run counts
    .venv/bin/python scripts/bench/run.py --runs 1 --barge-runs 3 --concurrency 1,4
    .venv/bin/python scripts/bench/run.py --skip concurrency,local

Starts `rtvi-edge run` on the default models as a subprocess, measures voice-to-voice latency through
the RTVI WebSocket and through the local-audio path, barge-in, engine floors, memory, idle CPU, start-up
and concurrency, then writes bench-results/latest.json (+ a timestamped copy) and latest.png, prints a
Markdown table and the change against the previous latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a file: make `scripts.bench` and `tests.speechgen` importable
    sys.path.insert(0, str(REPO))

from scripts.bench import phases  # noqa: E402
from scripts.bench.compare import compare, format_comparison, load_previous  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.plots import plot_results  # noqa: E402
from scripts.bench.questions import INTERRUPTION, LONG_QUESTION, make_clip, make_clips  # noqa: E402
from scripts.bench.report import evaluate_targets, markdown_summary, overhead_ratios, turn_summary  # noqa: E402

PHASES = ("idle", "rtvi", "barge", "concurrency", "floors", "local")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="rtvi-edge benchmarks (see docs/benchmarks.md)")
    parser.add_argument("--questions", type=int, default=8, help="distinct spoken questions (default 8)")
    parser.add_argument("--runs", type=int, default=2,
                        help="passes over the questions (RTVI turn, local turn and floors each; default 2)")
    parser.add_argument("--barge-runs", type=int, default=5, help="barge-in repetitions (default 5)")
    parser.add_argument("--concurrency", default="1,4,16", help="concurrent voice clients per level (default 1,4,16)")
    parser.add_argument("--monitors", type=int, default=50, help="monitor clients during concurrency (default 50)")
    parser.add_argument("--startups", type=int, default=3, help="extra daemon starts timed to ready (default 3)")
    parser.add_argument("--idle-secs", type=float, default=20.0, help="idle CPU window (default 20 s)")
    parser.add_argument("--skip", default="", help=f"comma list of phases to skip: {','.join(PHASES)}")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results", help="results directory")
    parser.add_argument("--note", default="", help="free text stored with the results (e.g. what changed)")
    args = parser.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s) to skip: {', '.join(sorted(unknown))}; phases: {', '.join(PHASES)}")
    try:
        args.concurrency = [int(n) for n in args.concurrency.split(",") if n.strip()]
    except ValueError:
        parser.error("--concurrency takes a comma list of whole numbers, e.g. 1,4,16")
    if any(n < 1 for n in args.concurrency) or args.questions < 1 or args.runs < 0:
        parser.error("counts must be positive")
    return args


def run_config(args: argparse.Namespace) -> dict[str, Any]:
    from firmware_py.config import Settings

    defaults = Settings()
    return {"questions": args.questions, "runs": args.runs,
            "barge_runs": args.barge_runs, "concurrency": args.concurrency, "monitors": args.monitors,
            "idle_secs": args.idle_secs, "startups": args.startups, "skipped": sorted(args.skip), "note": args.note,
            "vad_start_secs": defaults.vad.start_secs, "vad_stop_secs": defaults.vad.stop_secs,
            "turn_max_silence_secs": defaults.turn.max_silence_secs, "llm_threads": defaults.llm.threads,
            "llm_max_tokens": defaults.llm.max_tokens}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"title": "", "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "machine": describe_machine(), "config": run_config(args), "errors": {}}
    sampler = LoadSampler()
    sampler.start()
    started = time.monotonic()
    phases.progress("preparing spoken questions (cached after the first run)")
    clips = make_clips(args.questions)
    long_question, interruption = make_clip(LONG_QUESTION), make_clip(INTERRUPTION)
    startup: dict[str, list[float]] = {"ready_secs": [], "warm_secs": []}
    await phases.startup_runs(args.startups, startup, results["errors"])
    if set(PHASES) - {"concurrency"} - args.skip:
        await phases.guarded("single-client daemon", results["errors"], lambda: phases.single_client_phase(
            args, clips, long_question, interruption, results, startup))
    if "concurrency" not in args.skip:
        await phases.guarded("concurrency daemon", results["errors"],
                             lambda: phases.concurrency_phase(args, clips, results, startup))
    results["duration_secs"] = round(time.monotonic() - started, 1)
    results["load"] = await sampler.stop()
    return finish(results, startup)


def finish(results: dict[str, Any], startup: dict[str, list[float]]) -> dict[str, Any]:
    """Raw rows -> summaries, ratios and targets (the rows stay, under `runs`)."""
    stop_secs = results["config"]["vad_stop_secs"]
    rtvi_rows, local_rows = results.pop("rtvi_rows", []), results.pop("local_rows", [])
    floor_rows, barge_rows = results.pop("floor_rows", []), results.pop("barge_rows", [])
    results["startup"] = phases.startup_summary(startup)
    results["rtvi"] = turn_summary(rtvi_rows)
    results["local"] = turn_summary(local_rows)
    results["barge_in"] = phases.barge_summary(barge_rows)
    results["floors"] = phases.floors_summary(floor_rows, stop_secs)
    results["overhead"] = {"rtvi": overhead_ratios(rtvi_rows, floor_rows),
                           "local": overhead_ratios(local_rows, floor_rows), "target": 1.15}
    machine = results["machine"]
    results["title"] = (f"rtvi-edge {results['started_at'][:16]} on {machine['cpu']} ({machine['cores']} cores), "
                        f"load avg median {results['load']['loadavg_1min'].get('median')}")
    results["targets"] = evaluate_targets(results)
    return results


def write_outputs(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    latest = out / "latest.json"
    previous = load_previous(latest)
    stamp = results["started_at"][:19].replace(":", "").replace("-", "")
    text = json.dumps(results, indent=1, default=str)
    tmp = out / "latest.json.tmp"
    tmp.write_text(text)
    tmp.replace(latest)
    shutil.copyfile(latest, out / f"{stamp}.json")
    plot = plot_results(results, out / "latest.png")
    print(markdown_summary(results))
    print(f"\nresults: {latest} (copy {stamp}.json), plot: {plot}")
    if previous is not None:
        print(f"\nchange against the previous run ({previous.get('started_at', '?')}), figures moving 5% or more:")
        print(format_comparison(compare(previous, results), min_percent=5.0))
    if results.get("errors"):
        print("\nerrors:\n" + "\n".join(f"  {k}: {v}" for k, v in results["errors"].items()))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    results = asyncio.run(measure(args))
    write_outputs(results, args.out)
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
