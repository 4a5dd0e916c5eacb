"""WebSocket vs SmallWebRTC on the same daemon, in one run: voice-to-voice latency on the same spoken
questions, and the daemon's CPU per connected, idle-listening voice client.

    .venv/bin/python scripts/bench/transports.py                    # 8 questions x 3 rounds, 3 idle clients
    .venv/bin/python scripts/bench/transports.py --rounds 1 --idle-clients 2 --idle-secs 10
    .venv/bin/python scripts/bench/transports.py --rounds 0 --idle-repeats 5      # only the idle CPU, 5 times each
    .venv/bin/python scripts/bench/transports.py --rounds 0 --repo /tmp/old       # another checkout's daemon

Each turn is a fresh connection (a fresh conversation), and the transports alternate question by question
so that drift in the machine's load falls on both alike. Voice-to-voice is measured the same way for both:
from the last voiced sample leaving the client's microphone to when the first audible bot sample would be
heard by a client that starts playing the answer as its first frame arrives. (The WebSocket sends its first
frames ahead of real time, a WebRTC track in real time: the arrival of the first *audible* frame would favour
the WebSocket by the quiet start of the voice; the play-out time is what a listener hears.)

Voice-to-voice swings by a second from turn to turn (answer length, LLM and TTS on a shared machine), far
more than a transport adds, so the transport's own share is also measured on its own: the uplink (last voiced
sample -> `user-stopped-speaking` at the client: the microphone stream, VAD and the event coming back) plus
the downlink (`bot-started-speaking` -> first audible bot frame at the client). Their sum is the transport
path; its WebRTC - WebSocket difference, paired by question and round, is what the 50 ms target is about.
The idle CPU figure is daemon utime+stime, so it follows the machine's load far less than wall times do; it is
measured `--idle-repeats` times per transport, alternating, with the load average beside each, and the median
per client is the figure. Writes bench-results/transports-<time>.json and transports-latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a file: make `scripts.bench` and `tests.speechgen` importable
    sys.path.insert(0, str(REPO))

from scripts.bench.client import BenchClient  # noqa: E402
from scripts.bench.daemon import Daemon, config_toml  # noqa: E402
from scripts.bench.machine import describe_machine  # noqa: E402
from scripts.bench.questions import Clip, make_clips  # noqa: E402
from scripts.bench.resources import cpu_percent  # noqa: E402
from scripts.bench.rtvi_turns import LEAD_SILENCE_SECS, answer_text, is_final  # noqa: E402
from scripts.bench.stats import summarize  # noqa: E402
from scripts.bench.webrtc_client import WebRtcBenchClient  # noqa: E402

log = logging.getLogger("bench.transports")
TRANSPORTS = ("websocket", "webrtc")
TARGET_V2V_GAP_SECS = 0.050
TARGET_IDLE_CPU_PERCENT = 5.0


def client_for(transport: str, daemon: Daemon) -> BenchClient:
    if transport == "webrtc":
        return WebRtcBenchClient(f"http://127.0.0.1:{daemon.port}/api/offer")
    return BenchClient(daemon.url)


async def voice_client(transport: str, daemon: Daemon) -> BenchClient:
    client = client_for(transport, daemon)
    await client.open()
    await client.ready()
    client.mic.start()
    return client


async def turn(transport: str, daemon: Daemon, clip: Clip, timeout: float = 60.0) -> dict[str, Any]:
    """One spoken question on a fresh connection; the row of its timings (seconds after the last voiced sample)."""
    client = await voice_client(transport, daemon)
    try:
        await asyncio.sleep(LEAD_SILENCE_SECS)
        marks = await client.mic.play(clip.samples, {"first": clip.first_voiced, "last": clip.last_voiced})
        last = marks["last"]
        started = await client.wait_for("bot-started-speaking", after=last, timeout=timeout)
        await client.wait_for("bot-stopped-speaking", after=started.at, timeout=90)
        since = lambda at: round(at - last, 4) if at is not None else None  # noqa: E731
        final = client.first("user-transcription", marks["first"], is_final)
        stopped = client.first("user-stopped-speaking", marks["first"])
        row = {"transport": transport, "question": clip.question.text, "voice_to_voice": since(heard_at(client, last)),
               "first_frame": since(client.first_audio_after(last)),
               "user_stopped": since(stopped.at if stopped else None), "bot_started_speaking": since(started.at),
               "transcript": final.data.get("text", "") if final else "", "answer": answer_text(client, last)}
        return with_transport_path(row)
    finally:
        await client.close()


def heard_at(client: BenchClient, after: float) -> float | None:
    """When the first audible bot sample after `after` plays, the answer playing from its first frame's arrival
    without a gap (to the sample: frames are 40 ms on the WebSocket, 20 ms on WebRTC)."""
    frames = [(at, count, onset) for (at, count), onset in zip(client.audio, client.audio_onsets) if at >= after]
    played = 0
    for _, count, onset in frames:
        if onset >= 0:
            return frames[0][0] + (played + onset) / client.audio_rate
        played += count
    return None


def with_transport_path(row: dict[str, Any]) -> dict[str, Any]:
    """Adds the downlink (bot-started-speaking -> first audible frame) and the transport path (uplink + downlink)."""
    v2v, started, stopped = row.get("voice_to_voice"), row.get("bot_started_speaking"), row.get("user_stopped")
    if v2v is not None and started is not None:
        row["downlink"] = round(v2v - started, 4)
        if stopped is not None:
            row["transport_path"] = round(stopped + row["downlink"], 4)
    return row


async def latency_rounds(daemon: Daemon, clips: list[Clip], rounds: int) -> list[dict[str, Any]]:
    rows = []
    for round_index in range(rounds):
        for index, clip in enumerate(clips):
            order = TRANSPORTS if (index + round_index) % 2 == 0 else TRANSPORTS[::-1]
            for transport in order:
                try:
                    row = await turn(transport, daemon, clip)
                except (TimeoutError, ConnectionError) as err:
                    row = {"transport": transport, "question": clip.question.text, "error": str(err)}
                row["round"] = round_index
                rows.append(row)
                log.info("%s %-9s v2v=%s %r", round_index, transport, row.get("voice_to_voice"), row.get("transcript"))
    return rows


async def idle_cpu(daemon: Daemon, transport: str, clients: int, secs: float) -> dict[str, Any]:
    """Daemon CPU with no client, then with `clients` voice clients streaming silence; the share per client."""
    load = loadavg()
    baseline = await cpu_percent(daemon, secs)
    connected = [await voice_client(transport, daemon) for _ in range(clients)]
    try:
        await asyncio.sleep(3.0)  # let connection set-up costs pass
        loaded = await cpu_percent(daemon, secs)
    finally:
        await asyncio.gather(*(client.close() for client in connected))
    await asyncio.sleep(2.0)
    return {"transport": transport, "clients": clients, "secs": secs, "no_client_percent": baseline,
            "with_clients_percent": loaded, "per_client_percent": round((loaded - baseline) / clients, 2),
            "loadavg": load}


async def idle_rounds(daemon: Daemon, clients: int, secs: float, repeats: int) -> list[dict[str, Any]]:
    """`idle_cpu` of each transport `repeats` times, alternating which goes first."""
    rows = []
    for repeat in range(repeats):
        for transport in TRANSPORTS if repeat % 2 == 0 else TRANSPORTS[::-1]:
            row = {**await idle_cpu(daemon, transport, clients, secs), "repeat": repeat}
            log.info("idle %-9s %.2f %% per client (load %s)", transport, row["per_client_percent"], row["loadavg"])
            rows.append(row)
    return rows


def loadavg() -> list[float]:
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]


def paired_gap(by: dict[str, list[dict[str, Any]]], key: str) -> dict[str, Any]:
    """WebRTC minus WebSocket of `key`, paired by question and round."""
    gaps = []
    for row in by["webrtc"]:
        twin = next((r for r in by["websocket"] if r["question"] == row["question"] and r["round"] == row["round"]), None)
        if twin and row.get(key) is not None and twin.get(key) is not None:
            gaps.append(row[key] - twin[key])
    return summarize(gaps)


def summary(rows: list[dict[str, Any]], idle: list[dict[str, Any]]) -> dict[str, Any]:
    by = {t: [r for r in rows if r["transport"] == t and "error" not in r] for t in TRANSPORTS}
    keys = ("voice_to_voice", "user_stopped", "downlink", "transport_path")
    per_client = {t: round(statistics.median(e["per_client_percent"] for e in idle if e["transport"] == t), 2)
                  for t in TRANSPORTS if any(e["transport"] == t for e in idle)}
    path_gap = paired_gap(by, "transport_path")
    return {
        **{key: {t: summarize(r.get(key) for r in by[t]) for t in TRANSPORTS} for key in keys},
        "webrtc_minus_websocket": {key: paired_gap(by, key) for key in keys},
        "errors": sum(1 for r in rows if "error" in r),
        "idle_cpu_per_client_percent": per_client,
        "idle_cpu_runs": {t: [e["per_client_percent"] for e in idle if e["transport"] == t] for t in per_client},
        "targets": {
            "transport_path_gap_within_50ms": path_gap.get("median") is not None
            and abs(path_gap["median"]) <= TARGET_V2V_GAP_SECS,
            "webrtc_idle_cpu_at_most_5_percent": per_client.get("webrtc", 99) <= TARGET_IDLE_CPU_PERCENT,
        },
    }


def write_results(result: dict[str, Any]) -> Path:
    folder = REPO / "bench-results"
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = folder / f"transports-{stamp}.json"
    text = json.dumps(result, indent=1, default=str)
    path.write_text(text)
    (folder / "transports-latest.json").write_text(text)
    return path


async def run(args: argparse.Namespace) -> dict[str, Any]:
    clips = make_clips(args.questions)
    daemon = Daemon(config_toml(log_level="info", max_clients=max(16, args.idle_clients * 2)))
    if args.repo:  # e.g. an older commit unpacked with `git archive`, on this checkout's models
        daemon.command, daemon.cwd = [sys.executable, "-m", "firmware_py.cli"], args.repo
        os.environ.setdefault("RTVI_EDGE_MODELS", str(REPO / "models"))
    await daemon.start(timeout=240)
    await daemon.wait_warm(timeout=240)
    try:
        started, load_before = time.time(), loadavg()
        idle = await idle_rounds(daemon, args.idle_clients, args.idle_secs, args.idle_repeats) if args.idle_clients \
            else []
        rows = await latency_rounds(daemon, clips, args.rounds)
        return {"started": started, "machine": describe_machine(), "loadavg_before": load_before,
                "loadavg_after": loadavg(), "settings": vars(args), "summary": summary(rows, idle),
                "idle_cpu": idle, "turns": rows, "daemon_warnings": daemon.warnings()[-20:]}
    finally:
        await daemon.stop()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=8, help="spoken questions per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the questions (each on both transports)")
    parser.add_argument("--idle-clients", type=int, default=3, help="voice clients for the CPU figure (0: skip it)")
    parser.add_argument("--idle-secs", type=float, default=20.0, help="length of each CPU measurement")
    parser.add_argument("--idle-repeats", type=int, default=1, help="CPU measurements per transport (median)")
    parser.add_argument("--repo", type=Path, help="run the daemon from this checkout instead (a before/after)")
    parser.add_argument("--summarize", type=Path, help="no run: summarize this earlier result file again")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for chatty in ("aioice", "aiortc", "aiohttp"):  # every ICE check at INFO: the peers' business, not ours
        logging.getLogger(chatty).setLevel(logging.WARNING)
    args = parse_args(argv)
    if args.summarize:
        result = json.loads(args.summarize.read_text())
        result["turns"] = [with_transport_path(row) for row in result["turns"]]
        result["summary"] = summary(result["turns"], result["idle_cpu"])
    else:
        result = asyncio.run(run(args))
    path = write_results(result)
    print(json.dumps(result["summary"], indent=1))
    print(f"load average before {result['loadavg_before']}, after {result['loadavg_after']}; raw: {path}")


if __name__ == "__main__":
    main()
