"""What every LLM engine offers the conversation: streamed text deltas and a final batch of tool calls."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Protocol

if TYPE_CHECKING:
    from ..config import LlmSettings

ToolChoice = str | dict[str, Any]
"""OpenAI semantics: "auto", "none", "required", or {"type": "function", "function": {"name": ...}}."""


class LlmError(RuntimeError):
    """The model could not answer (missing model, server unreachable, stream broken); the message says why."""


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any] = field(hash=False)
    raw_arguments: str = ""
    """The arguments exactly as the model wrote them (kept for the context and for error messages)."""

    @classmethod
    def parse(cls, call_id: str, name: str, raw_arguments: str) -> "ToolCall":
        """A call from the model's argument text; unparsable text keeps `raw_arguments` and empty arguments,
        which the tool registry reports back to the model as an error."""
        try:
            parsed = json.loads(raw_arguments) if raw_arguments.strip() else {}
        except json.JSONDecodeError:
            parsed = None
        arguments = parsed if isinstance(parsed, dict) else {}
        return cls(id=call_id, name=name, arguments=arguments, raw_arguments=raw_arguments)

    def arguments_json(self) -> str:
        return self.raw_arguments if self.raw_arguments.strip() else json.dumps(self.arguments)


@dataclass(frozen=True)
class LlmDelta:
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()


class LlmEngine(Protocol):
    """What the conversation calls. Engines may also offer `configure(settings)` (new sampling settings,
    used from the next answer: llm/live.py calls it on a live change) and `close()`."""

    name: str
    """Engine and model, for metrics (e.g. "llama.cpp:SmolLM2-135M-Instruct.Q4_1")."""

    def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None,
               cancel: asyncio.Event, tool_choice: ToolChoice = "auto") -> AsyncIterator[LlmDelta]:
        """Text deltas as they are generated; tool calls arrive as one final delta with `tool_calls`.

        Stops within one token once `cancel` is set; raises LlmError with a clear message on failure.
        """
        ...

    async def warm_up(self, system_prompt: str, tools: list[dict[str, Any]] | None = None) -> None:
        """Prime the model (KV cache) with the system prompt and the tool list."""
        ...


def merge_tool_call_delta(calls: dict[int, dict[str, str]], part: dict[str, Any]) -> None:
    """Accumulate one streamed OpenAI tool-call fragment (id and name once, arguments in pieces)."""
    entry = calls.setdefault(int(part.get("index", len(calls))), {"id": "", "name": "", "arguments": ""})
    function = part.get("function") or {}
    entry["id"] = part.get("id") or entry["id"]
    entry["name"] = function.get("name") or entry["name"]
    entry["arguments"] += function.get("arguments") or ""


def finish_tool_calls(calls: dict[int, dict[str, str]]) -> tuple[ToolCall, ...]:
    return tuple(ToolCall.parse(c["id"] or f"call_{i}", c["name"], c["arguments"])
                 for i, c in sorted(calls.items()) if c["name"])


def create_llm(settings: "LlmSettings", models_root: Path) -> LlmEngine:
    """The engine `settings.backend` names: "local" (llama-cpp-python) or "remote" (OpenAI-compatible)."""
    if settings.backend == "remote":
        from .remote import RemoteLlm

        return RemoteLlm(settings)
    from .local import LocalLlm

    return LocalLlm.from_settings(settings, models_root)
