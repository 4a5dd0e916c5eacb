"""The actions an answer's calls ran, read from the session's function-call events.

Whoever answered (an intent, or the LLM through a tool call), the calls it ran are published the same way; what
they acted on is read from there: the devices ("Turn it off." after a light turned on) and the one timer ("Cancel
it." after a timer set), which the next words may point at.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from ..events import Event, EventBus, FunctionCallInProgress, FunctionCallStopped
from ..respond.base import ActionCall


class CallsSeen:
    """While open, the calls that ended without an error, with their results, in the order they ended."""

    def __init__(self, bus: EventBus, session_id: str) -> None:
        self.done: list[tuple[ActionCall, dict[str, Any]]] = []
        self._running: dict[str, ActionCall] = {}
        self._unsubscribe = bus.subscribe(self._seen, FunctionCallInProgress, FunctionCallStopped,
                                          session_id=session_id)

    def __enter__(self) -> CallsSeen:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._unsubscribe()

    @property
    def device_calls(self) -> tuple[ActionCall, ...]:
        """The calls that acted on a device."""
        return tuple(call for call, _ in self.done if "device" in call.arguments)

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(str(call.arguments["device"]) for call in self.device_calls))

    @property
    def timer_ids(self) -> tuple[str, ...]:
        """The timers the calls acted on (set, paused, lengthened ...), each once."""
        ids = [str(result["timer_id"]) for _, result in self.done if "timer_id" in result]
        ids += [str(one) for _, result in self.done for one in result.get("timer_ids", ())]
        return tuple(dict.fromkeys(ids))

    def _seen(self, event: Event) -> None:
        if isinstance(event, FunctionCallInProgress):
            self._running[event.tool_call_id] = ActionCall(event.function_name, dict(event.arguments))
            return
        assert isinstance(event, FunctionCallStopped)
        call = self._running.pop(event.tool_call_id, None)
        failed = event.cancelled or not isinstance(event.result, dict) or bool(event.result.get("error"))
        if call is not None and not failed:
            self.done.append((call, event.result))
