"""The on-device LLM: a GGUF model through llama-cpp-python, streamed from a worker thread.

One Llama object serves every session, one generation at a time (a single-thread executor is the lock).
The KV cache is kept between answers: llama-cpp-python reuses the longest common prefix of the previous
prompt, so the system prompt, tool list and examples (warmed at start-up) and the session's earlier turns
are not evaluated again; `stats` reports how many prompt tokens were cached on the last answer. The warmed
prefix is also kept on disk (prompt_cache.py), so a restart loads it instead of evaluating it again.
Sampling settings are read at every answer, so a live change applies to the next one (`configure`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator

from ..models import ModelError, resolve_models
from .base import LlmDelta, LlmError, ToolChoice, finish_tool_calls, merge_tool_call_delta
from .chat_functions import FunctionCallingChat, Sampling, TurnStats
from .prompt_cache import PromptCache
from .threads import stream_from_thread

if TYPE_CHECKING:
    from llama_cpp import Llama

    from ..config import LlmSettings

log = logging.getLogger(__name__)

DEFAULT_MODEL = "llm/SmolLM2-135M-Instruct.Q4_1.gguf"
FUNCTION_CALLING = "chatml-function-calling"
BATCH_TOKENS = 128
"""Prompt tokens evaluated per step. llama.cpp's compute buffer grows with it and is touched the first time a
long prompt (a trimmed history) is evaluated: 128 instead of llama-cpp-python's 512 holds ~12 MB less, at
the same speed on one thread (docs/benchmarks.md, Memory)."""


def model_path(settings: "LlmSettings", models_root: Path) -> Path:
    """settings.model if set (absolute, or relative to the models directory), else the manifest's model."""
    if settings.model:
        path = Path(settings.model).expanduser()
        path = path if path.is_absolute() else models_root / path
        if not path.is_file():
            raise LlmError(f"llm.model = {settings.model!r}: no GGUF file at {path}")
        return path
    try:
        return resolve_models(models_root, ["llm"])[DEFAULT_MODEL]
    except ModelError as err:
        raise LlmError(str(err)) from None


def kv_cache_options(precision: str) -> dict[str, Any]:
    """llama.cpp's options for the KV cache's precision. A quantized V cache needs flash attention."""
    if precision == "f16":
        return {}
    import llama_cpp

    kind = {"q8_0": llama_cpp.GGML_TYPE_Q8_0}[precision]
    return {"type_k": kind, "type_v": kind, "flash_attn": True}


def load_llama(path: Path, settings: "LlmSettings") -> "Llama":
    from llama_cpp import Llama

    chat_format = settings.chat_format or None
    if chat_format == FUNCTION_CALLING:
        chat_format = None  # handled by chat_functions.py; llama-cpp-python's handler is not used
    try:
        return Llama(model_path=str(path), n_ctx=settings.n_ctx, n_threads=settings.threads,
                     n_threads_batch=settings.threads, n_batch=BATCH_TOKENS, n_ubatch=BATCH_TOKENS,
                     seed=settings.seed if settings.seed >= 0 else 0xFFFFFFFF, chat_format=chat_format, verbose=False,
                     **kv_cache_options(settings.kv_cache))
    except (ValueError, RuntimeError, OSError) as err:
        raise LlmError(f"cannot load the GGUF model {path}: {err}") from None


class LocalLlm:
    def __init__(self, llama: "Llama", settings: "LlmSettings", name: str, cache: PromptCache | None = None) -> None:
        self.name = name
        self.llama = llama
        self.use_function_format = (settings.chat_format or "") == FUNCTION_CALLING
        self.n_ctx = settings.n_ctx
        self.settings = settings
        self._chat = FunctionCallingChat(llama, _sampling(settings))
        self._chat.prompt_cache = cache
        self._chat.warm_up_threads = max(settings.threads, os.cpu_count() or 1)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")

    @classmethod
    def from_settings(cls, settings: "LlmSettings", models_root: Path, cache: bool = True) -> "LocalLlm":
        """The engine for `settings`; `cache`: keep the warmed prompt prefix on disk (prompt_cache.py)."""
        path = model_path(settings, models_root)
        log.info("loading LLM", extra={"model": str(path), "threads": settings.threads, "n_ctx": settings.n_ctx})
        prompt_cache = PromptCache(path, settings.n_ctx, settings.chat_format, kv_cache=settings.kv_cache) if cache else None
        return cls(load_llama(path, settings), settings, f"llama.cpp:{path.stem}", prompt_cache)

    def configure(self, settings: "LlmSettings") -> None:
        """New sampling settings (temperature, max_tokens, seed), used from the next answer on."""
        self.settings = settings

    @property
    def stats(self) -> TurnStats:
        """Figures of the last answer (format chatml-function-calling)."""
        return self._chat.stats

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode(), add_bos=False, special=False))

    async def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                     cancel: asyncio.Event, tool_choice: ToolChoice = "auto") -> AsyncIterator[LlmDelta]:
        answer = self._chat.answer if self.use_function_format else self._answer_with_handler
        sampling = _sampling(self.settings)  # read now: a change made while this waits applies to the next

        def work(emit: Any, should_stop: Any) -> None:
            self._chat.sampling = sampling
            try:
                answer(messages, tools, tool_choice, emit, should_stop)
            finally:
                # an answer leaves ~0.6 MB that only a full collection frees (llama-cpp-python's reference
                # cycles); left to the collector's own pace that came ~40 answers apart, ~25 MB later. The daemon
                # freezes its start-up objects, so this costs well under a millisecond.
                gc.collect()

        try:
            async for delta in stream_from_thread(self._executor, work, cancel):
                yield delta
        except LlmError:
            raise
        except Exception as err:
            log.warning("local LLM failed", extra={"error": repr(err), "model": self.name})
            raise LlmError(f"the local model ({self.name}) failed: {err}") from err

    async def warm_up(self, system_prompt: str, tools: list[dict[str, Any]] | None = None) -> None:
        if self.use_function_format:
            work = partial(self._chat.warm_up, system_prompt, tools)
        else:  # the GGUF's own template renders the prompt: let it, so that the cached prefix matches
            work = partial(self.llama.create_chat_completion, [{"role": "system", "content": system_prompt}],
                           tools=tools or None, max_tokens=1)
        started = time.monotonic()
        try:
            how = await asyncio.get_running_loop().run_in_executor(self._executor, work)
        except Exception as err:
            raise LlmError(f"warming up {self.name} failed: {err}") from err
        log.info("LLM prompt warm", extra={"prefix": how if isinstance(how, str) else "evaluated",
                                           "secs": round(time.monotonic() - started, 2)})

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- other chat formats: llama-cpp-python's own handler ----------------------------------------

    def _answer_with_handler(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
                             tool_choice: ToolChoice, emit: Any, should_stop: Any) -> None:
        sampling = self._chat.sampling
        chunks = self.llama.create_chat_completion(
            messages=messages, tools=tools or None, tool_choice=tool_choice if tools else None, stream=True,
            temperature=sampling.temperature, max_tokens=sampling.max_tokens, seed=sampling.seed)
        calls: dict[int, dict[str, str]] = {}
        for chunk in chunks:  # type: ignore[union-attr]
            if should_stop():
                break
            delta = chunk["choices"][0].get("delta", {})
            if delta.get("content"):
                emit(LlmDelta(text=delta["content"]))
            for part in delta.get("tool_calls") or []:
                merge_tool_call_delta(calls, part)
        if calls and not should_stop():
            emit(LlmDelta(tool_calls=finish_tool_calls(calls)))


def _sampling(settings: "LlmSettings") -> Sampling:
    return Sampling.of(settings.temperature, settings.max_tokens, settings.seed)
