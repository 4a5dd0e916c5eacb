"""Start-up benchmark: spawn -> ready -> the first answer's audio, with a cold and a warm LLM prompt cache.

    .venv/bin/python scripts/bench/startup.py [--runs 3] [--out bench-results/startup.json] [--repo DIR]

Each run starts `rtvi-edge run` on the default models without local audio, waits for its ready line,
connects an RTVI client at once, asks a text question (send-text: no speaking time in the figure) and
times the first audio frame of the answer; then asks a spoken question (the voice path's first turn: VAD,
STT, Smart Turn, LLM, TTS) and times its answer from the end of speech. "cold" runs delete the saved LLM
prompt states first (a first boot, or a new model or system prompt); "warm" runs keep them. Cold and
warm runs alternate, so machine load hits both alike. `--repo` runs another checkout of the daemon (e.g.
an older commit unpacked with `git archive`) on the same models and environment, for a before/after.
The daemon's CPU seconds at ready and at the first answer are kept too: on a shared machine the wall
time follows the load, the CPU time much less.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a file: make `scripts.bench` and `tests.speechgen` importable
    sys.path.insert(0, str(REPO))

from scripts.bench.client import BenchClient  # noqa: E402
from scripts.bench.daemon import Daemon, config_toml  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.questions import Question, make_clip  # noqa: E402
from scripts.bench.rtvi_turns import LEAD_SILENCE_SECS, ask  # noqa: E402
from scripts.bench.stats import summarize  # noqa: E402

TEXT_QUESTION = "What is the tallest mountain in the world?"
SPOKEN_QUESTION = Question("Why is the sky blue?", "hibari")
ANSWER_TIMEOUT = 120.0


def checkout_daemon(config: str, repo: Path) -> Daemon:
    """The bench daemon, run from `repo` (`python -m firmware_py.cli`) instead of this checkout."""
    daemon = Daemon(config)
    daemon.command, daemon.cwd = [sys.executable, "-m", "firmware_py.cli"], repo
    return daemon


def clear_prompt_states() -> int:
    """Delete the saved LLM prompt states of the default model; how many files went."""
    from firmware_py.llm.local import DEFAULT_MODEL
    from firmware_py.llm.prompt_cache import cache_dirs
    from firmware_py.models import models_dir

    removed = 0
    for directory in cache_dirs(models_dir() / DEFAULT_MODEL):
        for path in [*directory.glob("*.state"), *directory.glob("*.json")]:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


async def text_turn(client: BenchClient, spawned_at: float) -> dict[str, Any]:
    sent = time.monotonic()
    await client.send_message("send-text", {"content": TEXT_QUESTION,
                                            "options": {"run_immediately": True, "audio_response": True}})
    started = await client.wait_for("bot-started-speaking", after=sent, timeout=ANSWER_TIMEOUT)
    await client.wait_for("bot-stopped-speaking", after=started.at, timeout=ANSWER_TIMEOUT)
    first_audio = client.first_audio_after(sent)
    return {"text_question_to_audio": _secs(first_audio, sent), "spawn_to_first_answer_audio": _secs(first_audio, spawned_at)}


async def one_start(cold: bool, clip: Any, repo: Path | None, extra_toml: str = "") -> dict[str, Any]:
    cleared = clear_prompt_states() if cold else 0
    from firmware_py.models import models_dir

    config = config_toml() + f'\n[models]\ndir = "{models_dir()}"\n' + extra_toml.replace("\\n", "\n")
    daemon = checkout_daemon(config, repo) if repo else Daemon(config)
    row: dict[str, Any] = {"cache": "cold" if cold else "warm", "states_cleared": cleared}
    try:
        row["spawn_to_ready"] = round(await daemon.start(timeout=180), 3)
        row["cpu_secs_to_ready"] = round(daemon.cpu_seconds(), 2)  # what the start costs, whatever the load
        client = BenchClient(daemon.url)
        await client.open()
        row["bot_ready_roundtrip"] = round(await client.ready(timeout=60), 3)
        row.update(await text_turn(client, daemon.spawned_at))
        row["cpu_secs_to_first_answer"] = round(daemon.cpu_seconds(), 2)
        client.mic.start()
        await asyncio.sleep(LEAD_SILENCE_SECS)
        spoken = await ask(client, clip, ANSWER_TIMEOUT)
        row["spoken_end_to_audio"] = spoken.get("voice_to_voice")
        row["spoken_transcript"], row["spoken_answer"] = spoken.get("transcript"), spoken.get("answer", "")[:80]
        await client.close()
        row["prompt"] = daemon.log_fields("LLM prompt warm")
        row["engines_warm"] = daemon.log_fields("engines warm")
        row["models_loaded"] = daemon.log_fields("models loaded")
    except Exception as err:  # one failed start is a result, not the end of the benchmark
        row["error"] = f"{type(err).__name__}: {err}"
        row["tail"] = daemon.tail(10)
    finally:
        await daemon.stop()
    return row


def _secs(at: float | None, since: float) -> float | None:
    return round(at - since, 3) if at is not None else None


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="starts per cache state (default 3)")
    parser.add_argument("--only", choices=("cold", "warm"), help="run one cache state only")
    parser.add_argument("--repo", type=Path, help="run the daemon from this checkout instead")
    parser.add_argument("--out", type=Path, help="write the JSON here too")
    parser.add_argument("--note", default="", help="stored with the results")
    parser.add_argument("--toml", default="", help='config lines to add, e.g. "[intents]\\nllm_actions = true"')
    args = parser.parse_args()
    clip = make_clip(SPOKEN_QUESTION)
    states = [args.only == "cold"] if args.only else [True, False]
    load = LoadSampler()
    load.start()
    rows = [await one_start(cold, clip, args.repo, args.toml) for _ in range(args.runs) for cold in states]
    keys = ("spawn_to_ready", "bot_ready_roundtrip", "text_question_to_audio", "spawn_to_first_answer_audio",
            "spoken_end_to_audio", "cpu_secs_to_ready", "cpu_secs_to_first_answer")
    results: dict[str, Any] = {"machine": describe_machine(), "note": args.note, "repo": str(args.repo or REPO),
                               "toml": args.toml,
                               "runs": rows, "load": await load.stop()}
    for state in ("cold", "warm"):
        group = [r for r in rows if r["cache"] == state and "error" not in r]
        if group:
            results[state] = {key: summarize(r.get(key) for r in group) for key in keys}
    text = json.dumps(results, indent=2)
    print(text)
    for state in ("cold", "warm"):
        if state in results:
            print(f"{state}: " + ", ".join(f"{k} {results[state][k].get('median')}" for k in keys), file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    asyncio.run(main())
