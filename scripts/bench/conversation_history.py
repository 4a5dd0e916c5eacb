"""A long conversation in one session, as a kiosk or a kitchen device has: do later answers stay right?

    .venv/bin/python -m scripts.bench.conversation_history [--seeds 1,2,3,4] [--repo DIR] [--out FILE]

Each seed is one RTVI session on the real daemon (default models, typed turns through `send-text`, answers
as text): the 30 everyday questions of `llm_facts.py` in a shuffled order, with 10 requests as the recogniser
mis-heard them in the spoken benchmark's rooms inserted at random places (they go where such turns go: the
command layer, a refusal, an apology or the LLM). A small model that answered one of those oddly tends to
copy that answer into every later one while the history holds it, so the figures are: questions answered
right (the expected word in the answer), answers that open as an earlier answer of the session did (their
first five words again), and each question's time from sending it to its answer's first words shown and to the answer's end (median /
p95 / max).
`--repo` runs another checkout of the daemon (e.g. an earlier commit via `git worktree`) for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench.client import BenchClient  # noqa: E402
from scripts.bench.daemon import Daemon, config_toml  # noqa: E402
from scripts.bench.llm_facts import QA  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.startup import checkout_daemon  # noqa: E402
from scripts.bench.stats import summarize  # noqa: E402

MISHEARD = [
    "Turn the mile you met my ladle", "Said the Maluge baby.", "Opened enough, this lion's,", "And remind,",
    "Walked to Main's mate.", "Don't you minding?", "A new nas speaker.", "Seth mammal", "Knowing the mile.",
    "It's the most beautifully present.", "Hello, Mayor.", "So non-material vision.", "Pies must climb loose,",
    "Heart still neighs made,", "Why is this kind of loot?", "What is my capital? A medium?", "Below mirror",
    "Walked still day's day.", "Close enough, this line.", "Blue rope, roam it open, do it here.",
    "How many lambs canst not assign a ham?", "The mere forecast and how it flipped the cocky.",
    "What's the case? It's a day.", "Said the maw-out lady.",
]
"""Requests as the recogniser wrote them in the spoken benchmark's noisy, quiet and clipped conditions."""
MISHEARD_PER_SESSION = 10
OPENING_WORDS = 5
ANSWER_TIMEOUT = 60.0
WORD = re.compile(r"[\w']+")


def session_turns(seed: int) -> list[tuple[str, str | None]]:
    """(text, expected words or None for a mis-heard request) in the session's order."""
    rng = random.Random(seed)
    turns: list[tuple[str, str | None]] = list(QA)
    rng.shuffle(turns)
    for text in rng.sample(MISHEARD, MISHEARD_PER_SESSION):
        turns.insert(rng.randrange(len(turns) + 1), (text, None))
    return turns


def opening(text: str) -> str:
    return " ".join(WORD.findall(text.lower())[:OPENING_WORDS])


async def typed_turn(client: BenchClient, text: str) -> tuple[str, float, float]:
    """The answer, the seconds to its first words shown and to its end."""
    sent = time.monotonic()
    await client.send_message("send-text", {"content": text, "options": {"run_immediately": True,
                                                                          "audio_response": False}})
    stopped = await client.wait_for("bot-llm-stopped", after=sent, timeout=ANSWER_TIMEOUT)
    shown = [m for m in client.messages
             if m.type == "bot-llm-text" and sent <= m.at <= stopped.at and isinstance(m.data, dict)]
    first = shown[0].at if shown else stopped.at
    return "".join(m.data.get("text", "") for m in shown).strip(), first - sent, stopped.at - sent


async def one_session(seed: int, repo: Path | None) -> dict[str, Any]:
    from firmware_py.models import models_dir

    config = config_toml() + f'\n[models]\ndir = "{models_dir()}"\n'   # a checkout elsewhere uses these models
    daemon = checkout_daemon(config, repo) if repo else Daemon(config)
    await daemon.start(timeout=180)
    rows: list[dict[str, Any]] = []
    try:
        client = BenchClient(daemon.url)
        await client.open()
        await client.ready(timeout=60)
        openings: set[str] = set()
        for text, expected in session_turns(seed):
            answer, first, secs = await typed_turn(client, text)
            head = opening(answer)
            repeated = len(head.split()) >= OPENING_WORDS and head in openings
            openings.add(head)
            right = expected is not None and any(word in answer.lower() for word in expected.split("|"))
            rows.append({"text": text, "question": expected is not None, "answer": answer, "first_words_secs": round(first, 3),
                         "secs": round(secs, 3),
                         "right": right, "repeated_opening": repeated})
            print(f"  {seed} {'Q' if expected else 'M'} {int(right)} {int(repeated)} {secs:5.2f} {text[:40]!r} -> "
                  f"{answer[:70]!r}", file=sys.stderr, flush=True)
        await client.close()
        again = len(daemon.log_fields("answer began as an earlier one did; asked again without the history"))
    finally:
        await daemon.stop()
    questions = [r for r in rows if r["question"]]
    return {"seed": seed, "questions": len(questions), "right": sum(r["right"] for r in questions),
            "repeated_openings": sum(r["repeated_opening"] for r in rows), "asked_again": again,
            "first_words_secs": summarize((r["first_words_secs"] for r in questions), 3),
            "answer_end_secs": summarize((r["secs"] for r in questions), 3), "rows": rows}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sampler = LoadSampler()
    sampler.start()
    sessions = [await one_session(seed, args.repo) for seed in args.seeds]
    load = await sampler.stop()
    return {"machine": describe_machine(), "load": load, "repo": str(args.repo or REPO), "sessions": sessions,
            "right": sum(s["right"] for s in sessions), "questions": sum(s["questions"] for s in sessions),
            "repeated_openings": sum(s["repeated_openings"] for s in sessions),
            "asked_again": sum(s["asked_again"] for s in sessions)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1,2,3,4", type=lambda v: [int(s) for s in v.split(",")])
    parser.add_argument("--repo", type=Path, default=None, help="another checkout of the daemon to run")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results" / "conversation-history.json")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print("| seed | questions right | answers opening as an earlier one | asked again | first words s median / p95 / max "
          "| answer's end s median / p95 |")
    print("|---|---|---|---|---|---|")
    for s in results["sessions"]:
        print(f"| {s['seed']} | {s['right']}/{s['questions']} | {s['repeated_openings']} | {s['asked_again']} | "
              f"{s['first_words_secs']['median']:.2f} / {s['first_words_secs']['p95']:.2f} / "
              f"{s['first_words_secs']['max']:.2f} | {s['answer_end_secs']['median']:.2f} / "
              f"{s['answer_end_secs']['p95']:.2f} |")
    print(f"all: {results['right']}/{results['questions']} right, {results['repeated_openings']} repeated openings, "
          f"{results['asked_again']} asked again; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
