"""The assistant's own actions: time and date, timers, volume and mute (intents and the LLM share them).

Each result carries a `summary` sentence: small models answer far better when they can repeat a ready-made
sentence than when they must phrase raw fields themselves.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from .timers import (ALARM_LABEL, SNOOZE_SECS, WAKE_UP, Timer, TimerService, as_mine, is_alarm, is_reminder, may_repeat,
                     spoken_duration, timer_name)
from .weekdays import DAY_NAMES, check_repeat, day_said, repeat_words, repeats_on


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

TIMER_LABEL: dict[str, Any] = {"type": "string", "maxLength": 40}
ONLY_LABEL: dict[str, Any] = {"type": "object", "properties": {"label": TIMER_LABEL}, "additionalProperties": False}
LABEL_OR_ALL: dict[str, Any] = {"type": "object", "properties": {"label": TIMER_LABEL, "all": {"type": "boolean"}},
                                "additionalProperties": False}

BUILTIN_TOOLS = (
    Tool("get_time", "Get the current local time.", NO_ARGS),
    Tool("get_date", "Get today's date and day of the week.", NO_ARGS),
    Tool("set_timer", "Start a countdown timer. Give hours, minutes and/or seconds, and a label if the user names one.", {
        "type": "object",
        "properties": {
            "hours": {"type": "number", "minimum": 0, "maximum": 24},
            "minutes": {"type": "number", "minimum": 0, "maximum": 1440},
            "seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
            "label": TIMER_LABEL,
        },
        "additionalProperties": False,
    }),
    Tool("list_timers", "List the running timers and the time left on each.", NO_ARGS),
    Tool("cancel_timer", "Cancel a running timer by its label (no label: the only running timer; all: every timer).", {
        "type": "object",
        "properties": {"label": TIMER_LABEL, "all": {"type": "boolean"}},
        "additionalProperties": False,
    }),
    Tool("pause_timer", "Pause a running timer (all: every running timer).", LABEL_OR_ALL),
    Tool("resume_timer", "Resume a paused timer (all: every paused timer).", LABEL_OR_ALL),
    Tool("add_timer_time", "Add time to a timer (negative seconds take time off).", {
        "type": "object",
        "properties": {"seconds": {"type": "integer", "minimum": -86400, "maximum": 86400}, "label": TIMER_LABEL},
        "required": ["seconds"],
        "additionalProperties": False,
    }),
    Tool("set_volume", "Set the speaker volume in percent, from 0 to 100.", {
        "type": "object",
        "properties": {"percent": {"type": "integer", "minimum": 0, "maximum": 100}},
        "required": ["percent"],
        "additionalProperties": False,
    }),
    Tool("change_volume", "Turn the speaker volume up or down by a number of percent (negative: down).", {
        "type": "object",
        "properties": {"delta": {"type": "integer", "minimum": -100, "maximum": 100}},
        "required": ["delta"],
        "additionalProperties": False,
    }),
    Tool("set_mute", "Mute or unmute the microphone (muted: the device stops listening).", {
        "type": "object",
        "properties": {"muted": {"type": "boolean"}},
        "required": ["muted"],
        "additionalProperties": False,
    }),
)
AMEND_TIMER = Tool("amend_timer", "Change the timer just set: add seconds to it (negative: take off) and/or name it.", {
    "type": "object",
    "properties": {"add_seconds": {"type": "integer", "minimum": -86400, "maximum": 86400}, "label": TIMER_LABEL},
    "additionalProperties": False,
})
"""The rest of a timer request said after it ran (respond/amend.py): the intents run it, the LLM is never
offered it (a small model would reach for it in place of set_timer)."""
RUN_LATER = Tool("run_later", "Do a spoken command after a delay: a timer that, when it ends, runs the command "
                 "as if the user had just said it.", {
    "type": "object",
    "properties": {"seconds": {"type": "integer", "minimum": 1, "maximum": 86400},
                   "command": {"type": "string", "minLength": 2, "maxLength": 120}},
    "required": ["seconds", "command"],
    "additionalProperties": False,
})
""""Turn off the lights in ten minutes" (Home Assistant's delayed commands): the intents run it, and it is never
offered to the LLM, so the command is always words the intents matched, run through the same chain later."""

SET_ALARM = Tool("set_alarm", "Ring an alarm, or do a spoken command, at a time of day.", {
    "type": "object",
    "properties": {"hour": {"type": "integer", "minimum": 0, "maximum": 23},
                   "minute": {"type": "integer", "minimum": 0, "maximum": 59},
                   "meridiem": {"type": "string", "enum": ["am", "pm"]},
                   "tomorrow": {"type": "boolean"},
                   "day": {"type": "string", "enum": list(DAY_NAMES)},
                   "command": {"type": "string", "minLength": 2, "maxLength": 120},
                   # "daily", "weekdays", "weekends" or day names ("monday,thursday"): weekdays.py checks it
                   "repeat": {"type": "string", "minLength": 5, "maxLength": 60},
                   "move": {"type": "boolean"},   # the one alarm set moved to this time ("Change my alarm to 7:30")
                   "label": {"type": "string", "minLength": 1, "maxLength": 40}},   # which one to move
    "required": ["hour", "minute"],
    "additionalProperties": False,
})
"""An alarm at a time of day ("Set an alarm for 7 am"), or a command then ("Wake me up at 6:30"): a timer that
ends at that time. Run by the intents only (respond/alarms.py), like run_later."""
SNOOZE = Tool("snooze", "Ring the alarm or timer that just rang again a few minutes later.", {
    "type": "object",
    "properties": {"seconds": {"type": "integer", "minimum": 60, "maximum": 3600}},
    "additionalProperties": False,
})
""""Snooze", "snooze for five minutes": run by the intents only; the LLM has no ringing to see."""
LIST_ALARMS = Tool("list_alarms", "List the alarms, or the reminders, that are set.", {
    "type": "object",
    "properties": {"kind": {"type": "string", "enum": ["alarm", "reminder"]}},
    "additionalProperties": False,
})
""""What alarms do I have?", "Do I have any reminders?": the alarms (or reminders) alone, not every timer. Run by
the intents only; the LLM keeps `list_timers`."""
RESTART_TIMER = Tool("restart_timer", "Start a timer over for its whole length (a paused one resumes, unless over).", {
    "type": "object", "properties": {"label": TIMER_LABEL, "over": {"type": "boolean"}},
    "additionalProperties": False})
""""Reset the timer", "Start the pasta timer over", "Restart the timer": run by the intents only."""
GET_VOLUME = Tool("get_volume", "Say the speaker volume.", {"type": "object", "properties": {}, "additionalProperties": False})
""""What's the volume?": run by the intents only (a question the LLM would answer from nothing)."""
INTENT_ONLY_TOOLS = (AMEND_TIMER, RUN_LATER, SET_ALARM, SNOOZE, LIST_ALARMS, GET_VOLUME, RESTART_TIMER)
"""Tools the intents run and the LLM is never offered."""


def next_time_of_day(now: dt.datetime, hour: int, minute: int, meridiem: str = "",
                     tomorrow: bool = False) -> dt.datetime:
    """The first moment after `now` the clock reads hour:minute. Without am or pm an hour of 1-12 is
    either ("7": 7 am or 7 pm, whichever comes first); `tomorrow`: the first on the next day."""
    hours = _hours_of(hour, meridiem)
    day = day_said(now, 1 if tomorrow else 0)
    times = []
    for wanted in hours:
        moment = dt.datetime.combine(day, dt.time(wanted, minute), tzinfo=now.tzinfo)
        times.append(moment if tomorrow or moment > now else moment + dt.timedelta(days=1))
    return min(times)


def time_on_days(now: dt.datetime, hour: int, minute: int, meridiem: str, rings_on: Callable[[dt.date], bool],
                 repeats: bool = False) -> dt.datetime:
    """The first moment after `now`, on a day `rings_on` takes, the clock reads hour:minute. Without am or pm
    (12 is noon) the earlier of the two that day, as for "tomorrow": "on Friday at 7" is 7 am, unless only
    the later is still ahead today ("on Friday at 7" said on a Friday at 8 am: 7 pm); an alarm that `repeats`
    keeps the earlier, whenever it was set ("every day at 6:30" said at 8 am is 6:30 am from tomorrow)."""
    hours = [12] if hour == 12 and not meridiem else _hours_of(hour, meridiem)
    hours = hours[:1] if repeats else hours
    date = now.date()
    while True:
        if rings_on(date):
            ahead = [moment for moment in (dt.datetime.combine(date, dt.time(h, minute), tzinfo=now.tzinfo)
                                           for h in hours) if moment > now]
            if ahead:
                return min(ahead)
        date += dt.timedelta(days=1)


def _hours_of(hour: int, meridiem: str) -> list[int]:
    """The hours of the day a spoken hour may be: "7" 7 or 19, "7 pm" 19, "19" 19."""
    if meridiem:
        return [hour % 12 + (12 if meridiem == "pm" else 0)]
    return [hour % 12, hour % 12 + 12] if 1 <= hour <= 12 else [hour]


def short_clock(moment: dt.datetime) -> str:
    """ "7 AM", "6:30 AM": as an alarm is named, and said back."""
    return moment.strftime("%I %p" if moment.minute == 0 else "%I:%M %p").lstrip("0")


def as_object(name: str) -> str:
    """ "The 7 AM alarm" as said after a verb: "the 7 AM alarm"."""
    return name[:1].lower() + name[1:]


def rings_at(timer: Timer, now: dt.datetime) -> dt.datetime:
    """When `timer` ends by the clock, to the nearest minute."""
    return (now + dt.timedelta(seconds=timer.remaining() + 30)).replace(second=0, microsecond=0)


def counted(count: int, kind: str) -> str:
    """ "The timer is", "Both timers are", "All 3 timers are"."""
    return f"The {kind} is" if count == 1 else f"Both {kind}s are" if count == 2 else f"All {count} {kind}s are"


JUST_SET_SECS = 180.0
"""An alarm set this long ago or less is the one "Change my alarm to 9:30" means among several."""


def spoken_day(moment: dt.datetime, now: dt.datetime) -> str:
    """ "today at 7:00 AM", "tomorrow at 7:00 AM", "Monday at 7:00 AM"."""
    days = (moment.date() - now.date()).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else moment.strftime("%A")
    return f"{day} at {moment.strftime('%I:%M %p').lstrip('0')}"


def spoken_clock(moment: dt.datetime, now: dt.datetime) -> str:
    """ "7:00 AM", "7:00 AM tomorrow"."""
    clock = moment.strftime("%I:%M %p").lstrip("0")
    return clock if moment.date() == now.date() else f"{clock} tomorrow"


class BuiltinHandlers:
    """Runs the built-in tools against the timer service, the device and the clock."""

    def __init__(self, timers: TimerService, device: DeviceControl,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()) -> None:
        self.timers = timers
        self._device = device
        self._now = now
        self.handlers: dict[str, Handler] = {
            "get_time": self.get_time, "get_date": self.get_date, "set_timer": self.set_timer,
            "list_timers": self.list_timers, "cancel_timer": self.cancel_timer, "pause_timer": self.pause_timer,
            "resume_timer": self.resume_timer, "add_timer_time": self.add_timer_time, "amend_timer": self.amend_timer,
            "run_later": self.run_later, "set_alarm": self.set_alarm, "snooze": self.snooze,
            "list_alarms": self.list_alarms,
            "set_volume": self.set_volume, "change_volume": self.change_volume, "set_mute": self.set_mute,
            "get_volume": self.get_volume, "restart_timer": self.restart_timer,
        }

    def get_time(self, _args: dict[str, Any], _session: str) -> dict[str, Any]:
        now = self._now()
        clock = now.strftime("%I:%M %p").lstrip("0")
        return {"time": clock, "iso": now.isoformat(timespec="seconds"), "summary": f"It is {clock}."}

    def get_date(self, _args: dict[str, Any], _session: str) -> dict[str, Any]:
        now = self._now()
        date = f"{now.strftime('%A')}, {now.strftime('%B')} {now.day}, {now.year}"
        return {"date": date, "iso": now.date().isoformat(), "summary": f"Today is {date}."}

    def set_timer(self, args: dict[str, Any], session_id: str) -> dict[str, Any]:
        seconds = (float(args.get("hours", 0)) * 3600 + float(args.get("minutes", 0)) * 60
                   + float(args.get("seconds", 0)))
        if seconds <= 0:
            raise ValueError("say how long the timer should run, in minutes or seconds")
        timer = self.timers.start(seconds, str(args.get("label", "")), session_id)
        subject = f"The {timer.label} timer" if timer.label else "A timer"
        return {"timer_id": timer.timer_id, "seconds": round(seconds), "label": timer.label,
                "summary": f"{subject} is set for {spoken_duration(seconds)}."}

    def list_timers(self, _args: dict[str, Any], _session: str) -> dict[str, Any]:
        timers = self.timers.list()
        listed = [{"timer_id": t.timer_id, "label": t.label, "remaining_seconds": round(t.remaining()),
                   "paused": t.paused} for t in timers]
        if not timers:
            summary = "No timers are running."
        else:
            summary = " ".join(self._listed(t) for t in timers)
        return {"timers": listed, "summary": summary}

    def list_alarms(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        kind = str(args.get("kind", "alarm"))
        picked = [t for t in self.timers.list()
                  if (is_alarm(t.label) if kind == "alarm" else is_reminder(t))]
        listed = [{"timer_id": t.timer_id, "label": t.label, "command": t.command, "repeat": t.repeat,
                   "remaining_seconds": round(t.remaining())} for t in picked]
        summary = " ".join(self._listed(t) for t in picked) if picked else f"No {kind}s are set."
        return {"timers": listed, "summary": summary}

    def _told_apart(self, timers: list[Timer]) -> list[str]:
        """Their names, each alarm's day said where two share a name ("The 7 AM alarm on Tuesday")."""
        names = [timer_name(t) for t in timers]
        now = self._now()

        def day_of(timer: Timer) -> str:
            return repeat_words(timer.repeat) if timer.repeat else f"on {rings_at(timer, now).strftime('%A')}"
        return [f"{name} {day_of(t)}" if names.count(name) > 1 and (t.repeat or is_alarm(t.label)) else name
                for name, t in zip(names, timers)]

    def _listed(self, timer: Timer) -> str:
        """ "The pasta timer has 4 minutes left.", "The 7 AM alarm (every Tuesday) rings Tuesday at 7:00 AM.":
        one more than a day away is told by its day, not as "100 hours"."""
        name = f"{timer_name(timer)}{f' ({repeat_words(timer.repeat)})' if timer.repeat else ''}"
        left = timer.remaining()
        if left > 24 * 3600 and not timer.paused:
            now = self._now()
            return f"{name} rings {spoken_day(rings_at(timer, now), now)}."
        if is_alarm(timer.label) or timer.command:   # a time of day: to the minute
            left = round(left / 60) * 60 if left >= 60 else left
        return f"{name} has {spoken_duration(left)} left{', paused' if timer.paused else ''}."

    def cancel_timer(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        if args.get("all"):   # every timer, or every one a label picks ("cancel all the alarms")
            picked = self.timers.find(label=str(args.get("label", "")))
            cancelled = [t for t in picked if self.timers.cancel(t.timer_id)]
            if not cancelled:
                raise ValueError("no timer is running")
            label = str(args.get("label", "")).lower()
            kind = "reminder" if label == "reminder" else ALARM_LABEL if label == ALARM_LABEL else "timer"
            return {"cancelled": len(cancelled), "summary": f"{counted(len(cancelled), kind)} cancelled."}
        rung = self.timers.just_rung(str(args.get("label", "")))
        if rung:   # "stop the timer" said to the one ringing (the words already stopped it): not another one
            self.timers.forget_rung(rung)
            return {"timer_id": rung[0].timer_id, "label": rung[0].label, "summary": f"{timer_name(rung[0])} is off."}
        timer = self.timers.cancel(self._one_timer(args, "cancel").timer_id)
        assert timer is not None
        return {"timer_id": timer.timer_id, "label": timer.label, "summary": f"{timer_name(timer)} is cancelled."}

    def pause_timer(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        if args.get("all"):   # "Pause all timers": the running ones; an alarm or a reminder keeps its time
            return self._each_timer(self.timers.pause, [t for t in self.timers.list() if not t.paused and not is_alarm(t.label)
                                                        and not t.command], "paused", "running")
        timer = self.timers.pause(self._one_timer(args, "pause", paused=False).timer_id)
        return {"timer_id": timer.timer_id, "label": timer.label, "remaining_seconds": round(timer.remaining()),
                "summary": f"{timer_name(timer)} is paused with {spoken_duration(timer.remaining())} left."}

    def resume_timer(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        if args.get("all"):
            return self._each_timer(self.timers.resume, [t for t in self.timers.list() if t.paused], "running again", "paused")
        timer = self.timers.resume(self._one_timer(args, "resume", paused=True).timer_id)
        return {"timer_id": timer.timer_id, "label": timer.label, "remaining_seconds": round(timer.remaining()),
                "summary": f"{timer_name(timer)} is running again, {spoken_duration(timer.remaining())} left."}

    @staticmethod
    def _each_timer(change: Callable[[str], Timer], timers: list[Timer], done: str, wanted: str) -> dict[str, Any]:
        """`change` run on each of `timers`: "All 3 timers are paused.", "The pasta timer is paused."."""
        if not timers:
            raise ValueError(f"no timer is {wanted}")
        changed = [change(t.timer_id) for t in timers]
        subject = f"{timer_name(changed[0])} is" if len(changed) == 1 else counted(len(changed), "timer")
        return {"timer_ids": [t.timer_id for t in changed], "summary": f"{subject} {done}."}

    def restart_timer(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        """The timer set again for its whole length; a paused one "restarted" (not "over") resumes, as it is
        mostly meant. An alarm rings at its time and has no length to start over."""
        timer = self._one_timer(args, "restart")
        if timer.paused and not args.get("over"):
            return self.resume_timer({"label": timer.label} if timer.label else {}, _session)
        if is_alarm(timer.label) or timer.command:
            raise ValueError(f"{timer_name(timer).lower()} rings at its time and cannot be started over")
        self.timers.cancel(timer.timer_id)
        again = self.timers.start(timer.seconds, timer.label, timer.session_id)
        return {"timer_id": again.timer_id, "label": again.label, "seconds": round(again.seconds),
                "summary": f"{timer_name(again)} is started over: {spoken_duration(again.seconds)}."}

    def add_timer_time(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        seconds = int(args["seconds"])
        if seconds == 0:
            raise ValueError("say how much time to add")
        timer = self.timers.extend(self._one_timer(args, "change").timer_id, seconds)
        change = "added" if seconds > 0 else "taken off"
        return {"timer_id": timer.timer_id, "label": timer.label, "seconds": seconds,
                "remaining_seconds": round(timer.remaining()),
                "summary": f"{spoken_duration(abs(seconds))} {change}. {timer_name(timer)} has "
                           f"{spoken_duration(timer.remaining())} left."}

    def amend_timer(self, args: dict[str, Any], session_id: str) -> dict[str, Any]:
        """The rest of a timer request said after it ran ("Timer for one minute. | And thirty seconds.", "...
        | For the workout."): the timer this session set last, lengthened or named, confirmed as set."""
        timer = self.timers.newest(session_id)
        if timer is None:
            raise ValueError("no timer is running")
        if int(args.get("add_seconds", 0)):
            timer = self.timers.extend(timer.timer_id, int(args["add_seconds"]))
        if str(args.get("label", "")).strip():
            timer = self.timers.rename(timer.timer_id, str(args["label"]))
        subject = f"The {timer.label} timer" if timer.label else "A timer"
        return {"timer_id": timer.timer_id, "seconds": round(timer.seconds), "label": timer.label,
                "summary": f"{subject} is set for {spoken_duration(timer.seconds)}."}

    def run_later(self, args: dict[str, Any], session_id: str) -> dict[str, Any]:
        seconds = int(args["seconds"])
        command = " ".join(str(args["command"]).split()).rstrip(".!?,")
        if not command:
            raise ValueError("say what to do when the time is up")
        command = command[0].lower() + command[1:]
        # "Wake me up in 20 minutes" is an alarm, listed and cancelled as one, as "wake me up at 7" is
        label = f"{short_clock(self._now() + dt.timedelta(seconds=seconds))} {ALARM_LABEL}" if WAKE_UP.match(command) else ""
        timer = self.timers.start(seconds, label, session_id, command=command)
        return {"timer_id": timer.timer_id, "seconds": seconds, "command": command,
                "summary": f"I'll {as_mine(command)} in {spoken_duration(seconds)}."}

    def set_alarm(self, args: dict[str, Any], session_id: str, done: str = "set for") -> dict[str, Any]:
        """`done`: what the answer says was done to the alarm ("set for", "moved to")."""
        if args.get("move"):
            return self._move_alarm(args, session_id)
        now = self._now()
        moment = next_time_of_day(now, int(args["hour"]), int(args["minute"]), str(args.get("meridiem", "")),
                                  bool(args.get("tomorrow")))
        repeat = str(args.get("repeat", ""))
        check_repeat(repeat)
        clock = (now, int(args["hour"]), int(args["minute"]), str(args.get("meridiem", "")))
        if repeat:   # a weekday alarm set on Friday: Monday's
            moment = time_on_days(*clock, lambda date: repeats_on(date, repeat), repeats=True)
        elif args.get("day"):   # "on Friday at 7"
            moment = time_on_days(*clock, lambda date: date.weekday() == DAY_NAMES.index(str(args["day"])))
        seconds = max(1, round((moment - now).total_seconds()))
        command = " ".join(str(args.get("command", "")).split()).rstrip(".!?,")
        command = command[:1].lower() + command[1:]
        # an alarm, or a wake-up (which says so when it rings), is "the alarm" to cancel or list; a
        # command for then is a timer to do it
        label = f"{short_clock(moment)} {ALARM_LABEL}" if not command or WAKE_UP.match(command) else ""
        # an alarm or a reminder repeats; a command does not (alarms.py answers so before it gets here)
        repeats = bool(repeat) and may_repeat(command)
        # (a time of day may be more than 24 hours away: "6:30 tomorrow" said at 6:15, "on Friday")
        timer = self.timers.start(seconds, label, session_id, command=command, repeat=repeat if repeats else "",
                                  dated=True)
        when = spoken_clock(moment, now)
        away = spoken_duration(seconds if seconds < 3600 else round(seconds / 60) * 60)
        if repeats:
            every = f"{short_clock(moment)} {repeat_words(repeat)}; the first is {spoken_day(moment, now)}."
            summary = f"I'll {as_mine(command)} at {every}" if command else f"The alarm is {done} {every}"
        elif (moment.date() - now.date()).days > 1:   # "on Friday": the day said back, not "100 hours from now"
            summary = (f"I'll {as_mine(command)} on {spoken_day(moment, now)}." if command
                       else f"The alarm is {done} {spoken_day(moment, now)}.")
        else:
            summary = (f"I'll {as_mine(command)} at {when}." if command
                       else f"The alarm is {done} {when}, {away} from now.")
        return {"timer_id": timer.timer_id, "seconds": seconds, "at": moment.isoformat(timespec="minutes"),
                "label": timer.label, "command": command, "summary": summary}

    def _move_alarm(self, args: dict[str, Any], session_id: str) -> dict[str, Any]:
        """The one alarm set (or wake-up), set again for the time said, repeating as it did."""
        label = str(args.get("label", ""))
        alarms = [t for t in self.timers.find(label=label) if is_alarm(t.label)]
        if not alarms:
            raise ValueError(f"no alarm {label!r} is set" if label else "no alarm is set")
        if len(alarms) > 1:   # "Set an alarm for 9. | Make it 9:30 instead": the one just set
            newest = max(alarms, key=lambda t: t.set_at)
            alarms = [newest] if newest.set_at and time.monotonic() - newest.set_at <= JUST_SET_SECS else alarms
        if len(alarms) > 1:
            raise ValueError(f"several alarms are set ({', '.join(self._told_apart(alarms))}); say which one to change")
        old = alarms[0]
        now = self._now()
        rings = rings_at(old, now)
        # the day it was set for stays: tomorrow's 6:30 moved to 7:30 is tomorrow's 7:30, not today's
        same_day = {"day": DAY_NAMES[rings.weekday()]} if rings.date() != now.date() and not old.repeat else {}
        # and its half of the day, unless said: "Change my alarm to 7:30" for a 6:30 AM one is 7:30 AM
        same_half = {"meridiem": "am" if rings.hour < 12 else "pm"} \
            if not args.get("meridiem") and 1 <= int(args["hour"]) <= 12 else {}
        moved = self.set_alarm({key: value for key, value in args.items() if key not in ("move", "tomorrow", "label")}
                               | same_day | same_half
                               | ({"repeat": old.repeat} if old.repeat and not args.get("repeat") else {})
                               | ({"command": old.command} if old.command else {}), session_id, done="moved to")
        self.timers.cancel(old.timer_id)
        return {**moved, "moved_from": old.label}

    def snooze(self, args: dict[str, Any], session_id: str) -> dict[str, Any]:
        seconds = int(args.get("seconds", SNOOZE_SECS))
        timer = self.timers.snooze(seconds)
        return {"timer_id": timer.timer_id, "label": timer.label, "seconds": seconds,
                "summary": f"Snoozed: {as_object(timer_name(timer))} rings again in {spoken_duration(seconds)}."}

    def _one_timer(self, args: dict[str, Any], verb: str, paused: bool | None = None) -> Timer:
        """The one timer a request means: by label, or the only one (in the wanted paused state)."""
        label = str(args.get("label", ""))
        matches = self.timers.find(label=label)
        if paused is not None and len(matches) > 1:
            matches = [t for t in matches if t.paused == paused] or matches
        if not matches:
            if is_alarm(label):
                raise ValueError(f"no {label.lower()} is set" if label.lower() != ALARM_LABEL else "no alarm is set")
            if not label:
                raise ValueError("no timer is running")
            # what is running said too: a name heard wrong ("grand" for the bread timer) is then one word away
            running = [as_object(name) for name in self._told_apart(
                [t for t in self.timers.list() if not is_alarm(t.label) and not t.command])]
            only = f", only {' and '.join(running)}" if 0 < len(running) <= 2 else ""
            raise ValueError(f"no timer called {label!r} is running{only}")
        if len(matches) > 1:
            names = ", ".join(self._told_apart(matches))
            raise ValueError(f"several timers are running ({names}); say which one to {verb}")
        return matches[0]

    def set_volume(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        percent = max(0, min(100, int(args["percent"])))
        self._device.set_volume(percent / 100)
        return {"volume": percent, "summary": f"The volume is {percent} percent."}

    def get_volume(self, _args: dict[str, Any], _session: str) -> dict[str, Any]:
        percent = round(self._device.get_volume() * 100)
        return {"volume": percent, "summary": f"The volume is {percent} percent."}

    def change_volume(self, args: dict[str, Any], session: str) -> dict[str, Any]:
        current = round(self._device.get_volume() * 100)
        return self.set_volume({"percent": current + int(args["delta"])}, session)

    def set_mute(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        muted = bool(args["muted"])
        self._device.set_muted(muted)
        return {"muted": muted, "summary": "I'm not listening until you unmute me." if muted else "I'm listening again."}
