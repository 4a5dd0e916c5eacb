"""`client-message` hooks: the app registry, the request they receive, and client tool declarations.

A client sends `client-message {t, d}`; the hook registered for `t` returns the `d` of the
`server-response` (plain value or awaitable). Built-in names are answered by the server itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from ..session import VoiceSession
from .protocol.messages import MessageError

BUILTIN_NAMES = frozenset({"ping", "status", "get-context", "set-client-tools", "mute", "push-to-talk", "interrupt"})
TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CLIENT_TOOLS = 32


@dataclass(frozen=True, slots=True)
class ClientRequest:
    t: str
    d: Any
    session: VoiceSession | None
    """The conversation this connection drives or follows (None before client-ready)."""
    session_id: str | None
    connection_id: str


ClientHook = Callable[[ClientRequest], Any | Awaitable[Any]]


class ClientMessageRegistry:
    def __init__(self) -> None:
        self._hooks: dict[str, ClientHook] = {}

    def register(self, t: str, hook: ClientHook) -> None:
        """Answer `client-message` of type `t` with `hook(request)`; built-in names cannot be taken."""
        if t in BUILTIN_NAMES:
            raise ValueError(f"client-message {t!r} is built in")
        self._hooks[t] = hook

    def unregister(self, t: str) -> None:
        self._hooks.pop(t, None)

    def get(self, t: str) -> ClientHook | None:
        return self._hooks.get(t)

    def names(self) -> list[str]:
        return sorted(BUILTIN_NAMES | set(self._hooks))


def _one_tool(index: int, raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict) and raw.get("type") == "function" and isinstance(raw.get("function"), dict):
        raw = raw["function"]  # the OpenAI tool shape
    if not isinstance(raw, dict):
        raise MessageError(f"set-client-tools: tools[{index}] must be an object")
    name, description = raw.get("name"), raw.get("description", "")
    parameters = raw.get("parameters", {"type": "object", "properties": {}})
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise MessageError(f"set-client-tools: tools[{index}].name must be 1-64 letters, digits, _ or -")
    if not isinstance(description, str):
        raise MessageError(f"set-client-tools: tools[{index}].description must be text")
    if not isinstance(parameters, dict) or parameters.get("type") != "object":
        raise MessageError(f"set-client-tools: tools[{index}].parameters must be a JSON schema of type object")
    return {"name": name, "description": description, "parameters": parameters}


def check_client_tools(d: Any) -> list[dict[str, Any]]:
    """`{tools: [...]}` as [{name, description, parameters}] (OpenAI `{type: function, function}` accepted)."""
    tools = d.get("tools") if isinstance(d, dict) else None
    if not isinstance(tools, list) or len(tools) > MAX_CLIENT_TOOLS:
        raise MessageError(f"set-client-tools: d.tools must be a list of at most {MAX_CLIENT_TOOLS} functions")
    checked = [_one_tool(index, tool) for index, tool in enumerate(tools)]
    names = [tool["name"] for tool in checked]
    if len(set(names)) != len(names):
        raise MessageError("set-client-tools: tool names must be unique")
    return checked
