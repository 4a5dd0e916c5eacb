"""Speech engine benchmark: STT real-time factor, TTS first-audio latency and RTF, VAD + turn and wake
word CPU share while listening. Medians over several runs, printed and written as JSON.

    .venv/bin/python scripts/bench_engines.py [--runs 5] [--out bench-results/engines.json] [--compare-ort]

Test speech comes from the project's own voices (tests/speechgen.py, cached on disk). The machine is
described in the output, with its load average: on a shared machine, compare runs made at similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench.machine import describe_machine  # noqa: E402
from bench.stats import summarize  # noqa: E402
from firmware_py.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame, to_float  # noqa: E402
from firmware_py.config import TtsSettings, VadSettings  # noqa: E402
from firmware_py.models import models_dir  # noqa: E402
from firmware_py.speech.stt import MoonshineStt  # noqa: E402
from firmware_py.speech.tts import create_tts  # noqa: E402
from firmware_py.speech.turn import SmartTurn  # noqa: E402
from firmware_py.speech.vad import SileroVad, VadTracker  # noqa: E402
from firmware_py.speech.wakeword import WakeWordEngine  # noqa: E402
from tests.speechgen import noise, silence, speech, with_pause  # noqa: E402

QUESTIONS = ["What time is it?", "Turn on the kitchen light.", "What is the weather like today?",
             "Set a timer for ten minutes.", "How tall is Mount Everest?", "Play some relaxing music please."]
FIRST_SENTENCES = ["Sure, I can help with that.", "It is twenty-one degrees and sunny.",
                   "Your timer is set for ten minutes.", "The capital of France is Paris."]
LONG_TEXT = ("The weather today is mostly sunny with a light breeze from the west, and temperatures will "
             "reach about twenty-one degrees in the afternoon before cooling down in the evening.")
LISTEN_SECS = 30.0
TARGETS = {"stt_rtf": 0.15, "tts_first_audio_secs": 0.100, "listen_cpu_share": 0.05}


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_stt(root: Path, runs: int, optimise_decoder: bool = True) -> dict[str, Any]:
    clips = [to_float(speech(q, voice=voice)[0]) for q in QUESTIONS for voice in ("hibari", "espeak")]
    stt, load_secs, _ = timed(lambda: MoonshineStt(root / "stt", weights="prepared" if optimise_decoder else "original"))
    _, first_secs, _ = timed(lambda: stt.transcribe(clips[0]))
    rtfs, cpu_rtfs, durations = [], [], []
    for _ in range(runs):
        for clip in clips:
            _, wall, cpu = timed(lambda: stt.transcribe(clip))
            audio_secs = len(clip) / SAMPLE_RATE
            rtfs.append(wall / audio_secs)
            cpu_rtfs.append(cpu / audio_secs)
            durations.append(audio_secs)
    return {"load_secs": round(load_secs, 3), "first_decode_secs": round(first_secs, 3),
            "clip_secs": summarize(durations), "rtf": summarize(rtfs), "cpu_rtf": summarize(cpu_rtfs)}


def bench_tts(root: Path, engine: str, runs: int) -> dict[str, Any]:
    tts, load_secs, _ = timed(lambda: create_tts(TtsSettings(engine=engine), root))
    first_audio, rtfs = [], []
    for _ in range(runs):
        for sentence in FIRST_SENTENCES:
            _, wall, _ = timed(lambda: tts.synthesize(sentence))
            first_audio.append(wall)
        audio, wall, _ = timed(lambda: tts.synthesize(LONG_TEXT))
        rtfs.append(wall / (len(audio) / tts.sample_rate))
    return {"sample_rate": tts.sample_rate, "load_secs": round(load_secs, 3),
            "first_audio_secs": summarize(first_audio), "rtf": summarize(rtfs)}


def listening_audio() -> np.ndarray:
    """30 s as a microphone hears it: questions with pauses, a hesitation, silence and room noise."""
    parts = [speech(q)[0] for q in QUESTIONS[:4]] + [speech("I would like to, um,")[0], speech("order a pizza.")[0]]
    talk = with_pause(parts, pause_secs=1.2)
    quiet = int(LISTEN_SECS * SAMPLE_RATE) - len(talk)
    room = noise(LISTEN_SECS, level=0.005)
    clip = np.concatenate([talk, silence(quiet / SAMPLE_RATE)])[: len(room)]
    return np.clip(clip.astype(np.int32) + room[: len(clip)], -32768, 32767).astype(np.int16)


def bench_listening(vad: SileroVad, turn: SmartTurn, clip: np.ndarray) -> dict[str, float]:
    """CPU seconds per audio second for VAD on every 20 ms frame plus Smart Turn at every pause."""
    tracker = VadTracker(vad.new_stream(), VadSettings())
    vad_cpu = turn_cpu = 0.0
    turn_start, checks = None, 0
    for start in range(0, len(clip) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
        event, _, cpu = timed(lambda: tracker.process(AudioFrame(clip[start:start + FRAME_SAMPLES])))
        vad_cpu += cpu
        if event is not None and event.kind == "start" and turn_start is None:
            turn_start = event.at_sample
        elif event is not None and event.kind == "stop" and turn_start is not None:
            window = to_float(clip[max(turn_start, start - 8 * SAMPLE_RATE):start + FRAME_SAMPLES])
            probability, _, cpu = timed(lambda: turn.completion_probability(window))
            turn_cpu += cpu
            checks += 1
            if probability >= 0.5:
                turn_start = None
    audio_secs = len(clip) / SAMPLE_RATE
    return {"vad": vad_cpu / audio_secs, "turn": turn_cpu / audio_secs,
            "total": (vad_cpu + turn_cpu) / audio_secs, "turn_checks": checks}


def bench_wakeword(engine: WakeWordEngine, clip: np.ndarray) -> float:
    stream = engine.new_stream(0.5, 2.0)
    cpu = time.process_time()
    for start in range(0, len(clip), FRAME_SAMPLES):
        stream.process(clip[start:start + FRAME_SAMPLES])
    return (time.process_time() - cpu) / (len(clip) / SAMPLE_RATE)


def run(runs: int, compare_ort: bool) -> dict[str, Any]:
    root = models_dir()
    results: dict[str, Any] = {"machine": describe_machine(), "runs": runs, "targets": TARGETS,
                               "load": {"before": os.getloadavg()[0]}}
    results["stt"] = bench_stt(root, runs)
    for engine in ("hibari", "piper"):
        results[f"tts_{engine}"] = bench_tts(root, engine, runs)
    vad, turn = SileroVad(root / "vad" / "silero_vad.onnx"), SmartTurn(root / "turn" / "smart-turn-v3.2-cpu.onnx")
    wake = WakeWordEngine(root / "wakeword", "hey_jarvis")
    clip = listening_audio()
    shares = [bench_listening(vad, turn, clip) for _ in range(runs)]
    results["listening_cpu_share"] = {key: summarize(s[key] for s in shares) for key in ("vad", "turn", "total")}
    results["listening_cpu_share"]["turn_checks_per_30s"] = shares[0]["turn_checks"]
    results["wakeword_cpu_share"] = summarize(bench_wakeword(wake, clip) for _ in range(runs))
    if compare_ort:
        results["stt_decoder_as_ort"] = bench_stt(root, max(1, runs // 2), optimise_decoder=False)
    results["load"]["after"] = os.getloadavg()[0]
    return results


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_mb']} MB, load {results['load']['before']:.2f}"
             f" -> {results['load']['after']:.2f}",
             f"STT Moonshine RTF (median, 1-3 s questions): {results['stt']['rtf']['median']:.3f} "
             f"(target <= {TARGETS['stt_rtf']}); first decode {results['stt']['first_decode_secs']:.3f} s"]
    if "stt_decoder_as_ort" in results:
        lines.append(f"  decoder run from the original .ort: RTF {results['stt_decoder_as_ort']['rtf']['median']:.3f}, "
                     f"first decode {results['stt_decoder_as_ort']['first_decode_secs']:.3f} s")
    for engine in ("hibari", "piper"):
        tts = results[f"tts_{engine}"]
        lines.append(f"TTS {engine}: first audio {tts['first_audio_secs']['median'] * 1000:.1f} ms "
                     f"(target <= 100), RTF {tts['rtf']['median']:.3f}")
    share = results["listening_cpu_share"]
    lines.append(f"listening CPU share of one core: VAD {share['vad']['median']:.2%} + turn "
                 f"{share['turn']['median']:.2%} = {share['total']['median']:.2%} (target <= 5%)")
    lines.append(f"wake word CPU share of one core: {results['wakeword_cpu_share']['median']:.2%}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measurement (medians over them)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "engines.json", help="JSON results")
    parser.add_argument("--compare-ort", action="store_true", help="also time STT with the decoder run from .ort")
    args = parser.parse_args()
    results = run(max(1, args.runs), args.compare_ort)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(report(results))
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
