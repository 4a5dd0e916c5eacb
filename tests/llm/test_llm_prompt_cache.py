"""The warmed prompt prefix on disk: saved once, loaded by the next engine, rebuilt when stale or corrupt."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from firmware_py.config import LlmSettings
from firmware_py.llm.builtin_tools import BUILTIN_TOOLS
from firmware_py.llm.chatml import function_specs, render_prefix
from firmware_py.llm.local import LocalLlm, load_llama
from firmware_py.llm.prompt_cache import PromptCache

SYSTEM = "You are a test assistant."
TOOLS = [tool.schema() for tool in BUILTIN_TOOLS]
QUESTION = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "what is a cloud"}]


@pytest.fixture
def greedy(tiny_settings: LlmSettings) -> LlmSettings:
    return replace(tiny_settings, temperature=0.0, max_tokens=12)


@pytest.fixture
def engines(greedy: LlmSettings, tiny_gguf: Path, tmp_path: Path) -> Iterator[Any]:
    made: list[LocalLlm] = []

    def make(cached: bool = True, directory: Path = tmp_path / "cache") -> LocalLlm:
        cache = PromptCache(tiny_gguf, greedy.n_ctx, greedy.chat_format, [directory]) if cached else None
        engine = LocalLlm(load_llama(tiny_gguf, greedy), greedy, "llama.cpp:tiny", cache)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


async def warm(engine: LocalLlm, system: str = SYSTEM) -> str:
    return await asyncio.get_running_loop().run_in_executor(None, engine._chat.warm_up, system, TOOLS)  # noqa: SLF001


async def ask(engine: LocalLlm) -> str:
    return "".join([d.text async for d in engine.stream(QUESTION, TOOLS, asyncio.Event(), tool_choice="none")])


def prefix_length(engine: LocalLlm, system: str = SYSTEM) -> int:
    return len(engine._chat.tokenize(render_prefix(system, function_specs(TOOLS))))  # noqa: SLF001


async def test_second_engine_loads_the_prefix_and_answers_the_same(engines: Any, tmp_path: Path) -> None:
    reference = engines(cached=False)
    assert await warm(reference) == "evaluated"
    expected = await ask(reference)

    first = engines()
    assert await warm(first) == "evaluated"
    assert sorted(p.suffix for p in (tmp_path / "cache").iterdir()) == [".json", ".state"]
    second = engines()
    assert await warm(second) == "loaded"
    assert second._chat._calibrations == first._chat._calibrations  # noqa: SLF001 - the decision is unchanged
    assert await ask(second) == expected
    assert second.stats.cached_tokens >= prefix_length(second)  # only the question was evaluated
    assert await warm(second) == "cached"


async def test_a_new_system_prompt_is_not_served_from_the_old_state(engines: Any) -> None:
    assert await warm(engines()) == "evaluated"
    assert await warm(engines(), "You are another assistant.") == "evaluated"
    assert await warm(engines(), "You are another assistant.") == "loaded"


@pytest.mark.parametrize("damage", ["garbage state", "truncated state", "bad sidecar", "model touched"])
async def test_a_damaged_or_stale_cache_is_rebuilt(engines: Any, tmp_path: Path, tiny_gguf: Path,
                                                   damage: str) -> None:
    reference = engines(cached=False)
    await warm(reference)
    expected = await ask(reference)
    await warm(engines())
    state = next((tmp_path / "cache").glob("*.state"))
    if damage == "garbage state":
        state.write_bytes(os.urandom(4096))
    elif damage == "truncated state":
        state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    elif damage == "bad sidecar":
        state.with_suffix(".json").write_text("{not json")
    else:
        stat = tiny_gguf.stat()
        os.utime(tiny_gguf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    rebuilt = engines()
    assert await warm(rebuilt) == "evaluated"
    assert await ask(rebuilt) == expected
    assert await warm(engines()) == "loaded"


async def test_no_writable_directory_still_warms(engines: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    engine = engines(directory=blocker / "cache")
    assert await warm(engine) == "evaluated"
    assert await ask(engine)


def test_a_state_saved_with_another_cache_precision_is_not_loaded(tiny_gguf: Path, tmp_path: Path) -> None:
    # the state file holds the KV cache as stored: f16 bytes read into a q8_0 cache would be garbage
    f16 = PromptCache(tiny_gguf, 1024, "chatml", [tmp_path])
    q8 = PromptCache(tiny_gguf, 1024, "chatml", [tmp_path], kv_cache="q8_0")
    assert f16.key("prefix") != q8.key("prefix")
