"""Memory per engine, STT accuracy and speed, and a soak: run in a fresh child process per configuration.

    .venv/bin/python -m scripts.bench.memory_engines engines --profile default --weights prepared
    .venv/bin/python -m scripts.bench.memory_engines soak --turns 200

Prints one JSON object on stdout. `engines` loads the engines one at a time as the daemon does (VAD, Smart
Turn, STT, TTS, LLM), reads /proc/self/status after each, decodes the spoken corpus (word error rate; real-
time factor by wall clock and by the STT thread's CPU time, which a busy shared machine disturbs far less),
then warms the LLM. `soak` drives every engine through many turns of real speech and samples RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from scripts.bench.questions import INTERRUPTION, LONG_QUESTION, QUESTIONS, Question, make_clip  # noqa: E402

EXTRA_QUESTIONS = ("What is the weather like today?", "Set a timer for ten minutes.", "Turn on the kitchen light.",
                   "How tall is Mount Everest?", "What time is it in Tokyo?", "Play some relaxing music.")
CORPUS = (*QUESTIONS, LONG_QUESTION, INTERRUPTION,
          *(Question(text, "hibari", 1.0) for text in EXTRA_QUESTIONS),
          *(Question(text, "espeak", 1.0, "en-us") for text in EXTRA_QUESTIONS),
          *(Question(text, "espeak", 1.1, "en-gb") for text in EXTRA_QUESTIONS))
"""28 clips: the latency benchmark's questions and the STT tests' ones, in hibari and three espeak-ng voices."""
ANSWER = "It is sunny and twenty degrees in the kitchen today."


def memory(pid: int | str = "self") -> dict[str, float]:
    """VmRSS, VmHWM (peak), RssAnon and RssFile of process `pid` (default: this one), in MB."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            figures[key] = round(int(value.split()[0]) / 1024, 1)
    return figures


def settings_for(profile: str):  # type: ignore[no-untyped-def]
    """As the daemon reads them: the profile's own defaults apply (the small one's LLM context)."""
    from firmware_py.config import settings_from_dict

    return settings_from_dict({"models": {"profile": profile}})


def stt_quality(stt: Any, repeats: int) -> dict[str, Any]:
    """Word error rate over the corpus (first pass) and real-time factors over `repeats` passes."""
    from tests.speechgen import word_error_rate

    clips = corpus_clips()
    errors = words = 0.0
    wall, cpu, rows = [], [], []
    for repeat in range(repeats):
        for clip in clips:
            audio = clip.float_samples
            started, cpu_started = time.perf_counter(), time.thread_time()
            text = stt.transcribe(audio)
            wall.append((time.perf_counter() - started) / clip.secs)
            cpu.append((time.thread_time() - cpu_started) / clip.secs)
            if repeat == 0:
                count = len(clip.question.text.split())
                errors += word_error_rate(clip.question.text, text) * count
                words += count
                rows.append({"voice": clip.question.label, "said": clip.question.text, "heard": text})
    return {"wer_percent": round(100 * errors / words, 2), "rtf_wall_median": round(float(np.median(wall)), 4),
            "rtf_cpu_median": round(float(np.median(cpu)), 4), "clips": len(clips), "decodes": len(wall),
            "transcripts": rows}


def corpus_clips() -> list[Any]:
    """The corpus as clips; the first call in a process reads (or makes) the cached WAVs."""
    global _CLIPS
    if _CLIPS is None:
        _CLIPS = [make_clip(question) for question in CORPUS]
    return _CLIPS


_CLIPS: list[Any] | None = None


def load_engines_stepwise(profile: str, weights: str, repeats: int) -> dict[str, Any]:
    """RSS after imports and after each engine, as the daemon loads them; the STT decodes the corpus."""
    corpus_clips()  # before the first reading: making speech would load a voice into this process
    steps: dict[str, Any] = {"start": memory()}
    from firmware_py.llm.base import create_llm
    from firmware_py.models import load_manifest, models_dir
    from firmware_py.speech.stt import MoonshineStt
    from firmware_py.speech.tts import create_tts
    from firmware_py.speech.turn import SmartTurn
    from firmware_py.speech.vad import SileroVad

    settings, root = settings_for(profile), models_dir()
    steps["imports"] = memory()
    vad = SileroVad(root / "vad" / "silero_vad.onnx")
    steps["vad"] = memory()
    turn = SmartTurn(root / "turn" / "smart-turn-v3.2-cpu.onnx")
    steps["turn"] = memory()
    started = time.perf_counter()
    stt = MoonshineStt(root / load_manifest().entry_for("stt", profile), weights=weights)
    stt_load_secs = time.perf_counter() - started
    steps["stt_loaded"] = memory()
    quality = stt_quality(stt, repeats)
    steps["stt_decoded"] = memory()
    tts = create_tts(settings.tts, root)
    tts.synthesize(ANSWER)
    steps["tts"] = memory()
    llm = create_llm(settings.llm, root)
    steps["llm_loaded"] = memory()
    # a short completion, not warm_up(): that would replace the daemon's saved prompt prefix with this one's
    llm.llama.create_completion("Q: What is the capital of France?\nA:", max_tokens=16, temperature=0.0)
    steps["llm_warm"] = memory()
    del vad, turn
    return {"profile": profile, "weights": weights, "stt_load_secs": round(stt_load_secs, 2),
            "steps": steps, "per_engine_mb": per_engine(steps), "stt": quality}


def per_engine(steps: dict[str, dict[str, float]]) -> dict[str, float]:
    """Resident MB each step added (the STT's peak while loading, too)."""
    order = ["start", "imports", "vad", "turn", "stt_loaded", "stt_decoded", "tts", "llm_loaded", "llm_warm"]
    added = {name: round(steps[name]["VmRSS"] - steps[previous]["VmRSS"], 1)
             for previous, name in zip(order, order[1:])}
    added["stt_load_peak"] = round(steps["stt_loaded"]["VmHWM"] - steps["turn"]["VmRSS"], 1)
    return added


async def answer_of(llm: Any, question: str) -> str:
    """The engine's answer, as the daemon asks for it (its stream: the path that ends with a collection)."""
    deltas = [delta.text async for delta in llm.stream([{"role": "user", "content": question}], None,
                                                        asyncio.Event())]
    return "".join(deltas)


def soak(turns: int, every: int, profile: str) -> dict[str, Any]:
    """`turns` turns of real speech through VAD, Smart Turn, STT, TTS and a short LLM answer; RSS samples."""
    from firmware_py.config import Settings
    from firmware_py.llm.base import create_llm
    from firmware_py.models import load_manifest, models_dir
    from firmware_py.speech.stt import MoonshineStt
    from firmware_py.speech.tts import create_tts
    from firmware_py.speech.turn import SmartTurn
    from firmware_py.speech.vad import SileroVad

    settings, root = settings_for(profile), models_dir()
    llm_settings = replace(Settings().llm, max_tokens=24)
    vad = SileroVad(root / "vad" / "silero_vad.onnx")
    turn = SmartTurn(root / "turn" / "smart-turn-v3.2-cpu.onnx")
    stt = MoonshineStt(root / load_manifest().entry_for("stt", profile))
    tts = create_tts(settings.tts, root)
    llm = create_llm(llm_settings, root)
    clips = corpus_clips()
    samples, started = [], time.monotonic()
    for index in range(turns):
        clip = clips[index % len(clips)]
        stream = vad.new_stream()
        for start in range(0, len(clip.samples), 320):
            stream.probability(clip.samples[start:start + 320])
        turn.completion_probability(clip.float_samples)
        text = stt.transcribe(clip.float_samples)
        tts.synthesize(asyncio.run(answer_of(llm, text)) or ANSWER)
        if index % every == 0 or index == turns - 1:
            samples.append({"turn": index + 1, "secs": round(time.monotonic() - started, 1), **memory()})
    settled = [s["VmRSS"] for s in samples if s["turn"] > turns // 10]
    return {"turns": turns, "profile": profile, "samples": samples,
            "rss_growth_after_first_tenth_mb": round(settled[-1] - settled[0], 1) if settled else None,
            "rss_range_after_first_tenth_mb": round(max(settled) - min(settled), 1) if settled else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    engines = sub.add_parser("engines")
    engines.add_argument("--profile", default="default", choices=("default", "small"))
    engines.add_argument("--weights", default="prepared", choices=("prepared", "folded", "original"))
    engines.add_argument("--repeats", type=int, default=2, help="passes over the corpus for the real-time factor")
    sub.add_parser("corpus", help="make the spoken corpus (cached WAVs) and exit")
    soaking = sub.add_parser("soak")
    soaking.add_argument("--turns", type=int, default=200)
    soaking.add_argument("--every", type=int, default=10, help="sample RSS every this many turns")
    soaking.add_argument("--profile", default="default", choices=("default", "small"))
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.mode == "corpus":
        corpus_clips()
        result = {"clips": len(CORPUS)}
    elif args.mode == "engines":
        result = load_engines_stepwise(args.profile, args.weights, args.repeats)
    else:
        result = soak(args.turns, args.every, args.profile)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
