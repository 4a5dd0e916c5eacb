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


def _state_bytes(kv_cache: str) -> int:
    import llama_cpp

    from firmware_py.config import LlmSettings
    from firmware_py.llm.local import load_llama, model_path
    from firmware_py.models import models_dir

    settings = LlmSettings(n_ctx=512, kv_cache=kv_cache)
    llama = load_llama(model_path(settings, models_dir()), settings)
    try:
        llama.eval(llama.tokenize(b"The small profile keeps its cache in eight bits. " * 4))
        return int(llama_cpp.llama_state_get_size(llama._ctx.ctx))  # noqa: SLF001
    finally:
        llama.close()


def test_a_q8_0_kv_cache_holds_about_half() -> None:
    # the real model: q8_0 blocks need heads of 32 values or more, which the tiny test model lacks
    f16, q8 = _state_bytes("f16"), _state_bytes("q8_0")
    assert 0.45 < q8 / f16 < 0.65


def test_the_cache_precision_is_a_setting_the_profiles_leave_alone(tmp_path: Any) -> None:
    from firmware_py.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text('[models]\nprofile = "small"\n')
    assert load_settings(path).llm.kv_cache == "f16"      # q8_0 evaluated prompts ~60% slower
    path.write_text('[models]\nprofile = "small"\n[llm]\nkv_cache = "q8_0"\n')
    assert load_settings(path).llm.kv_cache == "q8_0"
