"""The LLM engine the conversations hold: it follows live `[llm]` settings changes.

Sampling settings (temperature, max_tokens, seed) are handed to the engine and read at its next
generation. A change of model, backend, context size, threads, chat format or server builds a new engine
off the event loop and warms it; the old one keeps answering meanwhile and is closed once its last
stream ends. A new system prompt is warmed in the background so the next turn finds it cached. A failed
reload keeps the old engine and reports why.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

from ..config import ConfigError, LlmSettings, build_section
from ..events import ConfigChanged, ErrorEvent, Event, EventBus
from .base import LlmDelta, LlmEngine, ToolChoice, create_llm
from .context import estimate_tokens

if TYPE_CHECKING:
    from .chat_functions import TurnStats

log = logging.getLogger(__name__)

RELOAD_KEYS = frozenset({"backend", "model", "n_ctx", "threads", "kv_cache", "chat_format", "remote_url", "remote_api_key",
                         "remote_timeout_secs"})
"""Settings an engine is built with: changing one means a new engine."""

EngineFactory = Callable[[LlmSettings, Path], LlmEngine]


class LiveLlm:
    def __init__(self, engine: LlmEngine, settings: LlmSettings, models_root: Path, bus: EventBus,
                 factory: EngineFactory = create_llm) -> None:
        self._engine = engine
        self.settings = settings
        self._models_root = models_root
        self._bus = bus
        self._factory = factory
        self._warmed_tools: list[dict[str, Any]] | None = None
        self._warmed = False
        self._busy: dict[int, int] = {}
        self._retired: dict[int, LlmEngine] = {}
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe = bus.subscribe(self._on_config, ConfigChanged)

    @property
    def engine(self) -> LlmEngine:
        return self._engine

    @property
    def name(self) -> str:
        return self._engine.name

    @property
    def stats(self) -> "TurnStats | None":
        return getattr(self._engine, "stats", None)

    def count_tokens(self, text: str) -> int:
        count = getattr(self._engine, "count_tokens", None)
        return count(text) if count is not None else estimate_tokens(text)

    async def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                     cancel: asyncio.Event, tool_choice: ToolChoice = "auto") -> AsyncIterator[LlmDelta]:
        engine = self._engine
        key = id(engine)
        self._busy[key] = self._busy.get(key, 0) + 1
        try:
            async for delta in engine.stream(messages, tools, cancel, tool_choice=tool_choice):
                yield delta
        finally:
            self._busy[key] -= 1
            if not self._busy[key] and key in self._retired:
                self._retired.pop(key).close()

    async def warm_up(self, system_prompt: str, tools: list[dict[str, Any]] | None = None) -> None:
        self._warmed_tools, self._warmed = tools, True
        await self._engine.warm_up(system_prompt, tools)

    async def settled(self) -> None:
        """Wait until a pending reload or re-warm has finished (tests, benchmarks)."""
        while self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)

    def close(self) -> None:
        self._unsubscribe()
        if self._task is not None:
            self._task.cancel()
        for engine in [self._engine, *self._retired.values()]:
            _close(engine)
        self._retired.clear()

    # --- live changes -------------------------------------------------------------------------------

    def _on_config(self, event: Event) -> None:
        assert isinstance(event, ConfigChanged)
        if event.section != "llm":
            return
        try:
            updated = build_section(LlmSettings, "llm", event.values, base=self.settings)
        except ConfigError as err:  # LiveSettings validated it already; never break the publisher
            log.warning("llm settings change ignored", extra={"error": str(err)})
            return
        self.settings = updated
        if RELOAD_KEYS & set(event.values) or self._reloading:  # a pending reload restarts with every change
            self._start(self._reload(updated, event.session_id), reload=True)
            return
        configure = getattr(self._engine, "configure", None)
        if configure is not None:
            configure(updated)
        if "system_prompt" in event.values and self._warmed:
            self._start(self._rewarm(updated.system_prompt))

    @property
    def _reloading(self) -> bool:
        return self._task is not None and not self._task.done() and self._task.get_name() == "llm-reload"

    def _start(self, work: Any, reload: bool = False) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # a newer change wins; the engine it was building is dropped
        self._task = asyncio.get_running_loop().create_task(work, name="llm-reload" if reload else "llm-rewarm")

    async def _reload(self, settings: LlmSettings, session_id: str) -> None:
        log.info("LLM settings changed; loading the engine", extra={"model": settings.model, "backend": settings.backend})
        engine: LlmEngine | None = None
        try:
            engine = await asyncio.to_thread(self._factory, settings, self._models_root)
            if self._warmed:
                await engine.warm_up(settings.system_prompt, self._warmed_tools)
        except asyncio.CancelledError:
            if engine is not None:
                _close(engine)
            raise
        except Exception as err:
            log.error("LLM change failed; the previous engine keeps answering", extra={"error": str(err)})
            self._bus.publish(ErrorEvent(session_id=session_id, message=f"the LLM change failed: {err}"))
            if engine is not None:
                _close(engine)
            return
        old, self._engine = self._engine, engine
        if self._busy.get(id(old), 0):
            self._retired[id(old)] = old
        else:
            _close(old)
        log.info("LLM engine ready", extra={"engine": engine.name})

    async def _rewarm(self, system_prompt: str) -> None:
        try:
            await self._engine.warm_up(system_prompt, self._warmed_tools)
        except Exception as err:  # only costs the next turn some time
            log.warning("warming the new system prompt failed", extra={"error": str(err)})


def _close(engine: Any) -> None:
    close = getattr(engine, "close", None)
    if close is not None:
        close()
