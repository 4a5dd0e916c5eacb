"""An answer leaves nothing for Python's collector: llama-cpp-python's reference cycles (with the real model
~0.6 MB per answer) are collected when the answer ends, not ~40 answers later."""

from __future__ import annotations

import asyncio
import gc
from typing import Any


async def test_an_answer_leaves_no_garbage_behind(tiny_llm: Any) -> None:
    left = []
    for question in ("What is the capital of France?", "Tell me a joke.", "How far is the moon?"):
        gc.collect()
        async for _ in tiny_llm.stream([{"role": "user", "content": question}], None, asyncio.Event()):
            pass
        left.append(gc.collect())
    assert left == [0, 0, 0]
