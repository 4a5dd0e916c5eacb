"""One conversation's LLM context: the system prompt and the past turns, trimmed to a token budget.

Messages use the OpenAI chat format (tool calls on assistant messages, results as "tool" messages).
Trimming drops the oldest whole turns (a turn starts at a user message, so a tool call always leaves
together with its result) and, once over budget, trims well below it: the kept history then stays the same
for several turns, so a local model can reuse its cached prefix instead of re-reading the whole history.

A conversation left idle longer than its `idle_secs` starts afresh at its next message, as Home Assistant's
conversations do after five minutes: a kiosk's next visitor, or the same household an hour later, is not
answered in the light of what was said before (a small model reads old answers as a pattern to follow).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable

from .base import ToolCall

log = logging.getLogger(__name__)

TRIM_TO = 0.75
"""When over budget, drop turns until the history uses at most this share of it."""
MESSAGE_OVERHEAD = 4
"""Tokens a chat template adds around each message (role markers, newlines)."""


def estimate_tokens(text: str) -> int:
    """Rough count for English with BPE vocabularies, used when no tokenizer is given."""
    return len(text) // 4 + 1


class Context:
    def __init__(self, system_prompt: str, history_tokens: int,
                 count_tokens: Callable[[str], int] | None = None, idle_secs: Callable[[], float] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`idle_secs`: read at each use (a live setting); 0 or None keeps the history however long it rests."""
        self.system_prompt = system_prompt
        self.history_tokens = history_tokens
        self._count = count_tokens or estimate_tokens
        self._idle_secs = idle_secs
        self._clock = clock
        self._history: list[dict[str, Any]] = []
        self._sizes: list[int] = []
        self._start = 0  # index of the first kept message; only moves forward (see module doc)
        self._used_at = clock()

    def fork(self) -> "Context":
        """A copy to answer on (a guess made at the user's pause) with the same budget and idle rule."""
        copy = Context(self.system_prompt, self.history_tokens, self._count, self._idle_secs, self._clock)
        copy.replace(self.messages())
        return copy

    # --- adding -------------------------------------------------------------------------------------

    def add(self, role: str, content: str) -> None:
        if role not in ("user", "assistant", "system"):
            raise ValueError(f"unknown message role {role!r}; use user, assistant or system")
        self._append({"role": role, "content": content})

    def add_tool_call(self, call: ToolCall) -> None:
        """Record a call; calls of one model reply share one assistant message."""
        entry = {"id": call.id, "type": "function",
                 "function": {"name": call.name, "arguments": call.arguments_json()}}
        last = self._history[-1] if len(self._history) > self._start else None
        if last is not None and last["role"] == "assistant" and last.get("tool_calls") is not None and not last.get("content"):
            last["tool_calls"].append(entry)
            self._sizes[-1] = self._size(last)
            return
        self._append({"role": "assistant", "content": None, "tool_calls": [entry]})

    def add_tool_result(self, call: ToolCall, result: Any) -> None:
        content = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)
        self._append({"role": "tool", "tool_call_id": call.id, "name": call.name, "content": content})

    # --- reading and editing ------------------------------------------------------------------------

    def messages(self) -> list[dict[str, Any]]:
        """The system prompt, then the kept history (copies: callers may not edit the context by accident)."""
        self._forget_if_idle()
        self._trim()
        system = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        return system + [_copy(m) for m in self._history[self._start:]]

    def replace(self, messages: list[dict[str, Any]]) -> None:
        """Start over from `messages`; a leading system message becomes the system prompt."""
        messages = [m for m in messages if isinstance(m, dict) and "role" in m]
        if messages and messages[0]["role"] == "system":
            self.system_prompt = str(messages[0].get("content") or "")
            messages = messages[1:]
        self._history, self._sizes, self._start = [], [], 0
        for message in messages:
            self._append(_copy(message))

    def clip_last_assistant(self, spoken_text: str) -> None:
        """After a barge-in keep only what was spoken of the last answer (drop it if nothing was)."""
        for index in range(len(self._history) - 1, self._start - 1, -1):
            message = self._history[index]
            if message["role"] == "user":
                return
            if message["role"] == "assistant" and isinstance(message.get("content"), str):
                if spoken_text.strip():
                    message["content"] = spoken_text.strip()
                    self._sizes[index] = self._size(message)
                elif message.get("tool_calls"):
                    message["content"] = None
                else:
                    del self._history[index]
                    del self._sizes[index]
                return

    def drop_last_turn(self, user_text: str) -> bool:
        """Take back the last turn when it asked `user_text` (its answer, clipped or not, goes with it), so
        a request cut in two at a pause is asked once, whole. False when a tool ran in that turn: what it did
        stands, and so does the turn."""
        for index in range(len(self._history) - 1, self._start - 1, -1):
            if self._history[index]["role"] != "user":
                continue
            if self._history[index].get("content") != user_text:
                return True   # that turn never reached the history
            if any(m["role"] == "tool" for m in self._history[index:]):
                return False
            del self._history[index:], self._sizes[index:]
            return True
        return True

    def start_over(self) -> None:
        """Keep only the turn in progress (its user message, with the passage given for it, and what
        followed): the history before it is set aside."""
        kept = self._turn_in_progress()
        if kept > self._start and self._history[kept - 1]["role"] == "system":
            kept -= 1
        del self._history[:kept], self._sizes[:kept]
        self._start = 0

    def earlier_answers(self) -> list[str]:
        """What the assistant said in the kept turns before the one in progress."""
        return [str(m["content"]) for m in self._history[self._start:self._turn_in_progress()]
                if m["role"] == "assistant" and m.get("content")]

    def turn_used_tools(self) -> bool:
        """A tool ran (or was called) in the turn in progress."""
        return any(m["role"] == "tool" or m.get("tool_calls") for m in self._history[self._turn_in_progress():])

    def last_user_text(self) -> str:
        for message in reversed(self._history):
            if message["role"] == "user":
                return str(message.get("content") or "")
        return ""

    def __len__(self) -> int:
        return len(self._history) - self._start

    # --- internals ----------------------------------------------------------------------------------

    def _append(self, message: dict[str, Any]) -> None:
        self._forget_if_idle()
        self._history.append(message)
        self._sizes.append(self._size(message))
        self._used_at = self._clock()

    def _forget_if_idle(self) -> None:
        idle = self._idle_secs() if self._idle_secs is not None else 0.0
        rested = self._clock() - self._used_at
        if idle > 0 and rested > idle and len(self):
            log.info("conversation history forgotten after rest", extra={"rested_secs": round(rested), "messages": len(self)})
            self._history, self._sizes, self._start = [], [], 0

    def _size(self, message: dict[str, Any]) -> int:
        text = str(message.get("content") or "")
        for call in message.get("tool_calls") or []:
            text += call["function"]["name"] + call["function"]["arguments"]
        return self._count(text) + MESSAGE_OVERHEAD if text else MESSAGE_OVERHEAD

    def _trim(self) -> None:
        if sum(self._sizes[self._start:]) <= self.history_tokens:
            return
        target = self.history_tokens * TRIM_TO
        starts = self._turn_starts()
        for start in starts[1:]:  # never drop the newest turn: it holds the question being answered
            self._start = start
            if sum(self._sizes[start:]) <= target:
                break

    def _turn_in_progress(self) -> int:
        """Where the newest kept turn begins (its user message; the history's end when nothing is kept)."""
        return self._turn_starts()[-1]

    def _turn_starts(self) -> list[int]:
        """Indices where kept turns begin: the first kept message and every later user message."""
        first = self._start
        return [first] + [i for i in range(first + 1, len(self._history)) if self._history[i]["role"] == "user"]


def _copy(message: dict[str, Any]) -> dict[str, Any]:
    copied = dict(message)
    if "tool_calls" in copied and copied["tool_calls"] is not None:
        copied["tool_calls"] = [dict(c, function=dict(c["function"])) for c in copied["tool_calls"]]
    return copied
