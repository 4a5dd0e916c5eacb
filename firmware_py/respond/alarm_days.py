"""The days in an alarm request: how it repeats ("every weekday", "every Tuesday", "on Mondays and Thursdays") or
the one day it is for ("on Friday", "next Sunday"). Their words are taken out before the sentence and its clock
are read, which know nothing of days: "Set an alarm for 7 on Tuesday" was asked "For what time?", and "Remind me
to call Mum on Friday at 5 pm" set a reminder for today at 5 that said "call Mum on Friday".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..llm.weekdays import DAY_NAMES, DAYS_AHEAD, repeat_of

DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_BETWEEN_DAYS = r"(?:\s*,\s*|\s+)(?:and\s+|&\s+)?"
_LISTED_DAY = rf"(?:{DAY}['’]s{_BETWEEN_DAYS})*{DAY}s?"
DAYS = rf"{_LISTED_DAY}(?:{_BETWEEN_DAYS}{_LISTED_DAY})*"
"""One day or a list of them: "Monday", "Mondays and Thursdays", "Monday, Wednesday and Friday"; a day written
with an apostrophe before the next is one of the list ("on Monday's Thursdays": the recogniser's "Mondays and",
seed 701), while one that ends the list is no day ("Friday's party")."""
NOT_POSSESSIVE = r"(?!['’]s\b)"   # "Friday's party" is a thing, not a day to set it for
PART_OF_DAY = r"(?:\s+(?P<part>morning|afternoon|evening|night)s?)?"
PART_MERIDIEMS = {"morning": "am", "afternoon": "pm", "evening": "pm", "night": "pm"}
"""A part of the day said with the day ("every Tuesday morning") is the clock's am or pm: 7 is then 7 am."""
SMALL_HOURS = range(1, 5)   # "every night at 2" is 2 am, and "at 12" midnight

REPEAT_PHRASES = (
    (re.compile(r"(?:\b(?:every|each|on)\s+(?:week\s?day|work\s?day|working day)s?|\bweekdays"
                rf"|\b(?:from\s+)?monday (?:to|through|till|until) friday){PART_OF_DAY}\b", re.I), "weekdays"),
    (re.compile(rf"(?:\b(?:every|each|on)\s+weekends?|\b(?:on\s+)?weekends){PART_OF_DAY}\b", re.I), "weekends"),
    (re.compile(r"\b(?:every|each)\s+(?:single\s+)?(?:day|(?P<part>morning|night|evening))\b|\bdaily\b", re.I),
     "daily"),
)
"""How an alarm is said to repeat, by a set that has a name of its own."""
EVERY_DAYS = re.compile(rf"\b(?:every|each)\s+(?P<days>{DAYS}){NOT_POSSESSIVE}{PART_OF_DAY}\b", re.I)
"""Named days said to repeat: "every Tuesday", "each Monday and Thursday morning"."""
ON_DAYS = re.compile(rf"\b(?:on\s+|this\s+(?:coming\s+)?|next\s+|coming\s+)?(?P<days>{DAYS}){NOT_POSSESSIVE}"
                     rf"{PART_OF_DAY}\b", re.I)
"""Named days with no "every": a plural ("on Mondays") or a list ("on Monday and Thursday") repeats; one day
("on Friday", "next Sunday", "Friday morning") is the day of a single alarm."""


RELATIVE_DAY = re.compile(r"\b(?P<day>today|tomorrow)['’]s\b|\bfor (?P<end>today|tomorrow)(?=\W*$)", re.I)
"""A day said by its distance, as a name ("tomorrow's alarm", "cancel the alarm for tomorrow"): that date's weekday.
("tomorrow" said with a clock, "at 6 tomorrow", is the clock's own word.)"""
TODAY = re.compile(r"\s*\b(?:for\s+|on\s+)?today\b", re.I)
""""Set an alarm for 5 pm today": today is when the clock's next 5 pm is anyway (tomorrow once it has passed)."""


@dataclass(frozen=True)
class SaidDays:
    rest: str          # the request without the days' words
    said: str = ""     # the words taken out ("every Tuesday")
    repeat: str = ""   # how it repeats (weekdays.py), "" for once
    day: str = ""      # the one day it is for ("friday"), "" for the next time the clock shows its time
    bare: bool = False  # the day was said with no "on" / "next" / "every" ("Remind me to buy tickets for Friday")
    part: str = ""     # the part of the day said with the days ("every morning": "morning")

    def meridiem(self, hour: int) -> str:
        """The clock's am or pm the part of the day gives `hour` ("" for none, or an hour past 12)."""
        if not self.part or not 1 <= hour <= 12:
            return ""
        if self.part == "night" and (hour == 12 or hour in SMALL_HOURS):
            return "am"
        return PART_MERIDIEMS[self.part]


def said_days(text: str) -> SaidDays:
    """`text` with the words that say how an alarm repeats, or on what day it rings, taken out; `text` as it was
    when it says neither."""
    for pattern, repeat in REPEAT_PHRASES:
        found = pattern.search(text)
        if found is not None:
            return SaidDays(_without(text, found), found.group(0), repeat, part=_part(found))
    found = EVERY_DAYS.search(text) or ON_DAYS.search(text)
    relative = RELATIVE_DAY.search(text)
    if found is None and relative is not None:
        ahead = DAYS_AHEAD[(relative.group("day") or relative.group("end")).lower()]
        weekday = (dt.date.today() + dt.timedelta(days=ahead)).weekday()
        return SaidDays(_without(text, relative), relative.group(0).removeprefix("for ").lower(), day=DAY_NAMES[weekday])
    if found is None:
        today = TODAY.search(text)
        return SaidDays(text) if today is None else SaidDays(_without(text, today), today.group(0).strip())
    names = re.findall(rf"{DAY}s?", found.group("days"), re.I)
    days = {DAY_NAMES.index(name.lower().rstrip("s")) for name in names}
    rest, part = _without(text, found), _part(found)
    said = found.group(0).lower()
    if said.startswith(("every", "each")) or len(names) > 1 or any(name.lower().endswith("s") for name in names):
        return SaidDays(rest, found.group(0), repeat_of(days), part=part)
    bare = not said.startswith(("on ", "this ", "next ", "coming "))
    return SaidDays(rest, found.group(0), day=DAY_NAMES[days.pop()], bare=bare, part=part)


def without_repeat(text: str) -> tuple[str, str]:
    """`text` without the words that say how an alarm repeats, and that repeat; ("text", "") when it says none
    (a single day is left in)."""
    days = said_days(text)
    return (days.rest, days.repeat) if days.repeat else (text, "")


def _without(text: str, found: re.Match[str]) -> str:
    """`text` without what `found` matched."""
    rest = (text[:found.start()] + text[found.end():]).strip(" ,")
    return re.sub(r"\s+([,.!?])", r"\1", " ".join(rest.split()))


def _part(found: re.Match[str]) -> str:
    return (found.groupdict().get("part") or "").lower()
