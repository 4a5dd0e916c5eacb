"""A history trimmed of its oldest turns keeps the rest of it in the KV cache: only the new turn is evaluated
(on the real model a trim otherwise re-read ~750 tokens, 7 s, every few turns of a long conversation)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from firmware_py.config import LlmSettings
from firmware_py.llm.cache_shift import shift_out_dropped_turns
from firmware_py.llm.chatml import render_prompt
from firmware_py.llm.local import LocalLlm

SYSTEM = "You are a test assistant."
TURNS = [("what time is it in the morning today?", "the sun is shining and the weather is nice today."),
         ("set a timer for five minutes please.", "the quick brown fox jumps over the lazy dog again."),
         ("hello there, how are you today?", "one two three four five, the timer is set.")]


def history(turns: list[tuple[str, str]], question: str) -> list[dict[str, Any]]:
    messages = [{"role": "system", "content": SYSTEM}]
    for asked, said in turns:
        messages += [{"role": "user", "content": asked}, {"role": "assistant", "content": said}]
    return messages + [{"role": "user", "content": question}]


async def answer(engine: LocalLlm, messages: list[dict[str, Any]]) -> None:
    async for _ in engine.stream(messages, None, asyncio.Event()):
        pass


async def test_turns_trimmed_from_the_front_leave_the_rest_cached(tiny_settings: LlmSettings, tiny_gguf: Path) -> None:
    engine = LocalLlm.from_settings(tiny_settings, tiny_gguf.parent, cache=False)
    try:
        await answer(engine, history(TURNS, "what is the weather like?"))
        said = "the weather is nice."   # (the history keeps the answer as text; the cache holds what was sampled)
        trimmed = history([*TURNS[1:], ("what is the weather like?", said)], "and tomorrow?")
        await answer(engine, trimmed)
        stats = engine.stats
        rendered = render_prompt(trimmed, [])
        new = len(engine._chat.tokenize(rendered[rendered.index(said):])) + 2   # the answer as text on
        assert stats.evaluated_tokens <= new, stats
        assert stats.cached_tokens >= stats.prompt_tokens - new
    finally:
        engine.close()


async def test_the_cache_after_a_cut_holds_exactly_the_prompt_it_was_cut_for(tiny_settings: LlmSettings,
                                                                           tiny_gguf: Path) -> None:
    engine = LocalLlm.from_settings(tiny_settings, tiny_gguf.parent, cache=False)
    try:
        await answer(engine, history(TURNS, "what is the weather like?"))
        llama, tokenize = engine.llama, engine._chat.tokenize
        prompt = tokenize(render_prompt(history(TURNS[1:], "and tomorrow?"), []))
        assert shift_out_dropped_turns(llama, prompt) > 0
        held = list(llama.input_ids[: llama.n_tokens])
        assert held == prompt[: len(held)] and len(held) >= len(prompt) - len(tokenize("and tomorrow?")) - 12
        assert shift_out_dropped_turns(llama, prompt) == 0, "nothing left to cut"
        # a prompt that only goes on from the cache, or shares nothing after the system prompt, cuts nothing
        assert shift_out_dropped_turns(llama, prompt + tokenize(" more")) == 0
        assert shift_out_dropped_turns(llama, tokenize(render_prompt(history([], "something else"), []))) == 0
        # a new conversation asking what an old one asked is no trimmed history of it
        asked = tokenize(render_prompt(history([], TURNS[2][0]), []))
        assert shift_out_dropped_turns(llama, asked) == 0
    finally:
        engine.close()
