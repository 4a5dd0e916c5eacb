"""LLM benchmark: time to first token, tokens/s, second-turn prompt evaluation (KV cache reuse), tool-call
latency, and the throughput of our reply path against raw llama-cpp-python on the same prompt and settings.

    .venv/bin/python scripts/bench_llm.py [--threads 1 2] [--runs 5] [--accuracy] [--out bench-results/llm.json]

"raw" is `Llama.create_chat_completion(stream=True)` with the ChatML format; "ours" is `create_llm` +
`generate_reply`, plain (no tools: the same prompt as raw) and with the built-in tools (the tool list and
examples in the prompt; raw then streams create_completion on the same tokens). Sampling is greedy, so
both produce the same tokens and their speeds compare exactly; with tools that holds for answers made
without the decision step (tool_choice "none"), and `ours_tools_auto` adds the decision step, as a
device runs it. Medians over --runs. --accuracy scores the tool decision
on a fixed question set: as the engine runs (tools chosen per turn), and with every tool offered, with
and without calibration. On a shared machine, compare runs made at similar
load (the load average is in the output).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench.machine import LoadSampler, describe_machine  # noqa: E402
from bench.stats import summarize  # noqa: E402
from firmware_py.config import LlmSettings  # noqa: E402
from firmware_py.events import EventBus, FunctionCallStarted  # noqa: E402
from firmware_py.llm.agent import generate_reply  # noqa: E402
from firmware_py.llm.base import create_llm  # noqa: E402
from firmware_py.llm.chat_functions import Sampling  # noqa: E402
from firmware_py.llm.chatml import MESSAGE, function_specs, render_prompt  # noqa: E402
from firmware_py.llm.context import Context  # noqa: E402
from firmware_py.llm.local import LocalLlm, load_llama, model_path  # noqa: E402
from firmware_py.llm.tools import ToolRegistry  # noqa: E402
from firmware_py.models import models_dir  # noqa: E402

STORIES = ["Tell me a long story about a dragon who learns to bake bread.",
           "Tell me a long story about a robot who plants a garden.",
           "Tell me a long story about a cat who sails across the sea.",
           "Tell me a long story about a girl who builds a kite.",
           "Tell me a long story about a fox who finds a golden key."]
SECOND_TURN = "And what happened to the dragon the next morning?"
TIMER = "set a timer for five minutes"
MAX_TOKENS = 128

# Questions the tool decision is scored on: (question, expected tool or None for a spoken answer).
# None of them appears among the prompt's examples (firmware_py/llm/fewshot.py).
DECISION_CASES = [
    ("set a timer for five minutes", "set_timer"), ("what time is it", "get_time"), ("what's the date today", "get_date"),
    ("what day is it", "get_date"), ("set the volume to 80", "set_volume"), ("turn it down to 20 percent", "set_volume"),
    ("mute the speaker", "set_mute"), ("unmute", "set_mute"), ("which timers are running", "list_timers"),
    ("do I have any timers", "list_timers"), ("cancel the pasta timer", "cancel_timer"), ("stop the timer", "cancel_timer"),
    ("set a timer for 90 seconds called tea", "set_timer"), ("remind me in 2 minutes", "set_timer"),
    ("start a ten minute timer for the oven", "set_timer"), ("pause my timer", "pause_timer"),
    ("put five more minutes on the timer", "add_timer_time"), ("a bit louder please", "change_volume"),
    ("What is the capital of France?", None), ("tell me a joke", None), ("hello", None), ("how are you?", None),
    ("what is two plus two", None), ("who are you", None), ("thank you", None), ("what color is the sky", None),
    ("can you recommend a book", None), ("how do I boil an egg", None), ("good morning", None),
]


class DeviceStub:
    """The speaker controls the volume tools would change; the benchmark has no speaker."""

    def get_volume(self) -> float:
        return 1.0

    def set_volume(self, value: float) -> None:
        pass

    def set_muted(self, muted: bool) -> None:
        pass


def decode_rate(tokens: int, first: float | None, last: float | None) -> float | None:
    """Tokens per second after the first one (the first token's time is the TTFT, not throughput)."""
    if first is None or last is None or tokens < 2 or last <= first:
        return None
    return (tokens - 1) / (last - first)


def raw_run(llama: Any, sampling: Sampling, messages: list[dict[str, Any]],
            tools: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """llama-cpp-python's own streaming with our sampling settings: create_chat_completion for plain chat;
    with tools (which it cannot stream), create_completion on exactly the prompt our path builds."""
    params = {"stream": True, "temperature": sampling.temperature, "top_p": sampling.top_p, "top_k": sampling.top_k,
              "min_p": sampling.min_p, "repeat_penalty": sampling.repeat_penalty, "seed": sampling.seed,
              "max_tokens": MAX_TOKENS}
    started = time.perf_counter()
    if tools:
        prompt = (llama.tokenize(render_prompt(messages, function_specs(tools)).encode(), add_bos=False, special=True)
                  + llama.tokenize(f"{MESSAGE}\n".encode(), add_bos=False, special=True))  # our exact tokens
        chunks = (c["choices"][0]["text"] for c in llama.create_completion(prompt, stop=["<|im_end|>"], **params))
    else:
        chunks = (c["choices"][0]["delta"].get("content") for c in llama.create_chat_completion(messages, **params))
    first = last = None
    tokens = 0
    for text in chunks:
        if text:
            tokens += 1
            last = time.perf_counter()
            first = first or last
    return {"ttft": first - started if first else None, "tokens": tokens,
            "tokens_per_sec": decode_rate(tokens, first, last)}


def story_messages(settings: LlmSettings, story: str) -> list[dict[str, Any]]:
    return [{"role": "system", "content": settings.system_prompt}, {"role": "user", "content": story}]


async def reply_run(engine: LocalLlm, settings: LlmSettings, registry: ToolRegistry | None,
                    turns: list[str]) -> dict[str, Any]:
    """Run `turns` in one context; figures of the last one. A turn in which the model called a tool has no
    TTFT or throughput figure: its reply spans two generations (such runs are counted in `tool_rounds`)."""
    context = Context(settings.system_prompt, settings.history_tokens, engine.count_tokens)
    bus = EventBus()
    calls: list[Any] = []
    bus.subscribe(calls.append, FunctionCallStarted)
    for turn in turns:
        calls.clear()
        context.add("user", turn)
        started = time.perf_counter()
        first = last = None
        async for _delta in generate_reply(engine, context, registry, "bench", bus, asyncio.Event()):
            last = time.perf_counter()
            first = first or last
    stats = engine.stats
    rate = None if calls else decode_rate(stats.generated_tokens, first, last)
    return {"ttft": first - started if first and not calls else None, "tokens": stats.generated_tokens, "tool_rounds": len(calls),
            "tokens_per_sec": rate, "total": time.perf_counter() - started,
            "prompt_tokens": stats.prompt_tokens, "evaluated_tokens": stats.evaluated_tokens,
            "decision_secs": stats.decision_secs or None}


async def stream_run(engine: LocalLlm, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
    """The tools prompt answered without the decision step (tool_choice "none"): the prompt is evaluated in
    one batch, exactly as raw does, so both generate the same tokens and their speeds compare exactly."""
    started = time.perf_counter()
    first = last = None
    async for _delta in engine.stream(messages, tools, asyncio.Event(), tool_choice="none"):
        last = time.perf_counter()
        first = first or last
    tokens = engine.stats.generated_tokens
    return {"ttft": first - started if first else None, "tokens": tokens, "tokens_per_sec": decode_rate(tokens, first, last)}


async def tool_call_run(engine: LocalLlm, settings: LlmSettings, registry: ToolRegistry) -> dict[str, Any]:
    """Time until the set_timer call is made, and until the spoken confirmation is complete."""
    messages = [{"role": "system", "content": settings.system_prompt}, {"role": "user", "content": TIMER}]
    started = time.perf_counter()
    called = None
    async for delta in engine.stream(messages, registry.schemas(), asyncio.Event()):
        if delta.tool_calls:
            called = time.perf_counter() - started
    reply = await reply_run(engine, settings, registry, [TIMER])
    registry.timers.close()
    return {"to_tool_call": called, "full_reply": reply["total"]}


def summary(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: summarize(row.get(key) for row in rows) for key in keys}


async def bench_threads(threads: int, runs: int) -> dict[str, Any]:
    # Greedy sampling: raw and ours then generate the very same tokens, so their speeds compare exactly.
    settings = replace(LlmSettings(), threads=threads, max_tokens=MAX_TOKENS, seed=1, temperature=0.0)
    root = models_dir()
    loaded = time.perf_counter()
    engine = create_llm(settings, root)
    assert isinstance(engine, LocalLlm)
    load_secs = time.perf_counter() - loaded
    registry = ToolRegistry(EventBus(), DeviceStub(), [])
    warmed = time.perf_counter()
    await engine.warm_up(settings.system_prompt, registry.schemas())
    warm_secs = time.perf_counter() - warmed
    raw = load_llama(model_path(settings, root), replace(settings, chat_format="chatml"))
    sampling = engine._chat.sampling  # noqa: SLF001 - raw runs use exactly the engine's sampling settings
    tools = registry.schemas()
    raw_run(raw, sampling, story_messages(settings, STORIES[0]))  # caches the system prompt
    await reply_run(engine, settings, None, [STORIES[0]])

    result: dict[str, Any] = {"threads": threads, "load_secs": round(load_secs, 3), "warm_up_secs": round(warm_secs, 3)}
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "raw_plain", "ours_plain", "raw_tools", "ours_tools", "ours_tools_auto", "second_turn")}
    stories = [STORIES[(run + 1) % len(STORIES)] for run in range(runs)]  # a new question each run, as in use
    for story in stories:  # interleaved, so that machine load hits both alike (raw has its own Llama)
        rows["raw_plain"].append(raw_run(raw, sampling, story_messages(settings, story)))
        rows["ours_plain"].append(await reply_run(engine, settings, None, [story]))
    # The tools prompt has another prefix than the plain one and one KV cache holds one of them, so these
    # runs come after a warm-up of the tools prefix (a device uses one kind of prompt).
    await engine.warm_up(settings.system_prompt, tools)
    raw_run(raw, sampling, story_messages(settings, STORIES[0]), tools)
    for story in stories:
        rows["raw_tools"].append(raw_run(raw, sampling, story_messages(settings, story), tools))
        rows["ours_tools"].append(await stream_run(engine, story_messages(settings, story), tools))
        # another question (a cached prompt would hide the evaluation cost), of the same length
        rows["ours_tools_auto"].append(await reply_run(engine, settings, registry, [story.replace(" long ", " short ")]))
        rows["second_turn"].append(await reply_run(engine, settings, registry, [story, SECOND_TURN]))
    keys = ("ttft", "tokens", "tokens_per_sec", "decision_secs", "prompt_tokens", "evaluated_tokens", "tool_rounds")
    result.update({name: summary(group, keys) for name, group in rows.items()})
    result["cold_prompt"] = await cold_prompt(engine, settings, registry, max(1, runs // 2))
    result["tool_call"] = summary([await tool_call_run(engine, settings, registry) for _ in range(runs)],
                                  ("to_tool_call", "full_reply"))
    for kind in ("plain", "tools"):
        ours_rate = result[f"ours_{kind}"]["tokens_per_sec"].get("median")
        raw_rate = result[f"raw_{kind}"]["tokens_per_sec"].get("median")
        result[f"ours_{kind}"]["throughput_ratio_vs_raw"] = round(ours_rate / raw_rate, 3) if ours_rate and raw_rate else None
    engine.close()
    registry.close()
    return result


async def cold_prompt(engine: LocalLlm, settings: LlmSettings, registry: ToolRegistry, runs: int) -> dict[str, Any]:
    """The same first turn with an empty KV cache: what the cache saves."""
    rows = []
    for _ in range(runs):
        engine.llama.reset()  # forget the cached tokens: the next prompt is evaluated from the start
        rows.append(await reply_run(engine, settings, registry, [STORIES[0]]))
    await engine.warm_up(settings.system_prompt, registry.schemas())
    return summary(rows, ("decision_secs", "ttft", "evaluated_tokens"))


async def decision_accuracy() -> dict[str, Any]:
    settings = LlmSettings()
    engine = create_llm(settings, models_dir())
    assert isinstance(engine, LocalLlm)
    registry = ToolRegistry(EventBus(), DeviceStub(), [])
    tools = registry.schemas()
    await engine.warm_up(settings.system_prompt, tools)
    result = {}
    # "selected": the engine as it runs (tools offered per turn by its words, calibrated choice); the
    # others offer every tool every turn, to measure what the selection and the calibration are worth.
    for name, select, calibrated in (("selected", True, True), ("calibrated", False, True),
                                     ("uncalibrated", False, False)):
        engine._chat.select_tools = select  # noqa: SLF001
        engine._chat.calibrated = calibrated  # noqa: SLF001
        misses = []
        for question, expected in DECISION_CASES:
            messages = [{"role": "system", "content": settings.system_prompt}, {"role": "user", "content": question}]
            chosen = None
            async for delta in engine.stream(messages, tools, asyncio.Event()):
                chosen = delta.tool_calls[0].name if delta.tool_calls else chosen
            if chosen != expected:
                misses.append({"question": question, "expected": expected, "chose": chosen})
        result[name] = {
            "correct": len(DECISION_CASES) - len(misses), "of": len(DECISION_CASES), "misses": misses}
    engine.close()
    registry.close()
    return result


def headline(results: dict[str, Any]) -> str:
    """The medians that matter, one line per thread count."""
    def med(block: dict[str, Any], key: str) -> str:
        value = block.get(key, {}).get("median")
        return "-" if value is None else f"{value:.3g}"

    lines = []
    for r in results["by_threads"]:
        lines.append(
            f"threads={r['threads']}: plain raw {med(r['raw_plain'], 'tokens_per_sec')} tok/s ttft "
            f"{med(r['raw_plain'], 'ttft')} s, ours {med(r['ours_plain'], 'tokens_per_sec')} tok/s "
            f"(x{r['ours_plain']['throughput_ratio_vs_raw']}) ttft {med(r['ours_plain'], 'ttft')} s | tools raw "
            f"{med(r['raw_tools'], 'tokens_per_sec')} tok/s ttft {med(r['raw_tools'], 'ttft')} s, ours "
            f"{med(r['ours_tools'], 'tokens_per_sec')} tok/s (x{r['ours_tools']['throughput_ratio_vs_raw']}) "
            f"ttft {med(r['ours_tools'], 'ttft')} s, with the decision {med(r['ours_tools_auto'], 'ttft')} s | "
            f"2nd turn: {med(r['second_turn'], 'evaluated_tokens')} new tokens, decision {med(r['second_turn'], 'decision_secs')} s "
            f"(cold {med(r['cold_prompt'], 'decision_secs')} s) | tool call {med(r['tool_call'], 'to_tool_call')} s")
    accuracy = results.get("decision_accuracy")
    if accuracy:
        lines.append("decision: " + ", ".join(f"{k} {v['correct']}/{v['of']}" for k, v in accuracy.items()))
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--accuracy", action="store_true", help="also score the tool decision")
    parser.add_argument("--out", type=Path, help="write the JSON here too")
    args = parser.parse_args()
    load = LoadSampler()
    load.start()
    results: dict[str, Any] = {"machine": describe_machine(), "max_tokens": MAX_TOKENS, "runs": args.runs,
                               "by_threads": [await bench_threads(t, args.runs) for t in args.threads]}
    if args.accuracy:
        results["decision_accuracy"] = await decision_accuracy()
    results["load"] = await load.stop()
    text = json.dumps(results, indent=2)
    print(text)
    print(headline(results), file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    asyncio.run(main())
