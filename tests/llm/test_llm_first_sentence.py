"""The first sentence on every core, the rest on the configured threads, read back from the model's context."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import llama_cpp

from firmware_py.llm.first_sentence import FirstSentenceThreads, burst_threads
from firmware_py.llm.local import LocalLlm


def threads_of(engine: LocalLlm) -> tuple[int, int]:
    ctx = engine.llama._ctx.ctx  # noqa: SLF001
    return llama_cpp.llama_n_threads(ctx), llama_cpp.llama_n_threads_batch(ctx)


def test_burst_until_the_first_sentence_is_written(tiny_llm: LocalLlm) -> None:
    with FirstSentenceThreads(tiny_llm.llama, 1, 3) as first:
        assert threads_of(tiny_llm) == (3, 3)
        first.saw("The boiling point")
        first.saw(" of water is")
        assert threads_of(tiny_llm) == (3, 3)  # no sentence yet: the voice is still waiting
        first.saw(" 100 degrees. It")
        assert threads_of(tiny_llm) == (1, 1)  # the voice has its sentence: the model leaves it a core
        first.saw(" boils.")
        assert threads_of(tiny_llm) == (1, 1)
    assert threads_of(tiny_llm) == (1, 1)


def test_an_answer_cut_short_still_gives_the_threads_back(tiny_llm: LocalLlm) -> None:
    with FirstSentenceThreads(tiny_llm.llama, 1, 2) as first:
        first.saw("no sentence end")
    assert threads_of(tiny_llm) == (1, 1)


def test_zero_means_every_core_and_never_fewer_than_the_answer_threads() -> None:
    import os

    assert burst_threads(0, 1) == max(1, os.cpu_count() or 1)
    assert burst_threads(1, 1) == 1
    assert burst_threads(2, 4) == 4


async def test_the_engine_answers_with_its_own_threads_afterwards(tiny_llm: LocalLlm) -> None:
    seen: list[tuple[int, int]] = []
    settings = tiny_llm.settings
    tiny_llm.configure(replace(settings, first_sentence_threads=2))
    try:
        messages: list[dict[str, Any]] = [{"role": "user", "content": "hello"}]
        async for _delta in tiny_llm.stream(messages, None, asyncio.Event()):
            seen.append(threads_of(tiny_llm))
    finally:
        tiny_llm.configure(settings)
    assert seen and threads_of(tiny_llm) == (settings.threads, settings.threads)
