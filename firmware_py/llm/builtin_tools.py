"""The assistant's own tools: time and date, timers, volume and mute.

Each result carries a `summary` sentence: small models answer far better when they can repeat a ready-made
sentence than when they must phrase raw fields themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from .timers import Timer, TimerService, spoken_duration


class DeviceControl(Protocol):
    """The speaker controls the volume tools act on (volume is 0 to 1)."""

    def get_volume(self) -> float: ...
    def set_volume(self, value: float) -> None: ...
    def set_muted(self, muted: bool) -> None: ...


Handler = Callable[[dict[str, Any], str], dict[str, Any]]
"""(validated arguments, session id) -> result value; raises ValueError for a request it cannot do."""


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]

    def schema(self) -> dict[str, Any]:
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


NO_ARGS: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

BUILTIN_TOOLS = (
    Tool("get_time", "Get the current local time and date.", NO_ARGS),
    Tool("set_timer", "Start a countdown timer. Give minutes or seconds, and a label if the user names one.", {
        "type": "object",
        "properties": {
            "minutes": {"type": "number", "minimum": 0, "maximum": 1440},
            "seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
            "label": {"type": "string", "maxLength": 40},
        },
        "additionalProperties": False,
    }),
    Tool("list_timers", "List the running timers and the time left on each.", NO_ARGS),
    Tool("cancel_timer", "Cancel a running timer by its label (no label: the only running timer).", {
        "type": "object",
        "properties": {"label": {"type": "string", "maxLength": 40}},
        "additionalProperties": False,
    }),
    Tool("set_volume", "Set the speaker volume in percent, from 0 to 100.", {
        "type": "object",
        "properties": {"percent": {"type": "integer", "minimum": 0, "maximum": 100}},
        "required": ["percent"],
        "additionalProperties": False,
    }),
    Tool("set_mute", "Mute or unmute the speaker.", {
        "type": "object",
        "properties": {"muted": {"type": "boolean"}},
        "required": ["muted"],
        "additionalProperties": False,
    }),
)


class BuiltinHandlers:
    """Runs the built-in tools against the timer service, the device and the clock."""

    def __init__(self, timers: TimerService, device: DeviceControl,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()) -> None:
        self.timers = timers
        self._device = device
        self._now = now
        self.handlers: dict[str, Handler] = {
            "get_time": self.get_time, "set_timer": self.set_timer, "list_timers": self.list_timers,
            "cancel_timer": self.cancel_timer, "set_volume": self.set_volume, "set_mute": self.set_mute,
        }

    def get_time(self, _args: dict[str, Any], _session: str) -> dict[str, Any]:
        now = self._now()
        clock = now.strftime("%I:%M %p").lstrip("0")
        date = f"{now.strftime('%A')} {now.day} {now.strftime('%B %Y')}"
        return {"time": clock, "date": date, "iso": now.isoformat(timespec="seconds"),
                "summary": f"It is {clock} on {date}."}

    def set_timer(self, args: dict[str, Any], session_id: str) -> dict[str, Any]:
        seconds = float(args.get("minutes", 0)) * 60 + float(args.get("seconds", 0))
        if seconds <= 0:
            raise ValueError("say how long the timer should run, in minutes or seconds")
        timer = self.timers.start(seconds, str(args.get("label", "")), session_id)
        subject = f"The {timer.label} timer" if timer.label else "A timer"
        return {"timer_id": timer.timer_id, "seconds": round(seconds), "label": timer.label,
                "summary": f"{subject} is set for {spoken_duration(seconds)}."}

    def list_timers(self, _args: dict[str, Any], _session: str) -> dict[str, Any]:
        timers = self.timers.list()
        listed = [{"timer_id": t.timer_id, "label": t.label, "remaining_seconds": round(t.remaining())} for t in timers]
        if not timers:
            summary = "No timers are running."
        else:
            summary = " ".join(f"{_timer_name(t)} has {spoken_duration(t.remaining())} left." for t in timers)
        return {"timers": listed, "summary": summary}

    def cancel_timer(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        label = str(args.get("label", ""))
        matches = self.timers.find(label=label)
        if not matches:
            raise ValueError(f"no timer called {label!r} is running" if label else "no timer is running")
        if len(matches) > 1:
            names = ", ".join(_timer_name(t) for t in matches)
            raise ValueError(f"several timers are running ({names}); say which one to cancel")
        timer = self.timers.cancel(matches[0].timer_id)
        assert timer is not None
        return {"timer_id": timer.timer_id, "label": timer.label, "summary": f"{_timer_name(timer)} is cancelled."}

    def set_volume(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        percent = int(args["percent"])
        self._device.set_volume(percent / 100)
        return {"volume": percent, "summary": f"The volume is {percent} percent."}

    def set_mute(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        muted = bool(args["muted"])
        self._device.set_muted(muted)
        return {"muted": muted, "summary": "The speaker is muted." if muted else "The speaker is on."}


def _timer_name(timer: Timer) -> str:
    return f"The {timer.label} timer" if timer.label else f"The {spoken_duration(timer.seconds, adjective=True)} timer"
