"""Client-side function calls: the LLM asks the client to run a function, the client sends its result.

A 2.x server names the function in `llm-function-call-in-progress`; seed-era and 1.x servers send the
deprecated `llm-function-call`. Either one starts the handler, and never both for the same
`tool_call_id`. The result goes back as `llm-function-call-result`; a failing handler returns
`{"error": ...}`, so the LLM is never left waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from . import events as ev

log = logging.getLogger(__name__)

SEEN_CALLS = 256
"""Tool call ids remembered to run each call only once."""


@dataclass(frozen=True)
class FunctionCallParams:
    function_name: str
    tool_call_id: str
    arguments: dict[str, Any] = field(default_factory=dict)


FunctionHandler = Callable[[FunctionCallParams], Any | Awaitable[Any]]


class FunctionCallRunner:
    def __init__(self, send_result: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        self._send_result = send_result
        self._handlers: dict[str, FunctionHandler] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def register(self, name: str, handler: FunctionHandler) -> None:
        self._handlers[name] = handler

    def observe(self, event: ev.ClientEvent, legacy_server: bool) -> None:
        """Start the handler a call event asks for (in its own task: the reader must not wait)."""
        if isinstance(event, ev.FunctionCallInProgress) and event.function_name:
            call = FunctionCallParams(event.function_name, event.tool_call_id, _arguments(event.arguments))
        elif isinstance(event, ev.FunctionCall) and legacy_server:
            call = FunctionCallParams(event.function_name, event.tool_call_id, _arguments(event.args))
        else:
            return
        handler = self._handlers.get(call.function_name)
        if handler is None or not call.tool_call_id or call.tool_call_id in self._seen:
            return
        self._seen[call.tool_call_id] = None
        while len(self._seen) > SEEN_CALLS:
            self._seen.popitem(last=False)
        task = asyncio.create_task(self._run(handler, call), name=f"function-{call.function_name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, handler: FunctionHandler, call: FunctionCallParams) -> None:
        try:
            result = handler(call)
            if inspect.isawaitable(result):
                result = await result
        except Exception as err:
            log.warning("function handler failed", extra={"function": call.function_name, "error": repr(err)})
            result = {"error": f"{call.function_name} failed: {err}"}
        data = {"function_name": call.function_name, "tool_call_id": call.tool_call_id,
                "arguments": call.arguments, "result": result}
        try:
            await self._send_result(data)
        except ConnectionError as err:
            log.info("function result not delivered", extra={"function": call.function_name, "error": str(err)})

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _arguments(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
