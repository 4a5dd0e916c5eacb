"""The kinds of fact a question can ask for, and whether a sentence holds one.

"How much is a ticket?" wants a price, "When do you open?" a time or a day, "How long is the tour?" a
duration, "How many books can I borrow?" a count (not "three weeks"), "What's the Wi-Fi password?" a code.
"""

from __future__ import annotations

import re
from enum import Enum


class Expects(Enum):
    CODE = "code"
    NAME = "name"
    PRICE = "price"
    TIME = "time"
    DURATION = "duration"
    COUNT = "count"
    PHONE = "phone"
    NUMBER = "number"
    PLACE = "place"
    STEPS = "steps"
    ANY = "any"


_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_NUMBER_WORD = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
                r"fifty|sixty|hundred|thousand|dozen|half")
_UNIT = r"(seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_TIME = re.compile(r"\b\d{1,2}(:\d\d|\.\d\d)?\s?(a\.?m\.?|p\.?m\.?)(?!\w)|(?<![$€£¥\d.,])\b\d{1,2}[:.]\d\d\b|"
                   r"\bnoon\b|\bmidnight\b|"
                   r"\bo'clock\b|\b24 hours\b|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b|"
                   r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b|\bclosed\b|\bdaily\b|"
                   r"\bevery day\b|\bweekends?\b|\bweekdays?\b|\b\d{1,2}\s?(-|–|to)\s?\d{1,2}\b|\bholidays?\b|"
                   r"\bhalf past\b|\bquarter (past|to)\b|\b\d+ minutes? (before|after|early|earlier|late|later|ahead)\b|"
                   rf"\b{_MONTH}\.? \d{{1,2}}(st|nd|rd|th)?\b|\b\d{{1,2}}(st|nd|rd|th)? (of )?{_MONTH}\b",
                   re.IGNORECASE)
_PRICE = re.compile(r"[$£€¥]\s?\d|\d\s?(dollars?|euros?|pounds?|cents?|pence|usd|eur|gbp|chf)\b|(?<!-)\bfree\b|"
                    r"\bno charge\b|\bincluded\b|\bcomplimentary\b|\bat no cost\b|\d\s?(%|percent)|"
                    r"\b(there is|there's|with) no ([a-z-]+ )?(fee|charge|cost)s?\b|\bhalf[- ](price|fare)\b", re.IGNORECASE)
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{4,}|\b[A-Z]?[a-z]+[A-Z]\w*|[\"“][^\"”]{3,}[\"”]|"
                   r"(?i:\b(password|passcode|code|pin|network|network name|ssid|login)\b[^.]{0,40}(\bis|:)\s+\S+)")
_NAME = re.compile(r"[\"“][^\"”]{2,}[\"”]|\b[A-Z]?[a-z]+[A-Z]\w*|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{4,}|"
                   r"(?i:\b(called|named|name is|name:))\s+\S+")
_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORD})\b", re.IGNORECASE)
_DURATION = re.compile(rf"(\d+(\.\d+)?|\b({_NUMBER_WORD}|a|an))[\s-]+((working|business|full|calendar) )?{_UNIT}\b|"
                       r"\bevery\b|"
                       r"\b(daily|weekly|monthly|hourly)\b",
                       re.IGNORECASE)
_AMOUNT = re.compile(rf"((?<![\d.])\d+(\.\d+)?(?![\d.])|\b({_NUMBER_WORD})\b)"
                     rf"(?![\s-]*({_UNIT}\b(?! old)|a\.?m\b|p\.?m\b|:\d))",
                     re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w$€£.])\+?\(?\d[\d\s().-]{5,}\d(?![\w.]\d)")
"""Seven digits or more, as phone numbers are written: "555-0100", "0800 555 217", "+44 20 7946 0321"."""
_PLACE = re.compile(r"\b(floor|level|left|right|next to|beside|behind|opposite|across|near|by the|past the|"
                    r"end of|corner|ground|upstairs|downstairs|basement|entrance|exit|room|hall|wing|corridor|"
                    r"north|south|east|west|gate|platform|inside|outside|outdoors|"
                    r"between|above|below|straight|turn|follow|signs?|desk|lobby|atrium|terrace|street|lane|"
                    r"road|walk|minutes? away|pier|terminal|concourse|mezzanine|arrivals|departures|lounge|foyer|"
                    r"reception|square|building|car park)\b", re.IGNORECASE)
_PATTERNS = {Expects.CODE: _CODE, Expects.NAME: _NAME, Expects.PRICE: _PRICE, Expects.TIME: _TIME,
             Expects.DURATION: _DURATION, Expects.COUNT: _AMOUNT, Expects.PHONE: _PHONE, Expects.NUMBER: _NUMBER,
             Expects.PLACE: _PLACE}

HARD_KINDS = frozenset({Expects.CODE, Expects.NAME, Expects.PRICE, Expects.TIME, Expects.DURATION, Expects.COUNT,
                        Expects.PHONE, Expects.NUMBER})
"""Kinds an answer must carry; a place is often said without a place word ("beside the shop" is, "in the
garden café" is not), so its absence only lowers a sentence's score; steps are whatever the passage says."""


_EXACT = {Expects.PRICE: re.compile(r"[$€£¥]\s?\d|\d\s?(dollars?|euros?|pounds?|cents?|pence)\b", re.IGNORECASE),
          Expects.TIME: re.compile(r"\b\d{1,2}([:.]\d\d)?\s?(a\.?m\.?|p\.?m\.?)(?!\w)|\b\d{1,2}:\d\d\b|\bnoon\b|"
                                   r"\bmidnight\b", re.IGNORECASE)}


def states_exactly(sentence: str, expects: Expects) -> bool:
    """An amount or a clock time written out, rather than "free", "half price" or "closed"."""
    pattern = _EXACT.get(expects)
    return bool(pattern and pattern.search(sentence))


_PERCENT = re.compile(r"\d\s?(%|percent)", re.IGNORECASE)


def only_a_percentage(sentence: str) -> bool:
    """"Save up to 40 percent": a discount, which answers "is it cheaper?" but not "how much is it?"."""
    return bool(_PERCENT.search(sentence)) and not _PRICE.search(_PERCENT.sub(" ", sentence))


def carries(sentence: str, expects: Expects) -> bool:
    """Whether `sentence` holds the kind of fact the question wants (any sentence, for ANY and STEPS)."""
    pattern = _PATTERNS.get(expects)
    return pattern is None or bool(pattern.search(sentence))
