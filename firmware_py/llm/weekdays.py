"""The days an alarm rings on: once on a named day ("on Friday"), or again and again ("every weekday", "every
Tuesday", "on Mondays and Thursdays").

A repeat is kept as a short string (it is saved with the timer): "daily", "weekdays", "weekends", or the day
names it rings on, lower case and in week order, joined by commas ("monday,thursday"). The sets that have a name
of their own always take it, so "on Saturdays and Sundays" is "weekends".
"""

from __future__ import annotations

import datetime as dt
import re

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NAMED_SETS = {"daily": frozenset(range(7)), "weekdays": frozenset(range(5)), "weekends": frozenset({5, 6})}
REPEAT_MAX_SECS = 7 * 24 * 3600 + 3600
"""The furthest a repeating alarm's next ring, or an alarm on a named day, can be: a week (an hour more for a
clock change)."""


DAY_WORDS = {**{name: frozenset({day}) for day, name in enumerate(DAY_NAMES)},
             "weekday": NAMED_SETS["weekdays"], "weekend": NAMED_SETS["weekends"], "daily": NAMED_SETS["daily"]}
"""Words that pick alarms by their day: "the Tuesday alarm", "the weekday alarm", "the daily alarm"."""


def days_named(words: str) -> tuple[frozenset[int], str]:
    """The weekdays `words` name ("tuesday" {1}, "weekdays" 0-4), and the words without them."""
    days: frozenset[int] = frozenset()
    kept = []
    for word in words.split():
        plain = re.sub(r"['’]s$", "", word.lower().strip(".,!?"))   # "Tuesday's alarm"
        plain = plain[:-1] if plain.endswith("s") and plain[:-1] in DAY_WORDS else plain   # "the weekdays alarm"
        if plain in DAY_WORDS:
            days |= DAY_WORDS[plain]
        else:
            kept.append(word)
    return days, " ".join(kept)


def days_of(repeat: str) -> frozenset[int]:
    """The weekdays (Monday 0) `repeat` rings on; empty when it is no repeat this module knows."""
    if repeat in NAMED_SETS:
        return NAMED_SETS[repeat]
    names = repeat.split(",")
    if not repeat or any(name not in DAY_NAMES for name in names):
        return frozenset()
    return frozenset(DAY_NAMES.index(name) for name in names)


def is_repeat(repeat: str) -> bool:
    return bool(days_of(repeat))


def check_repeat(repeat: str) -> None:
    """ValueError unless `repeat` is "" (once) or a repeat this module knows."""
    if repeat and not is_repeat(repeat):
        raise ValueError(f"an alarm repeats daily, on weekdays, on weekends or on named days, not {repeat!r}")


def repeat_of(days: set[int] | frozenset[int]) -> str:
    """The repeat that rings on `days` (weekday numbers), by its own name where it has one."""
    chosen = frozenset(days)
    for name, named in NAMED_SETS.items():
        if chosen == named:
            return name
    return ",".join(DAY_NAMES[day] for day in sorted(chosen))


def repeat_words(repeat: str) -> str:
    """ "every day", "every weekday", "every weekend", "every Tuesday", "every Monday, Wednesday and Friday"."""
    if repeat == "daily":
        return "every day"
    if repeat in ("weekdays", "weekends"):
        return f"every {repeat[:-1]}"
    names = [DAY_NAMES[day].capitalize() for day in sorted(days_of(repeat))]
    return "every " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}")


def repeats_on(day: dt.date, repeat: str) -> bool:
    return day.weekday() in days_of(repeat)


def next_repeat(rang_at: float, repeat: str, after: float) -> float:
    """When an alarm that was due at `rang_at` (wall clock) rings next: the same local time on the next day it
    repeats on that is later than `after`. Local wall time, so a clock change keeps it at 7:00, not 6:00."""
    if not is_repeat(repeat):
        raise ValueError(f"not a repeat: {repeat!r}")
    moment = dt.datetime.fromtimestamp(round(rang_at / 60) * 60)   # naive local time, to the minute
    while True:
        moment += dt.timedelta(days=1)
        if repeats_on(moment.date(), repeat) and moment.timestamp() > after:
            return moment.timestamp()


DAYS_AHEAD = {"today": 0, "tonight": 0, "tomorrow": 1}
"""Days said by their distance from today ("tomorrow's alarm"), as days ahead."""

SMALL_HOURS_END = 4
"""Until 4 am, "tomorrow at 7" is this morning's 7: nobody awake at 1 am means the day after."""


def day_said(now: dt.datetime, days_ahead: int) -> dt.date:
    """The date meant by a day said by its distance from today: "tomorrow" said in the small hours is the day
    that starts when one wakes, today's date."""
    if days_ahead > 0 and now.hour < SMALL_HOURS_END:
        days_ahead -= 1
    return now.date() + dt.timedelta(days=days_ahead)
