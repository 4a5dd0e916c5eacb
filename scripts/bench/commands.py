"""Spoken commands, questions, chit-chat and unknown devices against the real daemon: did it do the right
thing, and how fast did it answer?

    .venv/bin/python scripts/bench/commands.py --quick          # about 15 requests, a smoke run
    .venv/bin/python scripts/bench/commands.py --runs 2         # the full corpus, twice
    .venv/bin/python scripts/bench/commands.py --seed 7         # another generated split

Starts mosquitto on a free loopback port and `rtvi-edge run` with the benchmark's devices, streams each
request in real time over a fresh RTVI WebSocket connection, judges it from the RTVI messages and the MQTT
payloads, and writes bench-results/commands-latest.json (+ a timestamped copy) and a Markdown summary.
Requests that need a timer running get it first (typed, through the daemon); when the timers left
behind do not suit the next request, the daemon is restarted. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from collections.abc import AsyncIterator
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a file: make `scripts.bench` and `tests` importable
    sys.path.insert(0, str(REPO))

from scripts.bench.command_audio import CaseClip, render  # noqa: E402
from scripts.bench.command_corpus import CORPUS_VERSION, DEVICES, Case, corpus  # noqa: E402
from scripts.bench.command_judge import judge  # noqa: E402
from scripts.bench.command_report import comparison_markdown, evaluate_targets, markdown, summarize_rows  # noqa: E402
from scripts.bench.command_session import RequestLog, TimerLedger, send_typed, speak_request  # noqa: E402
from scripts.bench.command_templates import describe  # noqa: E402
from scripts.bench.daemon import Daemon, config_toml  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.phases import progress  # noqa: E402

WARM_UP_TEXT = "What time is it?"
START_TIMEOUT_SECS = 300.0
"""Spawn to ready, and to warm: generous, as the machine this runs on may be very busy."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="spoken-command benchmark (see docs/benchmarks.md)")
    parser.add_argument("--quick", action="store_true", help="about 15 requests: a smoke run")
    parser.add_argument("--runs", type=int, default=1, help="passes over the corpus (default 1)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated split and the dressing")
    parser.add_argument("--generated", type=int, default=32, help="generated requests (default 32)")
    parser.add_argument("--only", default="", help="comma list of case ids to run (e.g. h03,g11)")
    parser.add_argument("--no-answer-secs", type=float, default=10.0,
                        help="no bot audio this long after the last voiced sample: unanswered (default 10)")
    parser.add_argument("--commit", default="",
                        help="run the daemon from this commit (exported with git archive) instead of the work tree")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results", help="results directory")
    parser.add_argument("--note", default="", help="free text stored with the results")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                        help="print the per-category change between two results files, run nothing")
    return parser.parse_args(argv)


def daemon_supports_devices() -> bool:
    """Whether the daemon's config (of the exported commit, when one is run) has `[[devices]]` tables."""
    probe = "from dataclasses import fields; from firmware_py.config import Settings; " \
            "print('devices' in {f.name for f in fields(Settings)})"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                           cwd=os.environ.get("PYTHONPATH") or REPO)
    return found.stdout.strip() == "True"


def export_commit(revision: str, into: Path) -> str:
    """`git archive` of `revision` into `into`; the daemon then runs from it (PYTHONPATH) on this
    checkout's models. Returns the short commit id."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    os.environ["PYTHONPATH"] = str(into)
    os.environ["RTVI_EDGE_MODELS"] = str(REPO / "models")
    return git_revision(revision)


def bench_config(mqtt_port: int, with_devices: bool) -> str:
    """JSON logs for the harness, MQTT to the benchmark's broker, and the devices (when the daemon has them)."""
    text = config_toml() + f'\n[mqtt]\nenabled = true\nhost = "127.0.0.1"\nport = {mqtt_port}\ndiscovery_prefix = ""\n'
    if with_devices:
        for device in DEVICES:
            aliases = ", ".join(json.dumps(a) for a in device.aliases)
            text += (f'\n[[devices]]\nname = "{device.name}"\naliases = [{aliases}]\narea = "{device.area}"\n'
                     f'kind = "{device.kind}"\ncommand_topic = "{device.topic}"\n')
    return text


class Bench:
    """The daemon under test, its broker and listener, and the timers left running on it."""

    def __init__(self, args: argparse.Namespace, config: str) -> None:
        self.args, self.config = args, config
        self.daemon: Daemon | None = None
        self.ledger = TimerLedger()
        self.restarts = 0
        self.setup_failures: list[str] = []

    async def start_daemon(self) -> None:
        if self.daemon is not None:
            await self.daemon.stop()
            self.restarts += 1
        self.daemon = Daemon(self.config)
        ready = await self.daemon.start(timeout=START_TIMEOUT_SECS)  # "ready" may wait for the warm-up
        warm = await self.daemon.wait_warm(timeout=START_TIMEOUT_SECS)
        self.ledger.clear()
        progress(f"daemon ready in {ready:.2f} s, warm at {warm:.2f} s")

    @property
    def url(self) -> str:
        assert self.daemon is not None
        return self.daemon.url

    async def prepare_timers(self, case: Case) -> bool:
        """Bring the device's timers to what the request needs; False when that could not be done."""
        needs = case.expect.needs_timer
        if self.ledger.rings_near():
            await self.start_daemon()   # a short timer set earlier would ring over this request
        if self.ledger.satisfies(needs):
            return await self._paused_as_needed(case)
        if needs is None or self.ledger.live():
            await self.start_daemon()  # a clean slate is the only reliable way to remove timers
        if needs is None:
            return True
        subject = f"{needs} timer" if needs else "timer"
        for _ in range(2):
            calls = await send_typed(self.url, f"Set a {subject} for twenty minutes.", "set_timer")
            self.ledger.record(calls)
            if self.ledger.satisfies(needs):
                return await self._paused_as_needed(case)
            await self.start_daemon()
        self.setup_failures.append(f"{case.case_id}: could not set a {subject} by text")
        return False

    async def _paused_as_needed(self, case: Case) -> bool:
        """A request to resume finds its timer paused, one to pause finds it running, whatever the request
        before it did (a pause missed must not count against the resume after it)."""
        wants_paused = {"resume_timer": True, "pause_timer": False}.get(case.expect.action)
        if case.expect.needs_timer != "" or wants_paused is None or self.ledger.paused() == wants_paused:
            return True
        action = "pause_timer" if wants_paused else "resume_timer"
        calls = await send_typed(self.url, "Pause the timer." if wants_paused else "Resume the timer.", action)
        self.ledger.record(calls)
        if self.ledger.paused() == wants_paused:
            return True
        self.setup_failures.append(f"{case.case_id}: could not {action.replace('_', ' ')} by text")
        return False

    async def run_case(self, case: Case, clip: CaseClip, run: int, listener: Any) -> dict[str, Any]:
        row: dict[str, Any] = {"case_id": case.case_id, "run": run, "split": case.split,
                               "category": case.expect.category, "intent": case.intent, "voice": case.voice_label,
                               "condition": case.condition, "text": case.text, "intended": case.intended,
                               "pause_secs": case.pause_secs, "clip_secs": round(clip.secs, 2)}
        if not await self.prepare_timers(case):
            return {**row, "ok": False, "outcome": "skipped", "answered": False, "wrong_action": False}
        log = await speak_request(self.url, clip, listener, self.args.no_answer_secs)
        seen = log.observed()
        self.ledger.record(seen.calls)
        verdict = judge(case, seen)
        return {**row, **verdict.as_row(), **_timings(log), "transcript": seen.transcript,
                "bot_text": seen.bot_text[:300], "mqtt": seen.mqtt,
                "actions": [f"{c.name}({json.dumps(c.arguments)}) -> "
                            + (json.dumps(c.result)[:160] if c.stopped else "no result") for c in seen.calls]}


def _timings(log: RequestLog) -> dict[str, Any]:
    return {"voice_to_voice": log.voice_to_voice, **log.marks,
            **{f"server_{k}": v for k, v in log.server_ttfb.items()}}


def git_revision(revision: str = "HEAD") -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", revision], cwd=REPO, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


@contextlib.asynccontextmanager
async def running_bench(args: argparse.Namespace, with_devices: bool) -> AsyncIterator[tuple[Bench, Any]]:
    """A broker, a listener on the devices' topics and the daemon started on them; all stopped after."""
    from tests.integrations.mqtt_helpers import Broker, Listener

    with tempfile.TemporaryDirectory(prefix="rtvi-edge-commands-") as tmp:
        broker = Broker(Path(tmp))
        broker.start()
        listener = Listener(broker.port, "bench/#")
        bench = Bench(args, bench_config(broker.port, with_devices))
        try:
            await bench.start_daemon()
            yield bench, listener
        finally:
            if bench.daemon is not None:
                await bench.daemon.stop()
            listener.close()
            broker.kill()


async def measure(args: argparse.Namespace, cases: list[Case]) -> dict[str, Any]:
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    progress(f"rendering {len(cases)} spoken requests (cached after the first run)")
    clips = {case.case_id: render(case) for case in cases}
    warm_up = render(Case("warm-up", WARM_UP_TEXT, WARM_UP_TEXT, cases[0].expect, "warm-up"))
    source = tempfile.TemporaryDirectory(prefix="rtvi-edge-commit-")
    tree = f"commit {export_commit(args.commit, Path(source.name))}" if args.commit else f"work tree at {git_revision()}"
    with_devices = daemon_supports_devices()
    rows: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    sampler = LoadSampler()
    sampler.start()
    try:
        async with running_bench(args, with_devices) as (bench, listener):
            await speak_request(bench.url, warm_up, listener, args.no_answer_secs)
            for run in range(args.runs):
                for index, case in enumerate(cases):
                    try:
                        row = await bench.run_case(case, clips[case.case_id], run, listener)
                    except Exception as err:  # one broken request must not lose the others
                        errors[f"{case.case_id}[{run}]"] = f"{type(err).__name__}: {err}"
                        progress(f"{case.case_id} failed: {errors[f'{case.case_id}[{run}]']}")
                        await bench.start_daemon()
                        continue
                    rows.append(row)
                    progress(f"run {run + 1} {index + 1}/{len(cases)} {case.case_id} {row['outcome']}"
                             f" v2v={row.get('voice_to_voice')} heard={row.get('transcript')!r}")
    finally:
        source.cleanup()
    summary = summarize_rows(rows)
    return {"title": f"rtvi-edge spoken commands {started_at[:16]}, {tree}", "started_at": started_at,
            "machine": describe_machine(), "load": await sampler.stop(),
            "config": {"runs": args.runs, "seed": args.seed, "corpus_version": CORPUS_VERSION, "quick": args.quick, "generated": args.generated,
                       "no_answer_secs": args.no_answer_secs, "devices_configured": with_devices,
                       "daemon_source": tree, "note": args.note},
            "corpus": describe(cases), "restarts": bench.restarts, "setup_failures": bench.setup_failures,
            "errors": errors, "summary": summary, "targets": evaluate_targets(summary), "rows": rows}


def write_outputs(results: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp = results["started_at"][:19].replace(":", "").replace("-", "")
    text = json.dumps(results, indent=1, default=str)
    path = out / f"commands-{stamp}.json"
    path.write_text(text)
    if not results["config"]["quick"]:
        (out / "commands-latest.json").write_text(text)
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        before, after = (json.loads(path.read_text()) for path in args.compare)
        print(comparison_markdown(before, after))
        return 0
    cases = corpus(args.seed, args.generated, args.quick)
    if args.only:
        wanted = {c.strip() for c in args.only.split(",")}
        cases = [c for c in cases if c.case_id in wanted]
    if not cases:
        print("no cases to run", file=sys.stderr)
        return 2
    results = asyncio.run(measure(args, cases))
    path = write_outputs(results, args.out)
    print(markdown(results))
    print(f"\nresults: {path}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
