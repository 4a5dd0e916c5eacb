"""Satellites benchmark: many rooms against one hub, arbitration, chat's overhead, a satellite's footprint.

    .venv/bin/python scripts/bench/satellites.py                     # everything (about 10 minutes)
    .venv/bin/python scripts/bench/satellites.py --counts 4 --rounds 1 --arbitration-rounds 4

The hub is the real daemon (`rtvi-edge run --no-local-audio`, real VAD/STT/turn/TTS) whose LLM is
`llm.backend = "remote"`: a scripted OpenAI-compatible server streaming one word per token at a fixed rate
(scripts/bench/scripted_llm.py), so the figures are the hub's, not a model's.

- typed: N clients send a typed question at once (the LLM slots alone): first text and answer end.
- rooms: N simulated satellites (SDK clients, each a WAV question as its microphone in real time) ask at
  the same moment, N in --counts, with llm.parallel = 1 and = --parallel. Voice to voice per client: from
  sending the last voiced sample to the first bot audio received.
- arbitration: two real satellites (real openWakeWord) hear "Hey Jarvis, <question>", the far one quieter
  (gain 0.2-0.7) and either one first by up to 0.15 s. Right room: the near one answers and the far one
  does not; duplicate: both answer.
- chat: typed questions timed by a raw protobuf probe, by the SDK (what chat runs) and by `rtvi-edge chat`.
- satellite: `rtvi-edge satellite` listening for the wake word (silence, or `--room-noise`: steady pink noise
  at -30 dBFS): RSS, private and shared memory, the largest mappings, CPU. `--satellite-only` measures just
  this, against a hub that only answers the handshake (bench-results/satellite-footprint-*.json).

Raw rows and summaries go to bench-results/satellites-<time>.json and bench-results/satellites-latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from firmware_py.audio.io import write_wav  # noqa: E402
from firmware_py.client import RtviClient, WebSocketTransport, events  # noqa: E402
from firmware_py.client.satellite import SatelliteSettings  # noqa: E402
from firmware_py.client.satellite_io import open_wake_word  # noqa: E402
from firmware_py.client.turns import TurnWatcher  # noqa: E402
from scripts.bench.client import BenchClient  # noqa: E402
from scripts.bench.daemon import Daemon, cpu_seconds, read_proc_status  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.questions import QUESTIONS, make_clip, make_clips  # noqa: E402
from scripts.bench.satellite_rooms import ask_at_once, double_detection, open_room  # noqa: E402
from scripts.bench.scripted_llm import ScriptedLlm  # noqa: E402
from scripts.bench.stats import summarize  # noqa: E402

TOKEN = "bench-token"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="4,16", help="simultaneous satellites per round")
    parser.add_argument("--parallel", type=int, default=16, help="llm.parallel compared with 1")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per count and setting")
    parser.add_argument("--arbitration-rounds", type=int, default=20)
    parser.add_argument("--chat-turns", type=int, default=12)
    parser.add_argument("--token-rate", type=float, default=15.0, help="scripted LLM tokens per second")
    parser.add_argument("--skip", default="", help="comma-separated: typed,rooms,arbitration,chat,satellite")
    parser.add_argument("--satellite-only", action="store_true",
                        help="only the satellite's footprint, against a hub that answers the handshake (no daemon)")
    parser.add_argument("--room-noise", action="store_true",
                        help="the satellite hears steady pink noise (-30 dBFS) instead of silence")
    parser.add_argument("--out", default=str(REPO / "bench-results"))
    return parser.parse_args(argv)


def hub_config(llm_url: str, parallel: int) -> str:
    return (f'[log]\nlevel = "info"\nformat = "json"\n\n[server]\ntoken = "{TOKEN}"\nmax_clients = 64\n\n'
            f'[llm]\nbackend = "remote"\nremote_url = "{llm_url}"\nparallel = {parallel}\nmax_tokens = 60\n')


# --- rooms: N satellites at once -------------------------------------------------------------------------


async def rooms_phase(daemon: Daemon, counts: list[int], rounds: int) -> dict[str, Any]:
    clips = make_clips(max(counts))
    result: dict[str, Any] = {}
    for count in counts:
        rows: list[dict[str, Any]] = []
        cpu_before, started = daemon.cpu_seconds(), time.monotonic()
        for _ in range(rounds):
            turns = await ask_at_once(daemon.url, TOKEN, clips[:count], timeout=90.0)
            rows += [turn.__dict__ for turn in turns]
            await asyncio.sleep(1.0)
        cpu_share = (daemon.cpu_seconds() - cpu_before) / (time.monotonic() - started)
        result[str(count)] = {
            "voice_to_voice_ms": summarize(row["voice_to_voice_ms"] for row in rows),
            "first_text_ms": summarize(row["first_text_ms"] for row in rows),
            "answered": sum(row["answered"] for row in rows), "asked": len(rows),
            "daemon_cpu_share": round(cpu_share, 3), "loadavg_1min": round(os.getloadavg()[0], 2), "runs": rows}
    return result


async def typed_phase(daemon: Daemon, llm: ScriptedLlm, counts: list[int], rounds: int) -> dict[str, Any]:
    """N clients send a typed question at the same moment: the LLM slots alone, without STT queueing."""
    result: dict[str, Any] = {}
    for count in counts:
        llm.peak_streams = 0
        rows: list[float | None] = []
        done_rows: list[float | None] = []
        for _ in range(rounds):
            clients = [RtviClient(WebSocketTransport(daemon.url, TOKEN)) for _ in range(count)]
            await asyncio.gather(*(client.connect() for client in clients))
            try:
                records = await asyncio.gather(*(_typed(client, QUESTIONS[i % len(QUESTIONS)].text)
                                                 for i, client in enumerate(clients)))
            finally:
                await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)
            rows += [record.text_latency_ms for record in records]
            done_rows += [record.ms(record.done_at) for record in records]
        result[str(count)] = {"first_text_ms": summarize(rows), "answer_done_ms": summarize(done_rows),
                              "peak_llm_streams": llm.peak_streams, "loadavg_1min": round(os.getloadavg()[0], 2)}
    return result


async def _typed(client: RtviClient, text: str) -> Any:
    watcher = TurnWatcher(client, voice=False)
    try:
        watcher.begin()
        await client.send_text(text, audio_response=False)
        return await watcher.wait(120)
    finally:
        watcher.close()


# --- arbitration: double detections -----------------------------------------------------------------------


def wake_clip(question: Any) -> np.ndarray:
    from tests.speechgen import silence, speech

    parts = [silence(0.5), speech("Hey Jarvis")[0], silence(0.5), make_clip(question).samples, silence(1.0)]
    return np.concatenate(parts).astype(np.int16)


async def arbitration_phase(daemon: Daemon, rounds: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    settings = SatelliteSettings(hub_url=daemon.url)
    near = open_room("near", daemon.url, TOKEN, open_wake_word(settings, ""))
    far = open_room("far", daemon.url, TOKEN, open_wake_word(settings, ""))
    tasks = [asyncio.create_task(room.satellite.run()) for room in (near, far)]
    clips = [wake_clip(question) for question in QUESTIONS]
    rows = []
    try:
        while not (near.satellite.link.connected and far.satellite.link.connected):
            await asyncio.sleep(0.1)
        for index in range(rounds):
            rows.append(await double_detection(near, far, clips[index % len(clips)], far_gain=rng.uniform(0.2, 0.7),
                                               lag_secs=rng.uniform(0.0, 0.15), near_first=rng.random() < 0.5,
                                               settle_secs=25.0))
            await asyncio.sleep(1.5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    doubles = [row for row in rows if row["double_detection"]]
    return {"rounds": len(rows), "double_detections": len(doubles),
            "right_room": sum(row["right_room"] for row in doubles),
            "duplicate_answers": sum(row["answers"] > 1 for row in rows),
            "unanswered": sum(row["answers"] == 0 for row in rows), "runs": rows,
            "hub_decisions": daemon.log_fields("arbitration")}


# --- chat: the client's own overhead ----------------------------------------------------------------------


async def probe_first_text(url: str, text: str) -> float:
    probe = BenchClient(f"{url}?token={TOKEN}")
    await probe.open()
    await probe.ready()
    try:
        sent = time.monotonic()
        await probe.send_message("send-text", {"content": text, "options": {"audio_response": False}})
        first = await probe.wait_for("bot-llm-text", after=sent, timeout=30)
        await probe.wait_for("bot-llm-stopped", after=sent, timeout=30)
        return (first.at - sent) * 1000
    finally:
        await probe.close()


async def sdk_first_text(url: str, text: str) -> float | None:
    client = RtviClient(WebSocketTransport(url, TOKEN))
    await client.connect()
    watcher = TurnWatcher(client, voice=False)
    try:
        watcher.begin()
        await client.send_text(text, audio_response=False)
        return (await watcher.wait(30)).text_latency_ms
    finally:
        watcher.close()
        await client.disconnect()


async def chat_phase(url: str, turns: int) -> dict[str, Any]:
    texts = [question.text for question in QUESTIONS]
    probe, sdk = [], []
    for index in range(turns):  # alternate, so both see the same machine load
        probe.append(await probe_first_text(url, texts[index % len(texts)]))
        sdk.append(await sdk_first_text(url, texts[index % len(texts)]))
    command = [str(REPO / ".venv" / "bin" / "rtvi-edge"), "chat", url, "--token", TOKEN]
    for index in range(turns):
        command += ["--text", texts[index % len(texts)]]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=300)
    chat = [float(ms) for ms in re.findall(r"first text ([0-9.]+) ms", done.stderr)]
    summary = {name: summarize(values) for name, values in (("probe_ms", probe), ("sdk_ms", sdk), ("chat_ms", chat))}
    probe_median = summary["probe_ms"].get("median")
    return {**summary, "chat_exit": done.returncode, "sdk_dispatch_us_per_message": await dispatch_cost_us(),
            "sdk_overhead_ms": _minus(summary["sdk_ms"].get("median"), probe_median),
            "chat_overhead_ms": _minus(summary["chat_ms"].get("median"), probe_median),
            "runs": {"probe": probe, "sdk": sdk, "chat": chat}}


async def dispatch_cost_us(messages: int = 20_000) -> float:
    """The SDK's own cost per server message: protobuf decode, JSON parse, typed event, one callback."""
    from firmware_py.client.transport import Transport
    from firmware_py.rtvi.protocol import wire

    class Idle(Transport):
        async def connect(self) -> None: ...
        async def send_message(self, json_text: str) -> None: ...
        async def send_audio(self, pcm: bytes, sample_rate: int, num_channels: int) -> None: ...
        async def frames(self) -> Any:
            return
            yield
        async def close(self) -> None: ...

    client = RtviClient(Idle())
    texts: list[str] = []
    client.on(events.BotLlmText, lambda event: texts.append(event.text))
    frame = wire.encode_message(json.dumps({"label": "rtvi-ai", "type": "bot-llm-text", "data": {"text": " word"}}))
    started = time.perf_counter()
    for _ in range(messages):
        decoded = wire.decode(frame)
        await client._on_message_text(decoded.text)  # type: ignore[attr-defined]  # the reader's per-message path
    return round((time.perf_counter() - started) / messages * 1e6, 2)


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 2)


# --- one satellite's footprint ----------------------------------------------------------------------------


def private_mb(pid: int) -> float:
    """Private (unshared) resident memory: what the process itself costs beyond shared libraries' pages."""
    text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    kb = sum(int(m) for m in re.findall(r"^Private_(?:Clean|Dirty):\s+(\d+)", text, re.M))
    return round(kb / 1024, 1)


def resident_by_mapping(pid: int, top: int = 8) -> list[dict[str, Any]]:
    """The largest resident mappings (shared libraries by file name, the C heap, anonymous memory)."""
    rss: dict[str, int] = {}
    private: dict[str, int] = {}
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split()
            name = Path(parts[5]).name if len(parts) > 5 else "[anon]"
        elif line.startswith("Rss:"):
            rss[name] = rss.get(name, 0) + int(line.split()[1])
        elif line.startswith(("Private_Clean:", "Private_Dirty:")):
            private[name] = private.get(name, 0) + int(line.split()[1])
    largest = sorted(rss, key=lambda key: -rss[key])[:top]
    return [{"mapping": key, "rss_mb": round(rss[key] / 1024, 1), "private_mb": round(private.get(key, 0) / 1024, 1)}
            for key in largest]


ROOM_NOISE_RMS = 0.03
"""-30 dBFS of pink noise: a fan or traffic hum well above a microphone's own noise."""


async def satellite_phase(url: str, warm_secs: float = 8.0, measure_secs: float = 20.0,
                          room_noise: bool = False) -> dict[str, Any]:
    from tests.speechgen import noise, silence

    folder = Path(tempfile.mkdtemp(prefix="satellite-bench-"))
    sound = noise(warm_secs + measure_secs + 5.0, ROOM_NOISE_RMS) if room_noise else silence(1.0)
    write_wav(folder / "room.wav", sound, 16_000)   # then silence: the WAV outlasts the measurement
    command = [str(REPO / ".venv" / "bin" / "rtvi-edge"), "satellite", "--hub", url, "--token", TOKEN,
               "--room", "bench", "--wav", str(folder / "room.wav")]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.DEVNULL)
    try:
        await asyncio.sleep(warm_secs)
        cpu, started = cpu_seconds(process.pid), time.monotonic()
        await asyncio.sleep(measure_secs)
        share = (cpu_seconds(process.pid) - cpu) / (time.monotonic() - started)
        memory = read_proc_status(process.pid)
        private = private_mb(process.pid)
        return {"cpu_percent_of_one_core": round(100 * share, 2), "rss_mb": round(memory["VmRSS"], 1),
                "peak_rss_mb": round(memory["VmHWM"], 1), "private_mb": private,
                "shared_mb": round(memory["VmRSS"] - private, 1), "largest": resident_by_mapping(process.pid),
                "loadavg_1min": round(os.getloadavg()[0], 2), "measure_secs": measure_secs,
                "room": f"pink noise {ROOM_NOISE_RMS} RMS" if room_noise else "silence"}
    finally:
        process.terminate()
        await process.wait()


async def handshake_hub_phase(room_noise: bool = False) -> dict[str, Any]:
    """The satellite's footprint against a hub that only answers the handshake and its client messages:
    the same satellite work (wake word on every chunk, a connected WebSocket) without the daemon's load."""
    from websockets.asyncio.server import serve
    from websockets.exceptions import ConnectionClosed

    from firmware_py.rtvi.protocol import wire
    from firmware_py.rtvi.protocol.messages import bot_ready, parse_message, server_response

    async def handler(connection: Any) -> None:
        with contextlib.suppress(ConnectionClosed):  # the satellite is terminated, not closed
            async for data in connection:
                frame = wire.decode(data) if isinstance(data, bytes) else wire.MessageIn(data)
                message = parse_message(frame.text) if isinstance(frame, wire.MessageIn) else None
                if message is not None and message.type == "client-ready":
                    await connection.send(wire.encode_message(bot_ready(message.id, "1.0.0").to_json()))
                elif message is not None and message.type == "client-message":
                    kind = message.data.get("t") if isinstance(message.data, dict) else None
                    await connection.send(wire.encode_message(server_response(message.id, kind, {}).to_json()))

    async with serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        return await satellite_phase(f"ws://127.0.0.1:{port}/ws", room_noise=room_noise)


# --- the run ----------------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    skip = set(filter(None, args.skip.split(",")))
    counts = [int(n) for n in args.counts.split(",")]
    results: dict[str, Any] = {"machine": describe_machine(), "token_rate": args.token_rate, "errors": {}}
    load = LoadSampler()
    load.start()
    async with ScriptedLlm(tokens_per_sec=args.token_rate, slots=64) as llm:
        for parallel in sorted({1, args.parallel}):
            daemon = Daemon(hub_config(llm.url, parallel))
            await daemon.start(timeout=240)
            try:
                if "typed" not in skip:
                    print(f"typed: llm.parallel = {parallel}", file=sys.stderr)
                    results[f"typed_parallel_{parallel}"] = await typed_phase(daemon, llm, counts, args.rounds)
                if "rooms" not in skip:
                    print(f"rooms: llm.parallel = {parallel}", file=sys.stderr)
                    llm.peak_streams = 0
                    results[f"rooms_parallel_{parallel}"] = await rooms_phase(daemon, counts, args.rounds)
                    results[f"rooms_parallel_{parallel}"]["peak_llm_streams"] = llm.peak_streams
                if parallel != args.parallel:
                    continue
                for name, step in (("arbitration", lambda: arbitration_phase(daemon, args.arbitration_rounds)),
                                   ("chat", lambda: chat_phase(daemon.url, args.chat_turns)),
                                   ("satellite", lambda: satellite_phase(daemon.url))):
                    if name not in skip:
                        print(f"{name}", file=sys.stderr)
                        results[name] = await step()
            finally:
                await daemon.stop()
    results["load"] = await load.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.satellite_only:
        results = {"machine": describe_machine(), "satellite": asyncio.run(handshake_hub_phase(args.room_noise))}
    else:
        results = asyncio.run(measure(args))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    prefix = "satellite-footprint" if args.satellite_only else "satellites"
    for name in (f"{prefix}-{stamp}.json", f"{prefix}-latest.json"):
        (out / name).write_text(json.dumps(results, indent=1, default=str))
    print(json.dumps({key: value for key, value in results.items() if key != "machine"}, indent=1, default=str)[:6000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
