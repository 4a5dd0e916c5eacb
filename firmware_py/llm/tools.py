"""The tool registry: what the model may call, argument validation, running calls, and their bus events.

Three kinds of tools share one namespace: built-in ones (time, timers, volume), tools declared in the
config ([[tools]]: the call is published for the MQTT bridge) and tools an RTVI client declares (the call
is sent to the client, whose answer `resolve_client` delivers). A call never raises: an unknown tool, bad
arguments or a failure become an error result the model can read. No tool ever runs a shell command.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from dataclasses import dataclass
from typing import Any, Iterable

from ..events import EventBus, FunctionCallInProgress, FunctionCallStarted, FunctionCallStopped, ToolMessage
from .base import ToolCall
from .builtin_tools import BUILTIN_TOOLS, INTENT_ONLY_TOOLS, BuiltinHandlers, DeviceControl, Handler, Tool
from .schema import validate
from .timers import TimerService

log = logging.getLogger(__name__)

CLIENT_TIMEOUT_SECS = 10.0


@dataclass
class ToolResult:
    ok: bool
    value: Any
    """The result the model reads; for errors {"error": "..."}."""


def error_result(message: str) -> ToolResult:
    return ToolResult(ok=False, value={"error": message})


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def normalize_tool(spec: dict[str, Any]) -> Tool | None:
    """A Tool from an OpenAI tool ({"type": "function", "function": {...}}) or a bare {name, description,
    parameters}; None when it has no usable name."""
    body = spec.get("function", spec) if isinstance(spec, dict) else {}
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name:
        return None
    params = body.get("parameters") or {"type": "object", "properties": {}}
    return Tool(name=name, description=str(body.get("description", "")), parameters=params)


class ToolRegistry:
    def __init__(self, bus: EventBus, device: DeviceControl, configured: list[dict[str, Any]],
                 client_timeout: float = CLIENT_TIMEOUT_SECS) -> None:
        self._bus = bus
        self.timers = TimerService(bus)
        self._builtins = BuiltinHandlers(self.timers, device)
        self._handlers: dict[str, Handler] = dict(self._builtins.handlers)
        self._unoffered: set[str] = set()
        self._client_timeout = client_timeout
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._tools: dict[str, Tool] = {tool.name: tool for tool in (*BUILTIN_TOOLS, *INTENT_ONLY_TOOLS)}
        self._unoffered.update(tool.name for tool in INTENT_ONLY_TOOLS)
        self._topics: dict[str, str] = {}
        for spec in configured:
            tool = normalize_tool(spec)
            if tool is None or tool.name in self._tools:
                log.warning("configured tool ignored (no name, or it clashes with a built-in)",
                            extra={"tool": spec.get("name")})
                continue
            self._tools[tool.name] = tool
            self._topics[tool.name] = str(spec.get("topic", tool.name))

    def register(self, tool: Tool, handler: Handler, offered: bool = True) -> None:
        """An action that runs on the device (home devices, conversation commands); with `offered` False the
        intents may run it but the LLM is never offered it."""
        self._tools[tool.name] = tool
        self._handlers[tool.name] = handler
        if not offered:
            self._unoffered.add(tool.name)

    def withhold_from_llm(self, names: Iterable[str]) -> None:
        """Actions the intents run but the LLM is not offered."""
        self._unoffered.update(names)

    def schemas(self, client_tools: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """The OpenAI "tools" list: built-in, configured, then the client's own (unless a name clashes)."""
        return [tool.schema() for tool in self._all_tools(client_tools).values() if tool.name not in self._unoffered]

    async def call(self, session_id: str, call: ToolCall,
                   client_tools: list[dict[str, Any]] | None = None) -> ToolResult:
        self._bus.publish(FunctionCallStarted(session_id=session_id, function_name=call.name, tool_call_id=call.id))
        try:
            result = await self._run(session_id, call, client_tools)
        except asyncio.CancelledError:
            self._stopped(session_id, call, None, cancelled=True)
            raise
        self._stopped(session_id, call, result.value)
        level = logging.INFO if result.ok else logging.WARNING
        log.log(level, "tool call finished", extra={"tool": call.name, "ok": result.ok, "session_id": session_id})
        return result

    def resolve_client(self, tool_call_id: str, result: Any) -> bool:
        """Deliver a client-side call's result; False when no call with that id is waiting."""
        future = self._pending.get(tool_call_id)
        if future is None or future.done():
            return False
        future.set_result(result)
        return True

    def close(self) -> None:
        self.timers.close()
        for future in self._pending.values():
            future.cancel()

    # --- internals ----------------------------------------------------------------------------------

    def _all_tools(self, client_tools: list[dict[str, Any]] | None) -> dict[str, Tool]:
        tools = dict(self._tools)
        for tool in self._client_tools(client_tools).values():
            if tool.name in tools:
                log.warning("client tool ignored: the name is taken", extra={"tool": tool.name})
                continue
            tools[tool.name] = tool
        return tools

    @staticmethod
    def _client_tools(client_tools: list[dict[str, Any]] | None) -> dict[str, Tool]:
        tools = (normalize_tool(spec) for spec in client_tools or [])
        return {tool.name: tool for tool in tools if tool is not None}

    async def _run(self, session_id: str, call: ToolCall, client_tools: list[dict[str, Any]] | None) -> ToolResult:
        tool = self._all_tools(client_tools).get(call.name)
        if tool is None:
            known = ", ".join(self._all_tools(client_tools))
            return error_result(f"there is no tool called {call.name!r}; available: {known}")
        problems = self._argument_problems(call, tool)
        if problems:
            return error_result("; ".join(problems))
        on_client = call.name not in self._tools
        self._bus.publish(FunctionCallInProgress(session_id=session_id, function_name=call.name,
                                                 tool_call_id=call.id, arguments=call.arguments,
                                                 run_on_client=on_client))
        if on_client:
            return await self._run_on_client(call)
        if call.name in self._topics:
            self._bus.publish(ToolMessage(session_id=session_id, topic=self._topics[call.name], body=call.arguments))
            return ToolResult(ok=True, value={"sent": True, "summary": "Done."})
        try:
            value = self._handlers[call.name](call.arguments, session_id)
            if inspect.isawaitable(value):  # device and session commands may be asynchronous
                value = await value
            return ToolResult(ok=True, value=value)
        except ValueError as err:
            return error_result(str(err))

    @staticmethod
    def _argument_problems(call: ToolCall, tool: Tool) -> list[str]:
        if call.raw_arguments.strip() and not isinstance(_json_or_none(call.raw_arguments), dict):
            return [f"the arguments are not a JSON object: {call.raw_arguments[:200]!r}"]
        return validate(call.arguments, tool.parameters)

    async def _run_on_client(self, call: ToolCall) -> ToolResult:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[call.id] = future
        try:
            value = await asyncio.wait_for(future, self._client_timeout)
        except asyncio.TimeoutError:
            return error_result(f"the app did not answer the {call.name} call within {self._client_timeout:g} s")
        finally:
            self._pending.pop(call.id, None)
        return ToolResult(ok=True, value=value)

    def _stopped(self, session_id: str, call: ToolCall, value: Any, cancelled: bool = False) -> None:
        self._bus.publish(FunctionCallStopped(session_id=session_id, function_name=call.name, tool_call_id=call.id,
                                              result=value, cancelled=cancelled))
