"""Countdown timers the assistant sets by voice; a firing timer is announced on the bus (TimerFired)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from dataclasses import dataclass, field

import jellyfish

from ..events import EventBus, TimerFired
from ..heard_alike import one_sound_apart
from ..respond.timer_names import COMMON_TIMER_NAMES

log = logging.getLogger(__name__)

MAX_TIMERS = 20
MAX_SECONDS = 24 * 3600
HEARD_LABEL = 0.8
"""Jaro-Winkler similarity from which a spoken timer name counts as a running timer's ("pastor": "pasta" 0.91)."""


@dataclass
class Timer:
    timer_id: str
    label: str
    seconds: float
    session_id: str
    due: float  # time.monotonic() when it fires
    handle: asyncio.TimerHandle | None = field(default=None, repr=False)
    paused_left: float | None = None  # seconds left when paused; None while running
    command: str = ""  # what to do when it ends ("turn off the lights"), as a turn of the user's

    def remaining(self) -> float:
        if self.paused_left is not None:
            return self.paused_left
        return max(0.0, self.due - time.monotonic())

    @property
    def paused(self) -> bool:
        return self.paused_left is not None


class TimerService:
    """Device-wide timers: any session may list or cancel them; each fires on the session that set it."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._timers: dict[str, Timer] = {}
        self._ids = itertools.count(1)

    def start(self, seconds: float, label: str, session_id: str, command: str = "") -> Timer:
        """Start a timer (one that runs `command` when it ends, if given); ValueError when the duration is
        out of range or too many are running."""
        if not 0 < seconds <= MAX_SECONDS:
            raise ValueError(f"a timer must last between 1 second and 24 hours, not {seconds:g} seconds")
        if len(self._timers) >= MAX_TIMERS:
            raise ValueError(f"{MAX_TIMERS} timers are already running; cancel one first")
        timer = Timer(timer_id=str(next(self._ids)), label=label.strip(), seconds=seconds,
                      session_id=session_id, due=time.monotonic() + seconds, command=command.strip())
        self._schedule(timer, seconds)
        self._timers[timer.timer_id] = timer
        log.info("timer started", extra={"timer_id": timer.timer_id, "seconds": seconds, "label": timer.label})
        return timer

    def list(self) -> list[Timer]:
        return sorted(self._timers.values(), key=lambda t: t.due)

    def find(self, label: str = "", timer_id: str = "") -> list[Timer]:
        """Timers matching an id, else a label (case-insensitive, substring, or heard a little wrong), else all of them."""
        if timer_id:
            return [self._timers[timer_id]] if timer_id in self._timers else []
        return timers_named(self.list(), label)

    def cancel(self, timer_id: str) -> Timer | None:
        timer = self._timers.pop(timer_id, None)
        if timer is not None and timer.handle is not None:
            timer.handle.cancel()
            log.info("timer cancelled", extra={"timer_id": timer_id})
        return timer

    def pause(self, timer_id: str) -> Timer:
        """Stop the countdown, keeping the time left; ValueError when it is already paused."""
        timer = self._timers[timer_id]
        if timer.paused:
            raise ValueError(f"{timer_name(timer)} is already paused")
        timer.paused_left = timer.remaining()
        if timer.handle is not None:
            timer.handle.cancel()
        return timer

    def resume(self, timer_id: str) -> Timer:
        timer = self._timers[timer_id]
        if not timer.paused:
            raise ValueError(f"{timer_name(timer)} is not paused")
        left, timer.paused_left = timer.paused_left or 0.0, None
        self._schedule(timer, left)
        return timer

    def extend(self, timer_id: str, seconds: float) -> Timer:
        """Add (or, negative, take off) time; a timer never goes below one second or past 24 hours."""
        timer = self._timers[timer_id]
        left = min(MAX_SECONDS, max(1.0, timer.remaining() + seconds))
        timer.seconds = max(1.0, timer.seconds + seconds)
        if timer.paused:
            timer.paused_left = left
        else:
            if timer.handle is not None:
                timer.handle.cancel()
            self._schedule(timer, left)
        return timer

    def rename(self, timer_id: str, label: str) -> Timer:
        timer = self._timers[timer_id]
        timer.label = label.strip()
        log.info("timer named", extra={"timer_id": timer_id, "label": timer.label})
        return timer

    def newest(self, session_id: str) -> Timer | None:
        """The timer this session started last, while it runs."""
        own = [timer for timer in self._timers.values() if timer.session_id == session_id]
        return max(own, key=lambda timer: int(timer.timer_id)) if own else None

    def _schedule(self, timer: Timer, seconds: float) -> None:
        timer.due = time.monotonic() + seconds
        timer.handle = asyncio.get_running_loop().call_later(seconds, self._fire, timer.timer_id)

    def close(self) -> None:
        for timer_id in list(self._timers):
            self.cancel(timer_id)

    def _fire(self, timer_id: str) -> None:
        timer = self._timers.pop(timer_id, None)
        if timer is None:
            return
        log.info("timer fired", extra={"timer_id": timer_id, "label": timer.label})
        self._bus.publish(TimerFired(session_id=timer.session_id, timer_id=timer_id, label=timer.label,
                                     command=timer.command))


def spoken_duration(seconds: float, adjective: bool = False) -> str:
    """ "5 minutes", "1 hour 30 minutes", "45 seconds" as said aloud; `adjective`: "5 minute" (a 5 minute timer)."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}{'' if n == 1 or adjective else 's'}"
             for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    return " ".join(parts) or ("0 second" if adjective else "0 seconds")


ALARM_LABEL = "alarm"
"""The last word of a timer's label set as an alarm at a time of day ("7 AM alarm"; builtin_tools.set_alarm):
"cancel the alarm" finds every alarm, "cancel the 7 am alarm" the one."""
WAKE_UP = re.compile(r"^(?:please )?wake me(?: up)?\W*$", re.I)
"""A command that is an alarm too: "wake me up" (in an hour, at 7)."""


def timer_name(timer: Timer) -> str:
    """ "The pasta timer", "The timer to turn off the lights", "The 7 AM alarm", or "The 5 minute timer" for
    one without a label."""
    if timer.command and not timer.label:
        return f"The timer to {as_mine(timer.command)}"
    if is_alarm(timer.label):
        return f"The {timer.label}"
    return f"The {timer.label} timer" if timer.label else f"The {spoken_duration(timer.seconds, adjective=True)} timer"


def is_alarm(label: str) -> bool:
    return label.lower().split()[-1:] == [ALARM_LABEL]


def timer_done_words(label: str) -> str:
    """What the device says when a timer ends: "Your pasta timer is done.", "It's 7:00 AM: your alarm."."""
    if is_alarm(label):
        return f"It's {time.strftime('%I:%M %p').lstrip('0')}: your alarm."
    return f"Your {label} timer is done." if label else "Your timer is done."


def timers_named(timers: list[Timer], label: str) -> list[Timer]:
    """Of `timers`, those a spoken name picks (case-insensitive, substring, or heard a little wrong); all of
    them for no name."""
    wanted = label.strip().lower()
    if not wanted:
        return timers
    exact = [t for t in timers if t.label.lower() == wanted]
    if exact:
        return exact
    within = [t for t in timers if wanted in t.label.lower() or (t.label and t.label.lower() in wanted)]
    if within:
        return within
    # a name heard a little wrong ("the pastor timer" for the pasta one): the one running timer that
    # sounds close; two or more close ones stay unmatched rather than guessed between
    close = [t for t in timers if t.label and _heard_as(wanted, t.label.lower())]
    return close if len(close) == 1 else []


def _heard_as(heard: str, label: str) -> bool:
    """A running timer's name heard a little wrong: close in letters ("pastor" for "pasta") or one sound apart
    with the same beats ("clocky" for "cookie"). A name people give timers is meant as said: "coffee" is
    never the cookie timer, nor "pizza" the pasta one."""
    if jellyfish.jaro_winkler_similarity(label, heard) >= HEARD_LABEL:
        return True
    if heard in COMMON_TIMER_NAMES or heard.removesuffix("s") in COMMON_TIMER_NAMES:
        return False
    return one_sound_apart(heard.replace(" ", ""), label.replace(" ", ""))


MINE = {"me": "you", "my": "your", "mine": "yours", "i": "you", "myself": "yourself", "i'm": "you're"}


def as_mine(command: str) -> str:
    """The user's words as the device says them back: "remind me to call my mother" -> "remind you to call
    your mother"."""
    return " ".join(MINE.get(word.lower(), word) for word in command.split())
