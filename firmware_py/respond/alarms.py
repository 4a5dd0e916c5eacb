"""Alarms and commands at a time of day: "Set an alarm for 7 am", "Wake me up at half past six", "Remind me
to call Mum at 5 pm", "Turn off the porch light at 11".

Home Assistant's sentence library has timers (a length) and commands "in ten minutes", but no time of day,
so such a request reached the LLM, which could not set it. These sentences are matched by hassil apart from
the library (their free-text clock would otherwise open the library's readings to any words) and before it,
so that "... at 11" never runs now; a time heard as other words is asked for only where the library matches
nothing ("Set an alarm for 10 minutes" is a timer). The clock's words are read here; the alarm itself is a
timer that ends at that time (builtin_tools.set_alarm), so listing, cancelling and the ring work as for any
timer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable

from hassil import Intents, RecognizeResult, recognize_best

from ..llm.builtin_tools import SET_ALARM
from ..llm.timers import ALARM_LABEL, REMINDER, may_repeat
from .alarm_days import SaidDays, said_days, without_repeat
from .base import ActionCall, Answer
from .later import DOING_VERBS, POLITE_OPENINGS, QUESTION_OPENINGS
from .number_words import TENS, UNITS, number_words_spelt

SENTENCES = {
    "language": "en",
    "intents": {
        "alarm": {"data": [{"sentences": [
            # ("in": "an" as the recogniser often writes it, "Set in alarm for six thirty", seed 359)
            # ("to": the "t" of "set" heard as a word, "Said to an alarm, for ...", seed 461)
            # ("add": "Add an alarm for quarter to eight on Sunday", seed 839, went to the LLM)
            "<asking> (set|make|create|add|put on|schedule) [me] [to] [an|a|in|the|my] [new] "
            "alarm (for|at|to) {clock} [please]",
            "[please] [can you|could you] (set|make|create|add) [me] [an|a|in|my] {clock} alarm [please]",
            "[an|the] alarm (for|at) {clock} [please]",
        ]}]},
        "timer_until": {"data": [{"sentences": [
            "<asking> (set|start|make) [me] [a|an|the|my] timer (for|at|until|till) {clock}",
        ]}]},
        "wake": {"data": [{"sentences": [
            # ("waked", "woke": the verb heard in the past, "Police waked me up at quarter to 8", seed 877)
            "<asking> (wake|waked|woke|get) me [up] (at|by) {clock} [please]",
            # "wake" heard "wait" (seed 1153, twice: "Please wait me up at 6:30 every day."): no request says it so
            "<asking> wait me up (at|by) {clock} [please]",
            "I (need|have|want|got) to (get|wake) up (at|by) {clock}",
        ]}]},
        "move": {"data": [{"sentences": [
            "<asking> (change|move|reset|push|switch|update|put) [<later>] [the|my] [next] alarm [time] [<later>] (to|for) {clock} [please]",
            "<asking> (change|move|push) [the|my] wake up [call|time] [<later>] to {clock} [please]",
            "<asking> (change|move|reset|push|switch|update|put) [the|my] {old} alarm [time] [<later>] (to|for) {clock} [please]",
            # the alarm there is, set again: "Set my alarm to 7:15 instead"
            "<asking> (set|make) (the|my) [next] alarm [time] (to|for) {clock} instead [please]",
            "<asking> (set|make) (the|my) {old} alarm [time] (to|for) {clock} instead [please]",
        ]}]},
        "ask_time": {"data": [{"sentences": [
            "<asking> (set|make|create|add) [me] [to] [an|a|in|my] [new] alarm [for|at] [please]",
            "<asking> (wake|get) me up [please]",
            "<asking> wake me [please]",
        ]}]},
        "cancel": {"data": [{"sentences": [
            "[please] (cancel|delete|remove|clear|stop|dismiss|turn off|switch off|get rid of) [the|my] alarm",
            "[please] (turn|switch|shut) [the|my] alarm off",
            "never mind [about] [the|my] alarm",
        ]}]},
        "cancel_all": {"data": [{"sentences": [
            "[please] (cancel|delete|remove|clear|stop|dismiss|turn off|switch off|get rid of) [all] [of] [the|my] alarms",
        ]}]},
        "cancel_reminders": {"data": [{"sentences": [
            "[please] (cancel|delete|remove|clear|forget|dismiss|get rid of) (all|every one) [of] [the|my] reminders",
        ]}]},
        "cancel_reminder": {"data": [{"sentences": [
            "[please] (cancel|delete|remove|clear|forget|stop|dismiss) [the|my|that] reminder[s]",
            "[please] (cancel|delete|remove|clear|forget|dismiss) [the|my|that] reminder[s] (to|about|for) {what}",
            "[please] (don't|do not) remind me (to|about) {what}",
        ]}]},
        "ask": {"data": [{"sentences": [
            "(what time is|when is|when's|what's|what is) [the|my] alarm [set] [for]",
            "is [the|my] alarm [set|on]",
            "(do I have|have I got|is there|are there) [an|any] alarm[s] [set|on]",
            "any alarm[s] [set|on]",
            "(what|which) alarms (do I have|have I got|are set|are there)",
            "(when|what time) (is|does) [the|my] [next] alarm [set for|go off|ring]",
            "how long (until|till|before|to) [the|my] [next] alarm [goes off|rings]",
        ]}]},
        "ask_reminders": {"data": [{"sentences": [
            "(what|which) reminders (do I have|have I got|are set|are there)",
            "(do I have|have I got|are there|is there) [a|any] reminder[s] [set]",
            "(what are|list|tell me) [all] my reminders",
        ]}]},
        "later": {"data": [{"sentences": ["{command} at {clock}"]}]},
        "remind": {"data": [{"sentences": [
            "<asking> remind me at {clock} (to|about) {what}",
            "<asking> (set|make|create) [me] [a] reminder (for|at) {clock} (to|about) {what}",
            "<asking> (set|make|create) [me] [a] reminder (to|about) {what} (at|for) {clock}",
        ]}]},
    },
    "lists": {"clock": {"wildcard": True}, "command": {"wildcard": True}, "what": {"wildcard": True},
              "old": {"wildcard": True}},
    "expansion_rules": {"asking": "[please] [can you|could you|will you]", "later": "(back|forward|ahead|later|earlier)"},
}

ALARM_FRAME, WAKE_FRAME = "set an alarm for {reply}", "wake me up at {reply}"
ASKED_FOR_A_TIME = frozenset((ALARM_FRAME, WAKE_FRAME))
"""The requests "For what time?" completes with its reply (respond/asked.py)."""
HEARD_AS_HOURS = {"several": "seven", "seventh": "seven", "ate": "eight", "won": "one", "tin": "ten", "nein": "nine",
                  "fife": "five", "tree": "three", "sex": "six", "sicks": "six", "leaven": "eleven"}
"""Words the recogniser writes for an hour's number where a clock is expected (seed 431: "Set an alarm for several
in the morning on Friday." asked "For what time?")."""
MINUTE_TENS = {word: n for word, n in TENS.items() if n < 60}   # a clock's minutes: "seven fifty"
MINUTE_WORDS = {"quarter": 15, "half": 30}
NEW_ALARM_WORDS = frozenset(("a", "an", "in", "new", "a new", "an new", "another", "one more"))
"""What stands before "alarm" in a request for a new one: no alarm to move."""
MORNING = re.compile(r"\s*\b(?:a\.?\s?m\.?|in the morning|this morning|tomorrow morning)\s*$", re.I)
EVENING = re.compile(r"\s*\b(?:p\.?\s?m\.?|in the (?:afternoon|evening)|this (?:afternoon|evening)|at night|"
                     r"tonight|tomorrow (?:afternoon|evening|night))\s*$", re.I)
TOMORROW = re.compile(r"\btomorrow\b", re.I)
OCLOCK = re.compile(r"\s*\bo'?\s?clock\b", re.I)
DATE_WORDS = re.compile(r"\b(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|(?:four|fif|six|seven|eigh|nin|ten|eleven|twelf|"
                        r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twentie|thirtie)th|january|february|"
                        r"march|april|june|july|august|september|october|november|december|christmas|new year'?s?|"
                        r"birthday|next (?:week|month|year))\b", re.I)
"""Words for a date (a day of the month, a month, a holiday): alarms here go by the day of the week."""
BY_WEEKDAY_ONLY = ("I can set alarms by the day of the week, up to a week ahead: say the day, like "
                   "\"on Friday at 9 am\".")
TIMES_OF_DAY = frozenset({"sunset", "sunrise", "dawn", "dusk", "bedtime", "lunchtime", "dinnertime", "night",
                          "tonight", "morning", "evening", "afternoon", "lunch", "dinner", "breakfast"})
"""Words for a time of day no clock reading gives here (no location, no routine): such a command is asked for
its time, never run now ("Turn on the hallway light at sunset")."""
PLAINLY_A_CLOCK = re.compile(r"\d[:.]\d\d|\b(?:a\.?\s?m|p\.?\s?m|o'?\s?clock|noon|midday|midnight|morning|afternoon|"
                             r"evening|night|tonight)\b", re.I)
"""Words that say a time of day whatever comes before: "a timer for 7 am" is an alarm, "a timer for 7" is not."""


@dataclass(frozen=True)
class ClockTime:
    """A time of day as said: `hour` 0-23, or 1-12 with `meridiem` "" when neither am nor pm was said."""

    hour: int
    minute: int
    meridiem: str = ""   # "am", "pm" or ""
    tomorrow: bool = False

    def arguments(self) -> dict[str, object]:
        found: dict[str, object] = {"hour": self.hour, "minute": self.minute}
        if self.meridiem:
            found["meridiem"] = self.meridiem
        if self.tomorrow:
            found["tomorrow"] = True
        return found


def clock_time(words: str) -> ClockTime | None:
    """The time of day `words` say ("7", "7:30 pm", "seven thirty", "half past six in the morning", "quarter
    to eight", "noon", "19:00", "tomorrow at 6"); None for words that say no time of day."""
    text = " ".join(number_words_spelt(words).lower().replace("-", " ").split()).strip(" .,!?")
    text = re.sub(r"(\d)([ap]\.?\s?m\b)", r"\1 \2", text)   # "7am", "7p.m."
    tomorrow = bool(TOMORROW.search(text))
    text = re.sub(r"^tomorrow (?:at )?|\s*\btomorrow$", "", text).strip()
    text = re.sub(r"^(?:at|by|for) ", "", text)   # a reply to "For what time?": "At nine fifteen."
    meridiem = ""
    if (found := MORNING.search(text)) is not None:
        meridiem, text = "am", text[:found.start()]
    elif (found := EVENING.search(text)) is not None:
        meridiem, text = "pm", text[:found.start()]
    text = OCLOCK.sub("", text).strip()
    if text in ("noon", "midday", "twelve noon", "12 noon") and meridiem == "":
        return ClockTime(12, 0, "pm", tomorrow)
    if text == "midnight" and meridiem == "":
        return ClockTime(0, 0, "", tomorrow)
    hour_minute = _hour_and_minute(text)
    if hour_minute is None:   # an hour heard as a word that sounds like it: "an alarm for several in the morning"
        hour_minute = _hour_and_minute(" ".join(HEARD_AS_HOURS.get(word, word) for word in text.split()))
    if hour_minute is None:
        return None
    hour, minute = hour_minute
    if meridiem and not 1 <= hour <= 12 or hour > 23 or minute > 59:
        return None
    return ClockTime(hour, minute, meridiem, tomorrow)


def _hour_and_minute(text: str) -> tuple[int, int] | None:
    if (digits := re.fullmatch(r"(\d{1,2})(?:[:.]?(\d{2}))?", text)) is not None:   # "7", "6:30", "630"
        return int(digits.group(1)), int(digits.group(2) or 0)
    if (half := re.fullmatch(r"half (\w+)", text)) is not None:   # "half six": half past six, as said in Britain
        hour = _number(half.group(1))
        return (hour, 30) if hour is not None and 1 <= hour <= 12 else None
    if (relative := re.fullmatch(r"(.+?) (past|after|to|before|till) (.+)", text)) is not None:
        minutes, hour = _minutes(relative.group(1)), _number(relative.group(3))
        if minutes is None or hour is None or not 1 <= hour <= 12 or not 0 < minutes < 60:
            return None
        if relative.group(2) in ("past", "after"):
            return hour, minutes
        return (hour - 2) % 12 + 1, 60 - minutes   # "quarter to eight": 7:45
    words = text.split()
    for split in range(1, len(words) + 1):   # "seven thirty", "seven oh five", "eleven forty five"
        hour = _number(" ".join(words[:split]))
        rest = " ".join(words[split:])
        if hour is None:
            continue
        if not rest:
            return hour, 0
        minute = _number(rest.removeprefix("oh ").removeprefix("o "))
        if minute is not None and (rest.startswith(("oh ", "o ")) or minute >= 10):
            return hour, minute
        if (minute := _minute_digit_by_digit(rest)) is not None:
            return hour, minute
    return None


def _minute_digit_by_digit(text: str) -> int | None:
    """Minutes written as two digits' words ("four five" of "five-four-five", the recogniser's spelling of
    "five forty-five", seed 1051), as "630" is written for 6:30; None for other words."""
    digits = [DIGIT_ZEROS.get(word, UNITS.get(word, 10)) for word in text.split()]
    if len(digits) != 2 or not 1 <= digits[0] <= 5 or digits[1] > 9:
        return None
    return digits[0] * 10 + digits[1]


DIGIT_ZEROS = {"zero": 0, "oh": 0, "o": 0}


def _minutes(text: str) -> int | None:
    text = text.removeprefix("a ").removesuffix(" minutes").removesuffix(" minute")
    return MINUTE_WORDS.get(text, _number(text))


def _number(text: str) -> int | None:
    """0-59 as digits or words ("7", "seven", "forty five", "twenty-one")."""
    if text.isdigit():
        return int(text)
    words = text.split()
    if len(words) == 1:
        return UNITS.get(words[0], MINUTE_TENS.get(words[0]))
    if len(words) == 2 and words[0] in MINUTE_TENS and words[1] in UNITS and UNITS[words[1]] < 10:
        return MINUTE_TENS[words[0]] + UNITS[words[1]]
    return None


class AlarmSentences:
    """Matches the alarm and time-of-day sentences above and says what to run."""

    def __init__(self, is_command: Callable[[str], bool]) -> None:
        """`is_command`: do these words plainly ask for an action the intents know ("turn off the porch
        light")? Only such a command is set for a time of day ("Put the volume at 7" is none)."""
        self._intents = Intents.from_dict(SENTENCES)
        self._is_command = is_command

    def match(self, text: str) -> Answer | None:
        """The answer to an alarm or a command at a time of day, or the question back when no time was said
        ("Set an alarm.") or the time is one no clock here gives ("... at sunset"); None when `text` is
        neither, or its time or command cannot be read (see `time_unread`). An alarm said to repeat ("every
        weekday", "every day") repeats."""
        days = said_days(text)
        result = recognize_best(" ".join(days.rest.split()), self._intents)
        if result is not None and days.bare and result.intent.name in ("later", "remind"):
            # "Remind me to buy tickets for Friday at 5": a day with no "on" in a reminder is its words
            days = SaidDays(text)
            result = recognize_best(" ".join(text.split()), self._intents)
        text = days.rest
        if result is None:
            return None
        if (days.repeat or days.day) and result.intent.name in ("cancel", "cancel_all", "cancel_reminder", "move"):
            # "Cancel the alarm on Mondays and Thursdays", "Cancel my Friday reminder", "Change my daily alarm to
            # 6:50": the ones for those days
            call = self._call(result)
            kind = "reminder" if result.intent.name == "cancel_reminder" else ALARM_LABEL
            return Answer("intent", actions=(replace(call, arguments={**call.arguments, "label": f"{days.said} {kind}"}),)) \
                if call is not None else None
        if (days.repeat or days.day) and result.intent.name in ("alarm", "wake", "later", "remind"):
            call = self._call(result)
            if call is None:
                return None
            command = str(call.arguments.get("command", ""))
            if days.repeat and not may_repeat(command):
                # never once, silently, for "every day": said so, and nothing done
                return Answer("intent", text="I can repeat alarms and reminders, but not other requests. Say it "
                                             f"without \"{days.said}\" and I'll do it once.")
            arguments = {**call.arguments, **({"repeat": days.repeat} if days.repeat else {"day": days.day})}
            arguments.pop("tomorrow", None)   # the day said wins over "tomorrow"
            meridiem = days.meridiem(int(arguments.get("hour", 0)))
            if meridiem and "meridiem" not in arguments:
                arguments["meridiem"] = meridiem   # "every morning at 8": 8 am, wherever the clock was said
            return Answer("intent", actions=(replace(call, arguments=arguments),))
        intent = result.intent.name
        said = str(result.entities["clock"].value) if "clock" in result.entities else ""
        if intent == "later" and clock_time(said) is None and set(re.findall(r"[a-z]+", said.lower())) & TIMES_OF_DAY:
            command = str(result.entities["command"].value).strip(" ,.!?")
            if self._is_command(command):   # "Turn on the hallway light at sunset": when is that? Never now
                return Answer("intent", text="At what time? Say a time like 7 pm.", frame=f"{command} at {{reply}}")
        if intent == "ask_time":
            return _asked_for_a_time(text, tentative=True)
        call = self._call(result)
        return Answer("intent", actions=(call,)) if call is not None else None

    def time_unread(self, text: str) -> Answer | None:
        """ "For what time?" for an alarm whose time was heard as other words ("Wake me up at the San Bernard
        in the morning."), never the LLM's guess; asked only where the library matched nothing ("Set an
        alarm for 10 minutes" is a timer)."""
        result = recognize_best(" ".join(without_repeat(text)[0].split()), self._intents)
        if result is None or result.intent.name not in ("alarm", "wake"):
            return None
        said = str(result.entities["clock"].value)
        if clock_time(said) is not None:
            return None
        if DATE_WORDS.search(said):   # "for the 15th at 9 am": the time was said; the date is what cannot be
            return Answer("intent", text=BY_WEEKDAY_ONLY)
        return _asked_for_a_time(text)

    def _call(self, result: RecognizeResult) -> ActionCall | None:
        intent = result.intent.name
        if intent == "cancel":   # the library reads "alarm" as "timer": the alarm, not whichever timer
            return ActionCall("cancel_timer", {"label": ALARM_LABEL})
        if intent == "ask":   # the alarms alone, not every timer
            return ActionCall("list_alarms", {})
        if intent == "ask_reminders":
            return ActionCall("list_alarms", {"kind": "reminder"})
        if intent == "cancel_all":
            return ActionCall("cancel_timer", {"label": ALARM_LABEL, "all": True})
        if intent == "cancel_reminders":
            return ActionCall("cancel_timer", {"label": "reminder", "all": True})
        if intent == "cancel_reminder":   # "the reminder", "the reminder to call Mum"
            what = str(result.entities["what"].value).strip(" ,.!?") if "what" in result.entities else ""
            return ActionCall("cancel_timer", {"label": f"reminder {what}".strip()})
        said = str(result.entities["clock"].value)
        clock = clock_time(said)
        if clock is None or intent == "timer_until" and not PLAINLY_A_CLOCK.search(said):
            return None
        if intent in ("alarm", "timer_until"):
            return ActionCall(SET_ALARM.name, clock.arguments())
        if intent == "move":   # the one alarm set, or the one named ("the 7:30 alarm", "the Tuesday alarm")
            old = str(result.entities["old"].value).strip(" ,.!?") if "old" in result.entities else ""
            if old.lower() in NEW_ALARM_WORDS:   # "Put an alarm for 7", "Reset a new alarm for 7": a new one
                return ActionCall(SET_ALARM.name, clock.arguments())
            return ActionCall(SET_ALARM.name, {**clock.arguments(), "move": True, **({"label": old} if old else {})})
        if intent == "wake":
            return ActionCall(SET_ALARM.name, {**clock.arguments(), "command": "wake me up"})
        if intent == "remind":
            what = str(result.entities["what"].value).strip(" ,.!?")
            return ActionCall(SET_ALARM.name, {**clock.arguments(), "command": f"remind me to {what}"}) if what else None
        command = POLITE_OPENINGS.sub("", str(result.entities["command"].value).strip(" ,.!?"))
        words = command.lower().split()
        if not words or words[0] in QUESTION_OPENINGS or words[0] not in DOING_VERBS:
            return None   # "What's on TV at 8?" asks; "Dinner at 7" says nothing to do
        if REMINDER.match(command) is None and not self._is_command(command):
            return None
        return ActionCall(SET_ALARM.name, {**clock.arguments(), "command": command})


def _asked_for_a_time(text: str, tentative: bool = False) -> Answer:
    """ "For what time?", the reply put in the request it completes (respond/asked.py)."""
    wake = "wake" in text.lower() or "get me up" in text.lower() or " get up" in text.lower()
    return Answer("intent", text="For what time?", tentative=tentative, frame=WAKE_FRAME if wake else ALARM_FRAME)
