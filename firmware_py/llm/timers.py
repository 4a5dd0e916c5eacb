"""Countdown timers the assistant sets by voice; a firing timer is announced on the bus (TimerFired).

Kept in a `TimerStore` once `keep_in` is called (the daemon does, at start): every change is saved, and the
timers saved by the last run come back, those that ended meanwhile ringing late (`MISSED_RING_SECS`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jellyfish

from ..events import EventBus, TimerFired
from ..heard_alike import one_sound_apart
from ..respond.timer_names import COMMON_TIMER_NAMES
from .timer_store import SavedTimer, TimerStore
from .weekdays import DAYS_AHEAD, REPEAT_MAX_SECS, check_repeat, day_said, days_named, days_of, next_repeat

log = logging.getLogger(__name__)

MAX_TIMERS = 20
MAX_SECONDS = 24 * 3600
HEARD_LABEL = 0.8
MISSED_RING_SECS = 3600
"""A timer or alarm that ended while the daemon was off rings late when it comes back within this; one that ended
longer ago is dropped with a log line (an hour-old pasta timer is news to nobody)."""
RANG_RECENTLY_SECS = 300
"""How long after it rang a timer or alarm can still be snoozed."""
JUST_QUIETED_SECS = 20.0
"""A timer still ringing, or quieted this recently (by the very turn that says "stop the timer"), is the one a
"stop" or "cancel" means: not another that is still running."""
SNOOZE_SECS = 540
"""Snooze with no length said: nine minutes, as alarm clocks have it."""


@dataclass
class Rung:
    timer: Timer
    at: float                       # time.monotonic() it rang
    quiet_at: float | None = None   # when it stopped ringing; None while it rings
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
    repeat: str = ""   # the days an alarm repeats on (weekdays.py), set again when it rings; "" rings once
    set_at: float = 0.0   # time.monotonic() when set here; 0 for one restored after a restart

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
        self._store: TimerStore | None = None
        self._rang: list[Rung] = []   # newest last
        self.rings_on: Callable[[str], str] = lambda session_id: session_id
        """The session a timer set by `session_id` rings on: the appliance names another when that one has
        gone (a client that left, a session of the last run)."""

    def start(self, seconds: float, label: str, session_id: str, command: str = "", repeat: str = "",
              dated: bool = False) -> Timer:
        """Start a timer (one that runs `command` when it ends, if given; one that is set again for the next
        such day when it rings, with `repeat`); ValueError when the duration is out of range or too many are
        running. A repeating alarm's next ring, or an alarm for a named day (`dated`), may be up to a week away."""
        longest = REPEAT_MAX_SECS if repeat or dated else MAX_SECONDS
        if not 0 < seconds <= longest:
            raise ValueError(f"a timer must last between 1 second and {'a week' if longest > MAX_SECONDS else '24 hours'}, "
                             f"not {seconds:g} seconds")
        check_repeat(repeat)
        if len(self._timers) >= MAX_TIMERS:
            raise ValueError(f"{MAX_TIMERS} timers are already running; cancel one first")
        timer = Timer(timer_id=str(next(self._ids)), label=label.strip(), seconds=seconds,
                      session_id=session_id, due=time.monotonic() + seconds, command=command.strip(), repeat=repeat,
                      set_at=time.monotonic())
        self._schedule(timer, seconds)
        self._timers[timer.timer_id] = timer
        log.info("timer started", extra={"timer_id": timer.timer_id, "seconds": seconds, "label": timer.label})
        self._changed()
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
        if timer is not None:
            if timer.handle is not None:
                timer.handle.cancel()
            log.info("timer cancelled", extra={"timer_id": timer_id})
            self._changed()
        return timer

    def pause(self, timer_id: str) -> Timer:
        """Stop the countdown, keeping the time left; ValueError when it is already paused."""
        timer = self._timers[timer_id]
        if timer.paused:
            raise ValueError(f"{timer_name(timer)} is already paused")
        timer.paused_left = timer.remaining()
        if timer.handle is not None:
            timer.handle.cancel()
        self._changed()
        return timer

    def resume(self, timer_id: str) -> Timer:
        timer = self._timers[timer_id]
        if not timer.paused:
            raise ValueError(f"{timer_name(timer)} is not paused")
        left, timer.paused_left = timer.paused_left or 0.0, None
        self._schedule(timer, left)
        self._changed()
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
        self._changed()
        return timer

    def rename(self, timer_id: str, label: str) -> Timer:
        timer = self._timers[timer_id]
        timer.label = label.strip()
        log.info("timer named", extra={"timer_id": timer_id, "label": timer.label})
        self._changed()
        return timer

    def newest(self, session_id: str) -> Timer | None:
        """The timer this session started last, while it runs."""
        own = [timer for timer in self._timers.values() if timer.session_id == session_id]
        return max(own, key=lambda timer: int(timer.timer_id)) if own else None

    def _schedule(self, timer: Timer, seconds: float) -> None:
        timer.due = time.monotonic() + seconds
        timer.handle = asyncio.get_running_loop().call_later(seconds, self._fire, timer.timer_id)

    def quieted(self, timer_ids: list[str]) -> None:
        """These stopped ringing (someone spoke, or their ringing time was up)."""
        now = time.monotonic()
        for rung in self._rang:
            if rung.timer.timer_id in timer_ids and rung.quiet_at is None:
                rung.quiet_at = now

    def just_rung(self, label: str = "") -> list[Timer]:
        """Timers ringing now or quieted within `JUST_QUIETED_SECS` (those a label picks), newest first."""
        now = time.monotonic()
        recent = [rung.timer for rung in reversed(self._recent_rings())
                  if rung.quiet_at is None or now - rung.quiet_at <= JUST_QUIETED_SECS]
        return timers_named(recent, label)

    def forget_rung(self, timers: list[Timer]) -> None:
        """Dealt with ("stop the alarm"): no longer to be snoozed or stopped again."""
        self._rang = [rung for rung in self._rang if rung.timer not in timers]

    def snooze(self, seconds: float) -> Timer:
        """The timer or alarm that rang last, again in `seconds`, under its own name; ValueError when none rang lately."""
        rang = [rung.timer for rung in reversed(self._recent_rings())
                if not rung.timer.command or WAKE_UP.match(rung.timer.command)]   # a command for then is no ring
        if not rang:
            raise ValueError("nothing has rung lately to snooze")
        self.forget_rung(rang[:1])
        return self.start(seconds, rang[0].label, rang[0].session_id, command=rang[0].command)

    def _recent_rings(self) -> list[Rung]:
        now = time.monotonic()
        self._rang = [rung for rung in self._rang if now - rung.at <= RANG_RECENTLY_SECS]
        return self._rang

    def keep_in(self, store: TimerStore, now: Callable[[], float] = time.time) -> list[Timer]:
        """Bring back the timers `store` holds and save every change there from now on. Returns those brought
        back; the ones that ended while the daemon was off ring now, late (`late_secs` on their TimerFired)."""
        saved, saved_at = store.load()
        wall = now()
        # a board with no clock of its own may come back with its clock behind the time it saved: count the
        # time left from then, not from a clock that is wrong
        behind = max(0.0, saved_at - wall)
        back: list[Timer] = []
        # a client may have set a timer before this was called: its id stays, a saved one that clashes moves
        taken = {int(i) for i in self._timers if i.isdigit()} | {int(e.timer_id) for e in saved if e.timer_id.isdigit()}
        spare = itertools.count(max(taken, default=0) + 1)
        for entry in saved:
            timer_id = entry.timer_id if entry.timer_id not in self._timers else str(next(spare))
            timer = Timer(timer_id=timer_id, label=entry.label, seconds=entry.seconds,
                          session_id=entry.session_id, due=time.monotonic(), command=entry.command, repeat=entry.repeat)
            left = entry.ends_at - wall - behind
            if entry.paused_left is not None:
                timer.paused_left = entry.paused_left
            elif left > 0:
                self._schedule(timer, left)
            elif -left <= MISSED_RING_SECS:
                asyncio.get_running_loop().call_soon(self._fire, timer.timer_id, -left)
            elif timer.repeat:   # rang long ago while off: set for its next day, without ringing now
                self._schedule(timer, next_repeat(entry.ends_at, timer.repeat, after=wall) - wall)
            else:
                log.info("timer ended long before the start; dropped",
                         extra={"timer_id": timer.timer_id, "label": timer.label, "late_secs": round(-left)})
                continue
            self._timers[timer.timer_id] = timer
            back.append(timer)
        self._ids = itertools.count(max((int(i) for i in self._timers if i.isdigit()), default=0) + 1)
        self._store = store
        self._changed()
        if back:
            log.info("timers brought back", extra={"count": len(back), "path": str(store.path)})
        return back

    def close(self) -> None:
        """Stop every countdown; the saved ones stay saved for the next start."""
        store, self._store = self._store, None
        for timer in self._timers.values():
            if timer.handle is not None:
                timer.handle.cancel()
        self._timers.clear()
        if store is not None:
            store.close()

    def _changed(self) -> None:
        if self._store is None:
            return
        wall, mono = time.time(), time.monotonic()
        self._store.save([SavedTimer(timer_id=t.timer_id, label=t.label, seconds=t.seconds, session_id=t.session_id,
                                     ends_at=wall + (t.due - mono if not t.paused else 0.0),
                                     paused_left=t.paused_left, command=t.command, repeat=t.repeat)
                          for t in self._timers.values()])

    def _set_again(self, timer: Timer, late_secs: float) -> bool:
        """A repeating alarm that rang, set for its next day under the same name (a new id: the one that rang
        can be snoozed); False when it could not be (twenty timers running: it still rings now)."""
        wall = time.time()
        try:
            again = self.start(next_repeat(wall - late_secs, timer.repeat, after=wall) - wall, timer.label,
                               timer.session_id, timer.command, timer.repeat)
        except ValueError as err:
            log.warning("repeating alarm not set again", extra={"timer_id": timer.timer_id, "error": str(err)})
            return False
        log.info("repeating alarm set again", extra={"timer_id": again.timer_id, "repeat": timer.repeat})
        return True

    def _fire(self, timer_id: str, late_secs: float = 0.0) -> None:
        timer = self._timers.pop(timer_id, None)
        if timer is None:
            return
        self._rang.append(Rung(timer, time.monotonic()))
        if not (timer.repeat and self._set_again(timer, late_secs)):
            self._changed()   # (setting it again saved the list already)
        ringing = self.rings_on(timer.session_id)
        log.info("timer fired", extra={"timer_id": timer_id, "label": timer.label, "session": ringing,
                                       "late_secs": round(late_secs)})
        self._bus.publish(TimerFired(session_id=ringing, timer_id=timer_id, label=timer.label,
                                     command=timer.command, late_secs=late_secs))


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
REMINDER = re.compile(r"^(?:please )?remind me(?: (?:to|about|that|of))?\s*(?P<what>.*)$", re.I)
"""A command that is only words said when it is due: "remind me to call Mum"."""


def may_repeat(command: str) -> bool:
    """Can a timer for a time of day with this command (none: an alarm) be set to repeat? An alarm, a wake-up
    or a reminder: words said again each day. A command that acts is done once."""
    return not command or WAKE_UP.match(command) is not None or REMINDER.match(command) is not None


def is_reminder(timer: Timer) -> bool:
    return not timer.label and REMINDER.match(timer.command) is not None


NOT_ON, AMONG_OTHERS, EXACTLY = 0, 1, 2
DAY_FILLERS = frozenset(("on", "and", "every", "each", "next", "this", "the", "my", "for", "of"))
"""Words around the days in a name ("the alarm on Mondays and Thursdays")."""


LAST_SET = frozenset(("last", "latest", "newest", "most recent", "last one", "new", "new one"))
LENGTH_NAME = re.compile(r"(?:\d+ (?:hour|minute|second) ?)+")
RELATIVE_DAY = re.compile(rf"\b({'|'.join(DAYS_AHEAD)})(?:['’]s)?\b")


def _rings_once_on(timer: Timer, days_ahead: int) -> bool:
    """Is this an alarm (or a command at a time of day) that rings once, on the date `days_ahead` from today? A
    repeating one is never "tomorrow's alarm": cancelled, it would be gone every day."""
    if timer.repeat or timer.paused or not (is_alarm(timer.label) or timer.command):
        return False
    rings = dt.datetime.fromtimestamp(time.time() + timer.remaining()).date()
    return rings == day_said(dt.datetime.now(), days_ahead)


def how_it_rings_on(timer: Timer, days: frozenset[int]) -> int:
    """How an alarm (or a command at a time of day) fits the days said: EXACTLY (it repeats on just those, or
    rings once on the one named), AMONG_OTHERS ("the Monday alarm" for a weekday one) or NOT_ON."""
    if timer.repeat:
        repeats = days_of(timer.repeat)
        return EXACTLY if repeats == days else AMONG_OTHERS if days <= repeats else NOT_ON
    if timer.paused or not (is_alarm(timer.label) or timer.command):
        return NOT_ON
    if dt.datetime.fromtimestamp(time.time() + timer.remaining()).weekday() not in days:
        return NOT_ON
    return EXACTLY if len(days) == 1 else AMONG_OTHERS


def timer_name(timer: Timer) -> str:
    """ "The pasta timer", "The timer to turn off the lights", "The 7 AM alarm", or "The 5 minute timer" for
    one without a label."""
    reminder = REMINDER.match(timer.command) if timer.command and not timer.label else None
    if reminder is not None:
        what = reminder.group("what").strip(" .!")
        return f"The reminder to {as_mine(what)}" if what else "The reminder"
    if timer.command and not timer.label:
        return f"The timer to {as_mine(timer.command)}"
    if is_alarm(timer.label):
        return f"The {timer.label}"
    return f"The {timer.label} timer" if timer.label else f"The {spoken_duration(timer.seconds, adjective=True)} timer"


def is_alarm(label: str) -> bool:
    return label.lower().split()[-1:] == [ALARM_LABEL]


def timer_done_words(label: str, late_secs: float = 0.0) -> str:
    """What the device says when a timer ends: "Your pasta timer is done.", "It's 7:00 AM: your alarm."; one
    that ended while the device was off says so: "Your pasta timer ended 12 minutes ago, while I was off."."""
    late = late_secs >= 60
    if is_alarm(label):
        now = time.strftime('%I:%M %p').lstrip('0')
        return f"It's {now}: your {label}, which rang while I was off." if late else f"It's {now}: your alarm."
    named = f"Your {label} timer" if label else "Your timer"
    if late:
        return f"{named} ended {spoken_duration(round(late_secs / 60) * 60)} ago, while I was off."
    return f"{named} is done."


def timers_named(timers: list[Timer], label: str) -> list[Timer]:
    """Of `timers`, those a spoken name picks (case-insensitive, substring, or heard a little wrong); all of
    them for no name."""
    wanted = label.strip().lower()
    if not wanted:
        return timers
    exact = [t for t in timers if t.label.lower() == wanted]
    if exact:
        return exact
    if wanted in LAST_SET and timers:   # "Cancel my last timer": the one set last
        return [max(timers, key=lambda t: (t.set_at, int(t.timer_id)))]
    if LENGTH_NAME.fullmatch(wanted):   # "the 5 minute timer": by the length it was set for, as lists name it
        long = [t for t in timers if spoken_duration(t.seconds, adjective=True) == wanted]
        return [t for t in long if not t.label] or long   # one with no name of its own is called so
    within = [t for t in timers if wanted in t.label.lower() or (t.label and t.label.lower() in wanted)]
    if within:
        return within
    words = wanted.split()
    if {"reminder", "reminders"} & set(words):   # "the reminder to call Mum", "my Friday reminder"
        reminders = [t for t in timers if is_reminder(t)]
        rest = " ".join(w for w in words if w not in ("reminder", "reminders", "to", "about", "the", "my", "that"))
        return timers_named(reminders, rest) if rest else reminders
    if (relative := RELATIVE_DAY.search(wanted)) is not None:   # "tomorrow's alarm": the one set for that date alone
        on_date = [t for t in timers if _rings_once_on(t, DAYS_AHEAD[relative.group(1)])]
        rest = " ".join(w for w in RELATIVE_DAY.sub(" ", wanted).split() if w not in DAY_FILLERS)
        return timers_named(on_date, rest) if on_date else []
    days, rest = days_named(wanted)
    if days:   # "the Tuesday alarm", "the weekday 6 am alarm": alarms for just those days, else among others
        fits = [(t, how_it_rings_on(t, days)) for t in timers]
        on_days = [t for t, fit in fits if fit == EXACTLY] or [t for t, fit in fits if fit == AMONG_OTHERS]
        rest = " ".join(w for w in rest.split() if w not in DAY_FILLERS)
        return timers_named(on_days, rest) if on_days else []
    if not any(t.label for t in timers):   # reminders and commands, named by their words ("call mum")
        return [t for t in timers if wanted in t.command.lower()]
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
