"""Spoken follow-ups to a device command, in one session: "Turn on the kitchen light." then "Dim it.", "Turn
them off.", "And the porch light too.", "No, the living room lamp."; and to a timer just set: "Pause it.",
"Cancel it.".

Each pair is spoken over one RTVI WebSocket connection to the real daemon (the spoken-command benchmark's
devices, broker and voices): the command, its whole answer, then the follow-up. A pair is right when the
follow-up ran exactly the expected calls (the command's own calls are checked too: a pair whose command
failed is reported as such, not counted for or against the follow-up). A pair that leaves a timer behind
cancels every timer after it, typed, so the next pair's "it" is its own timer alone. Reported per kind of follow-up and per
voice; `--commit` runs another commit's daemon for a before/after.

    .venv/bin/python scripts/bench/follow_ups.py                    # 20 pairs x 3 voices (~11 min: 16 took 9, the 4 corrections 2)
    .venv/bin/python scripts/bench/follow_ups.py --kinds "a correction"   # one kind of follow-up only
    .venv/bin/python scripts/bench/follow_ups.py --commit REV --voices 5   # an older commit's daemon, 5 voices
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # run as a file: make `scripts` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench.client import BenchClient  # noqa: E402
from scripts.bench.command_audio import CaseClip, render  # noqa: E402
from scripts.bench.command_corpus import CHITCHAT, VOICES, Case, Expect  # noqa: E402
from scripts.bench.command_judge import Call, calls_from_messages  # noqa: E402
from scripts.bench.command_session import noise  # noqa: E402
from scripts.bench.commands import REPO, export_commit, git_revision, running_bench  # noqa: E402
from scripts.bench.machine import LoadSampler, describe_machine  # noqa: E402
from scripts.bench.phases import progress  # noqa: E402
from scripts.bench.rtvi_turns import connect_voice_client  # noqa: E402
from scripts.bench.stats import summarize  # noqa: E402

ANSWER_SECS = 20.0
TAIL_SECS = 1.5


@dataclass(frozen=True)
class Pair:
    kind: str
    command: str
    follow_up: str
    expected: tuple[tuple[str, dict[str, Any]], ...]
    """The follow-up's calls: (name, arguments); an argument {"lt": 0} / {"gt": 0} asks only for a sign."""
    cleanup: str = ""
    """Typed after the pair (no audio): what puts the device back as it was for the next pair."""


def on(device: str) -> tuple[str, dict[str, Any]]:
    return ("turn_on", {"device": device})


def off(device: str) -> tuple[str, dict[str, Any]]:
    return ("turn_off", {"device": device})


NO_TIMERS = "Cancel all the timers."

PAIRS = (
    Pair("pointed at", "Turn on the kitchen light.", "Dim it.",
         (("change_brightness", {"device": "kitchen light", "delta": {"lt": 0}}),)),
    Pair("pointed at", "Turn on the kitchen light.", "Set it to fifty percent.",
         (("set_brightness", {"device": "kitchen light", "percent": 50}),)),
    Pair("pointed at", "Turn on the living room lamp.", "Make it brighter.",
         (("change_brightness", {"device": "living room lamp", "delta": {"gt": 0}}),)),
    Pair("pointed at", "Open the garage door.", "Close it, please.", (("close_cover", {"device": "garage door"}),)),
    Pair("pointed at", "Close the office blinds.", "Open them again.", (("open_cover", {"device": "office blinds"}),)),
    Pair("pointed at", "Turn on the kitchen light and the living room lamp.", "Now turn them off.",
         (off("kitchen light"), off("living room lamp"))),
    Pair("pointed at", "Turn on the porch light.", "Turn it off again.", (off("porch light"),)),
    Pair("same for another", "Turn on the kitchen light.", "And the porch light too.", (on("porch light"),)),
    Pair("same for another", "Turn off the bedroom fan.", "Same for the porch light.", (off("porch light"),)),
    Pair("same for another", "Set the kitchen light to forty percent.", "Do the same for the living room lamp.",
         (("set_brightness", {"device": "living room lamp", "percent": 40}),)),
    Pair("same for another", "Open the garage door.", "Also the office blinds, please.",
         (("open_cover", {"device": "office blinds"}),)),
    Pair("same for another", "Turn off the living room lamp.", "The kitchen light as well.", (off("kitchen light"),)),
    Pair("the timer just set", "Set a timer for five minutes.", "Cancel it.", (("cancel_timer", {}),), NO_TIMERS),
    Pair("the timer just set", "Set a pasta timer for ten minutes.", "Pause it.", (("pause_timer", {"label": "pasta"}),),
         NO_TIMERS),
    Pair("the timer just set", "Set a timer for three minutes.", "Add two minutes to it.",
         (("add_timer_time", {"seconds": 120}),), NO_TIMERS),
    Pair("the timer just set", "Start a tea timer for four minutes.", "Stop it, please.", (("cancel_timer", {}),),
         NO_TIMERS),
    # which device was meant, said after the answer: that one, and the other switched back
    Pair("a correction", "Turn on the kitchen light.", "No, the living room lamp.",
         (off("kitchen light"), on("living room lamp"))),
    Pair("a correction", "Turn off the porch light.", "Sorry, I meant the kitchen light.",
         (on("porch light"), off("kitchen light"))),
    Pair("a correction", "Set the volume to thirty percent.", "No, fifty.", (("set_volume", {"percent": 50}),)),
    Pair("a correction", "Set a timer for five minutes.", "No, ten minutes.", (("amend_timer", {"add_seconds": 300}),),
         NO_TIMERS),
)


def clip(text: str, voice: str, speed: float, case_id: str) -> CaseClip:
    return render(Case(case_id, text, text, Expect(CHITCHAT), "follow-up", voice, speed, "clean"))


def matches(calls: list[Call], expected: tuple[tuple[str, dict[str, Any]], ...]) -> bool:
    done = [(call.name, call.arguments) for call in calls if not call.cancelled]
    if len(done) != len(expected):
        return False
    return all(name == want_name and all(_fits(args.get(key), want) for key, want in want_args.items())
               for (name, args), (want_name, want_args) in zip(sorted(done, key=str), sorted(expected, key=str)))


def _fits(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(value, (int, float)) and (value < 0 if "lt" in wanted else value > 0)
    return value == wanted


async def speak(client: BenchClient, spoken: CaseClip) -> tuple[float, float]:
    """Play one clip and wait for the whole answer; the times of its first and last voiced samples."""
    marks = await client.mic.play(spoken.samples, {"first": spoken.first_voiced, "last": spoken.last_voiced})
    client.mic.play(noise(TAIL_SECS, spoken.ambient_level, seed=len(spoken.samples)))
    first, last = marks["first"], marks["last"]
    started = await client.wait_for("bot-started-speaking", after=last, timeout=ANSWER_SECS)
    await client.wait_for("bot-stopped-speaking", after=started.at, timeout=ANSWER_SECS)
    await asyncio.sleep(0.5)   # the answer's own tail and late messages
    return first, last


def calls_between(client: BenchClient, start: float, end: float) -> list[Call]:
    return calls_from_messages([(m.type, m.data) for m in client.messages if start <= m.at < end])


def heard_between(client: BenchClient, start: float, end: float) -> str:
    return " / ".join(str(m.data.get("text", "")) for m in client.messages
                      if start <= m.at < end and m.type == "user-transcription" and m.data.get("final"))


def said_between(client: BenchClient, start: float, end: float) -> str:
    return " ".join(str(m.data.get("text", "")) for m in client.messages
                    if start <= m.at < end and m.type == "bot-output" and m.data.get("spoken", True))[:200]


async def run_pair(url: str, pair: Pair, voice: str, speed: float, index: int) -> dict[str, Any]:
    client = await connect_voice_client(url)
    try:
        first, _ = await speak(client, clip(pair.command, voice, speed, f"f{index}a"))
        second, second_last = await speak(client, clip(pair.follow_up, voice, speed, f"f{index}b"))
        end = time.monotonic()   # (speak waited for the whole answer and its late messages)
        command_calls, follow_calls = calls_between(client, first, second), calls_between(client, second, end)
        llm = client.first("bot-llm-started", second) is not None
        audio = client.first_audio_after(second_last)
    finally:
        if pair.cleanup:   # (also when the pair failed: the next pair starts as this one did)
            with contextlib.suppress(Exception):
                await client.send_message("send-text", {"content": pair.cleanup, "options": {"audio_response": False}})
                await asyncio.sleep(1.0)
        await client.close()
    command_ok = bool(command_calls) and all(c.stopped and not (isinstance(c.result, dict) and "error" in c.result)
                                             for c in command_calls)
    ok = matches(follow_calls, pair.expected)
    outcome = ("command failed" if not command_ok else "ok" if ok else "to the LLM" if llm and not follow_calls
               else "no action" if not follow_calls else "wrong action")
    return {"kind": pair.kind, "command": pair.command, "follow_up": pair.follow_up, "voice": f"{voice}@{speed:g}",
            "outcome": outcome, "ok": ok and command_ok,
            "heard": heard_between(client, second, end), "said": said_between(client, second, end),
            "calls": [f"{c.name}({json.dumps(c.arguments)})" for c in follow_calls],
            "voice_to_voice": None if audio is None else round(audio - second_last, 4)}


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, Any] = {}
    for kind in sorted({row["kind"] for row in rows}):
        kept = [row for row in rows if row["kind"] == kind and row["outcome"] != "command failed"]
        by_kind[kind] = {"n": len(kept), "ok": sum(row["ok"] for row in kept),
                         "outcomes": {o: sum(row["outcome"] == o for row in kept) for o in sorted({r["outcome"] for r in kept})},
                         "voice_to_voice": summarize(row["voice_to_voice"] for row in kept)}
    return {"by_kind": by_kind, "commands_failed": sum(row["outcome"] == "command failed" for row in rows)}


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    source = tempfile.TemporaryDirectory(prefix="rtvi-edge-commit-")
    tree = f"commit {export_commit(args.commit, Path(source.name))}" if args.commit else f"work tree at {git_revision()}"
    voices = [VOICES[(index * 3) % len(VOICES)] for index in range(args.voices)]
    rows: list[dict[str, Any]] = []
    sampler = LoadSampler()
    sampler.start()
    try:
        async with running_bench(args, True) as (bench, _):
            for index, pair in enumerate(PAIRS):
                if args.kinds and pair.kind not in args.kinds:
                    continue
                for voice, speed in voices:
                    try:
                        row = await run_pair(bench.url, pair, voice, speed, index)
                    except Exception as err:   # one broken pair must not lose the others
                        row = {"kind": pair.kind, "command": pair.command, "follow_up": pair.follow_up,
                               "voice": f"{voice}@{speed:g}", "outcome": f"error: {type(err).__name__}", "ok": False,
                               "voice_to_voice": None}
                    rows.append(row)
                    progress(f"{pair.follow_up!r} {row['voice']}: {row['outcome']} heard={row.get('heard')!r}")
    finally:
        source.cleanup()
    return {"title": f"rtvi-edge spoken follow-ups, {tree}", "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": describe_machine(), "load": await sampler.stop(),
            "config": {"voices": [f"{v}@{s:g}" for v, s in voices], "daemon_source": tree, "note": args.note},
            "summary": summary(rows), "rows": rows}


def markdown(results: dict[str, Any]) -> str:
    lines = [f"## {results['title']}", "", "| follow-up | right | outcomes | voice-to-voice median / p95 |",
             "|---|---|---|---|"]
    for kind, found in results["summary"]["by_kind"].items():
        v2v = found["voice_to_voice"]
        timing = f"{v2v['median']:.2f} / {v2v['p95']:.2f} s" if v2v.get("n") else "-"
        lines.append(f"| {kind} | {found['ok']}/{found['n']} | {found['outcomes']} | {timing} |")
    lines.append(f"\ncommands that failed (pairs not counted): {results['summary']['commands_failed']}")
    misses = [row for row in results["rows"] if not row["ok"]]
    lines += ["", "Misses:"] + [f"- {row['voice']}: {row['command']!r} then {row['follow_up']!r} heard "
                                f"{row.get('heard')!r} -> {row['outcome']}, did {row.get('calls')}, said {row.get('said')!r}"
                                for row in misses]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="spoken follow-ups to device commands (see docs/benchmarks.md)")
    parser.add_argument("--voices", type=int, default=3, help="voices each pair is spoken in (default 3)")
    parser.add_argument("--commit", default="", help="run the daemon from this commit instead of the work tree")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results", help="results directory")
    parser.add_argument("--note", default="", help="free text stored with the results")
    parser.add_argument("--kinds", type=lambda text: [kind.strip() for kind in text.split(",")], default=[],
                        help="comma list of the kinds of follow-up to run (default: all)")
    args = parser.parse_args(argv)
    args.no_answer_secs = ANSWER_SECS
    results = asyncio.run(measure(args))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"follow-ups-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=1))
    print(markdown(results))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
