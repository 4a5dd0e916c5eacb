"""An alarm request whose time was heard as other words, read again within the alarm sentences.

"Can you set an alarm for eight o'clock on Sunday?" heard as "... for me to clock on Sunday?", or "... for ten
at night on Friday?" as "... for ten at Iton Friday?": the request is plain, and only its time is lost, so
the device asked "For what time?" (seeds 619, 643, 667). The alarm sentences match apart from the library
with a free-text clock (respond/alarms.py), so the reading of a turn within the commands
(respond/command_reread.py) never held them. Here the same audio is decoded again within alarm sentences
whose clock is a time said as people say one (an hour and its minutes in words or digits, "half past",
"quarter to", "noon", with "am", "in the morning", "at night") and whose days are the days alarms take; the
reading is taken when the recogniser finds it nearly as likely as what it first wrote. Read only when words
stood where the time goes ("Set an alarm for tomorrow." said no time: it is asked for, never read into the audio).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import numpy as np
from hassil import Intents

from ..heard_alike import sounds_alike, spoken_syllables
from ..llm.builtin_tools import SET_ALARM
from ..speech.stt import Rereading
from .alarm_days import said_days
from .alarms import ASKED_FOR_A_TIME
from .base import Answer
from .command_grammar import CommandGrammar
from .command_reread import CLOSINGS, OPENINGS, SOUNDS_ALIKE
from .number_words import NUMBER_OF_WORD, spelt_numbers

TIME_MARGIN = 12.0
"""How far below the free reading (nats) a reading of the time may be. Misheard times were read right from 7.7
above to 11.9 below (kept turns, and alarm requests in seven voices); a time read into requests that said none
("for my meeting", "for when the laundry is done", "for the party on Friday") cost 14 to 19."""
TIME_COVER = 0.7
"""The least share of the syllables heard a reading must hold. A reading may end where the grammar lets a
sentence end, before the audio does: "Set an alarm for noon every weekday, please." heard "... for new henry
weed, they clean." was read "Set an alarm for two" 7 nats below (seed 733), 0.55 of the syllables heard; on
97 takes of alarm requests heard without their time (16 requests, 9 voices, clean and in room noise), the two readings
that stopped short so held 0.55 and 0.69, the 41 that set the alarm right 0.78 or more."""
MINUTES_IN_DIGITS = re.compile(r"(?:(?<=\d[:.])|(?<![\d.:]))(1[3-9]|[2-5]\d)(?!\d)")
"""Minutes the recogniser wrote in digits where an alarm's time goes (13-59: "I-45", "9:15"): digits are the
recogniser sure of its number."""
WEEKDAY_TEMPLATE = "(monday|tuesday|wednesday|thursday|friday|saturday|sunday)[s]"
READING_SENTENCES: dict[str, Any] = {
    "language": "en",
    "intents": {
        "alarm": {"data": [{"sentences": [
            "<asking> (set|make|create) [me] [an|a|the|my] [new] alarm (for|at) <clock> [<days>] [please]",
            "<asking> (wake|get) me [up] (at|by) <clock> [<days>] [please]",
        ]}]},
    },
    "lists": {"number": {"range": {"from": 0, "to": 59}}},
    "expansion_rules": {
        "asking": "[please] [can you|could you|will you]",
        "hour": "{number}",
        "clock": "(<hour> [o'clock] | <hour> [oh] {number} | (half|quarter) past <hour> | quarter to <hour> | noon"
                 " | midnight) [<part>]",
        "part": "(am|pm|a m|p m|in the morning|in the afternoon|in the evening|at night|tonight|tomorrow"
                " [morning|afternoon|evening|night]|this (morning|afternoon|evening))",
        "days": "[and] ((on|every|each) (<day> [(and|,) <day>] [(and|,) <day>] | week day[s] | weekday[s]"
                " | weekend[s] | day) | every (morning|night|evening) | daily | tomorrow)",
        "day": f"{WEEKDAY_TEMPLATE} [morning|afternoon|evening|night]",
    },
}
NOT_A_TIME = frozenset(("tomorrow", "today", "tonight", "morning", "afternoon", "evening", "night", "the", "in",
                        "at", "on", "every", "each", "this", "next", "and", "a", "an", "day", "days", "weekday",
                        "weekdays", "weekend", "weekends", "please", "me", "my", "for"))
"""Words said where an alarm's time goes that are no time ("Set an alarm for tomorrow morning."): nothing to read."""
DAY_WORD = re.compile(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)days?$")
CLOCK_HEARD = re.compile(r"\b(?:alarm|me(?: up)?)\s+(?:for|at|by|to)\s+(?P<clock>.*)$", re.I)
"""Where an alarm request's time goes: after "alarm for" or "wake me up at"."""
ONE_SOUND_MINUTES = {"thirteen": "thirty", "fourteen": "forty", "fifteen": "fifty", "fifty": "fifteen"}
"""Minutes one sound from another that is a round minute, the kind alarms are set to ("nine fifteen" and "nine
fifty"): the audio read may not say which (espeak's "nine fifteen at night" was read as "nine fifty" twice in
seven voices). A reading of "thirty" or "forty" stands: "thirteen" and "fourteen" are seldom meant (seed 677's
"six thirty every day" was asked "or six thirteen?")."""
ONE_SOUND_MINUTE_NUMBERS = {NUMBER_OF_WORD[said]: NUMBER_OF_WORD[other] for said, other in ONE_SOUND_MINUTES.items()}
LONE_MINUTE = re.compile(r"\b(?P<minute>" + "|".join(ONE_SOUND_MINUTES) + r")\b(?![ -](?:one|two|three|four|five|six|"
                         r"seven|eight|nine)\b)", re.I)


def asks_for_a_time(answer: Answer | None) -> bool:
    """Is `answer` "For what time?" for an alarm request whose time was heard as other words (not one that said
    no time at all, "Set an alarm.", which waits for its rest)?"""
    return answer is not None and answer.frame in ASKED_FOR_A_TIME and not answer.tentative


def clock_words_heard(heard: str) -> str:
    """The words heard where an alarm request's time goes, its days aside."""
    found = CLOCK_HEARD.search(said_days(heard).rest)
    return found.group("clock") if found is not None else ""


def words_where_the_time_goes(clock_words: str) -> bool:
    """Did the words heard in an alarm request's clock hold anything that may be a time misheard, rather than
    only days and parts of the day?"""
    words = [word.strip(".,!?;:").lower() for word in clock_words.split()]
    return any(word and word not in NOT_A_TIME and not DAY_WORD.match(word) for word in words)


def reading_taken(heard: str, reading: Rereading, found: Answer | None) -> bool:
    """Is the `reading` (whose answer is `found`) the alarm request heard, with its time read: it sets an alarm,
    comes within `TIME_MARGIN` of what was heard, sounds like it and holds as much of it (`TIME_COVER`), and
    keeps the days heard?"""
    if found is None or not found.actions or any(call.name != SET_ALARM.name for call in found.actions):
        return False
    heard_said, read_said = spelt_numbers(heard), spelt_numbers(reading.text)
    alike = sounds_alike(heard_said, read_said) >= SOUNDS_ALIKE
    covered = spoken_syllables(read_said) >= TIME_COVER * spoken_syllables(heard_said)
    days_heard, days_read = said_days(heard), said_days(reading.text)
    days_kept = (not days_heard.said or (days_heard.repeat, days_heard.day) == (days_read.repeat, days_read.day)
                 or every_heard_as_a_word(heard, days_heard.said, days_heard.day if days_heard.bare else "",
                                          days_read.repeat))
    return (reading.heard_score - reading.score <= TIME_MARGIN and alike and covered and days_kept
            and minutes_kept(heard, found))


def every_heard_as_a_word(heard: str, day_said: str, bare_day: str, repeat_read: str) -> bool:
    """Was a day heard bare (`bare_day`) after a word no alarm's time holds, which the reading has as "every"
    that day (`repeat_read`)? "Set an alarm for half past six every Tuesday." heard "... half-past six-century
    Tuesday." (seed 1051): "century" was the "every"."""
    if not bare_day or repeat_read != bare_day:
        return False
    before = re.findall(r"[a-z']+", heard.lower()[:heard.lower().rfind(day_said.lower())])
    return bool(before) and before[-1] not in NOT_A_TIME | CLOCK_WORDS and before[-1] not in NUMBER_OF_WORD


CLOCK_WORDS = frozenset(("half", "past", "quarter", "to", "after", "oh", "o'clock", "am", "pm", "noon", "midnight",
                         "midday", "minutes"))
"""Words of a time of day: before a day heard bare, the time's own ("at half past six Tuesday"), not an "every"."""


def minutes_kept(heard: str, found: Answer) -> bool:
    """Does the alarm a reading sets (`found`) have each minute the recogniser wrote in digits where the time
    goes, or its one-sound other? "Sets an alarm for I-45 in the morning." read "... for five in the morning."
    lost them (espeak at 1.25 in room noise, the one wrong alarm of 52 readings before this rule)."""
    minute = found.actions[0].arguments.get("minute")
    return all(minute in (said, ONE_SOUND_MINUTE_NUMBERS.get(said)) for said in
               (int(digits) for digits in MINUTES_IN_DIGITS.findall(clock_words_heard(heard))))


def minute_one_sound_away(read: str) -> str:
    """The reading with its minutes said as the other of a pair one sound apart ("nine fifteen" -> "nine
    fifty"), when they stand alone; "" otherwise ("six forty-five" has no such other)."""
    found = LONE_MINUTE.search(read)
    if found is None:
        return ""
    other = ONE_SOUND_MINUTES[found.group("minute").lower()]
    return read[:found.start()] + other + read[found.end():]


class AlarmTimeReading:
    """Owns the alarm sentences' grammar (small, built on first use or by `prepare`)."""

    def __init__(self) -> None:
        self._grammar: CommandGrammar | None = None
        self._lock = threading.Lock()

    def prepare(self) -> CommandGrammar:
        with self._lock:
            if self._grammar is None:
                intents = Intents.from_dict(READING_SENTENCES)
                self._grammar = CommandGrammar(intents, list(intents.intents), {}, OPENINGS, CLOSINGS)
            return self._grammar

    def read(self, audio: np.ndarray, stt: Any, width: int) -> Rereading | None:
        """Blocking (the STT thread): the turn read within the alarm sentences, never trusting the free reading
        (its time was unread)."""
        grammar = self.prepare()
        grammar.forget()
        return stt.read_within(audio, grammar, TIME_MARGIN, width, trusted=0.0)
