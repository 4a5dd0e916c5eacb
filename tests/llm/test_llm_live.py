"""Live [llm] settings change what the next answer does: sampling, length, model; others are refused."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from firmware_py.config import ConfigError, LlmSettings, Settings
from firmware_py.events import ErrorEvent, EventBus
from firmware_py.live_config import LiveSettings
from firmware_py.llm.live import LiveLlm
from firmware_py.llm.local import LocalLlm

from .conftest import Recorder
from .tiny_gguf import write_tiny_gguf

MESSAGES = [{"role": "system", "content": "Test."}, {"role": "user", "content": "tell me something"}]


@pytest.fixture
def live_llm(tiny_settings: LlmSettings, tiny_gguf: Path, bus: EventBus) -> Iterator[tuple[LiveLlm, LiveSettings]]:
    settings = replace(Settings(), llm=tiny_settings, models=replace(Settings().models, dir=str(tiny_gguf.parent)))
    engine = LiveLlm(LocalLlm.from_settings(tiny_settings, tiny_gguf.parent, cache=False), tiny_settings,
                     tiny_gguf.parent, bus)
    yield engine, LiveSettings(settings, bus)
    engine.close()


async def answer(engine: Any, messages: list[dict[str, Any]] = MESSAGES) -> str:
    return "".join([d.text async for d in engine.stream(messages, None, asyncio.Event())])


async def test_max_tokens_applies_to_the_next_answer(live_llm: tuple[LiveLlm, LiveSettings]) -> None:
    engine, live = live_llm
    await answer(engine)
    assert engine.stats.generated_tokens > 1
    live.update("llm", {"max_tokens": 1})
    short = await answer(engine)
    assert engine.stats.generated_tokens == 1
    assert len(engine.engine.llama.tokenize(short.encode(), add_bos=False)) <= 2  # one token (maybe split bytes)


async def test_temperature_and_seed_reach_the_sampler(live_llm: tuple[LiveLlm, LiveSettings]) -> None:
    engine, live = live_llm
    llama = engine.engine.llama
    seen: list[float] = []
    generate = llama.generate

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("temp", -1.0))
        return generate(*args, **kwargs)

    llama.generate = spy  # type: ignore[method-assign]
    live.update("llm", {"temperature": 0.0})
    greedy = {await answer(engine) for _ in range(2)}
    live.update("llm", {"seed": 11})
    greedy.add(await answer(engine))
    assert len(greedy) == 1 and seen[-1] == 0.0  # greedy: the seed changes nothing
    live.update("llm", {"temperature": 2.0, "seed": -1})  # a fresh random seed every answer
    hot = {await answer(engine) for _ in range(3)}
    assert seen[-1] == 2.0 and len(hot) > 1


async def test_model_change_reloads_off_the_loop_and_keeps_serving(
        live_llm: tuple[LiveLlm, LiveSettings], tmp_path: Path) -> None:
    engine, live = live_llm
    other = write_tiny_gguf(tmp_path / "other.gguf", seed=3)
    before = engine.engine
    live.update("llm", {"model": str(other)})
    assert engine.engine is before  # the new model loads in the background, not in the publisher
    assert await answer(engine)  # and the old one answers meanwhile
    await engine.settled()
    assert engine.name == "llama.cpp:other" and engine.engine is not before
    assert await answer(engine)


async def test_a_failed_reload_keeps_the_old_model_and_says_why(
        live_llm: tuple[LiveLlm, LiveSettings], tmp_path: Path, bus: EventBus, recorder: Recorder) -> None:
    engine, live = live_llm
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    live.update("llm", {"model": str(broken)})
    await engine.settled()
    assert engine.name == "llama.cpp:tiny" and await answer(engine)
    assert any("LLM change failed" in e.message for e in recorder.of(ErrorEvent))


def test_settings_that_cannot_change_live_are_refused(bus: EventBus, tmp_path: Path) -> None:
    live = LiveSettings(Settings(), bus)
    before = live.current
    with pytest.raises(ConfigError, match=r"llm\.history_tokens cannot change while running.*temperature"):
        live.update("llm", {"history_tokens": 200})
    with pytest.raises(ConfigError, match=r"stt\.threads cannot change while running"):
        live.update("stt", {"threads": 2})
    with pytest.raises(ConfigError, match=r"\[wakeword\] cannot change while running"):
        live.update("wakeword", {"threshold": 0.6})
    with pytest.raises(ConfigError, match="no GGUF file at"):
        live.update("llm", {"model": str(tmp_path / "absent.gguf")})
    with pytest.raises(ConfigError, match=r"llm\.temperature = 5"):
        live.update("llm", {"temperature": 5})
    assert live.current == before


async def test_a_change_during_a_reload_is_not_lost(live_llm: tuple[LiveLlm, LiveSettings], tmp_path: Path) -> None:
    engine, live = live_llm
    other = write_tiny_gguf(tmp_path / "other.gguf", seed=5)
    live.update("llm", {"model": str(other)})
    live.update("llm", {"max_tokens": 1})
    await engine.settled()
    assert engine.name == "llama.cpp:other"
    await answer(engine)
    assert engine.stats.generated_tokens == 1
