"""The device actions an LLM answer's tool calls ran, read from the session's function-call events.

A command the intents left to the LLM ("Could you make it a bit cosier in the kitchen?") may end in a tool call
that turns a light on. The next words may point at that device ("Turn it off."), as they may after a command
the intents ran: the conversation remembers the devices either way.
"""

from __future__ import annotations

from types import TracebackType

from ..events import Event, EventBus, FunctionCallInProgress, FunctionCallStopped
from ..respond.base import ActionCall


class DeviceCallsSeen:
    """While open, the calls with a "device" argument that ended without an error, in the order they ended."""

    def __init__(self, bus: EventBus, session_id: str) -> None:
        self.done: list[ActionCall] = []
        self._running: dict[str, ActionCall] = {}
        self._unsubscribe = bus.subscribe(self._seen, FunctionCallInProgress, FunctionCallStopped,
                                          session_id=session_id)

    def __enter__(self) -> DeviceCallsSeen:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._unsubscribe()

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(call.arguments["device"]) for call in self.done))

    def _seen(self, event: Event) -> None:
        if isinstance(event, FunctionCallInProgress):
            if "device" in event.arguments:
                self._running[event.tool_call_id] = ActionCall(event.function_name, dict(event.arguments))
            return
        assert isinstance(event, FunctionCallStopped)
        call = self._running.pop(event.tool_call_id, None)
        failed = event.cancelled or not isinstance(event.result, dict) or bool(event.result.get("error"))
        if call is not None and not failed:
            self.done.append(call)
