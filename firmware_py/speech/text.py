"""Text for a voice: written forms read out as words, and sentence splitting for streamed synthesis.

`normalize_for_speech("It is 12:30 and 21 degrees.")` -> "It is twelve thirty and twenty-one degrees."
Both voices get the same words, so the hibari and piper engines read numbers, prices, dates and
abbreviations alike. Times, dates, units and street/title abbreviations come from hibari's normaliser
(installed with the hibari-tts package); money, percentages, ordinals, years and plain numbers are read here.
"""

from __future__ import annotations

import re
import unicodedata

from hibari.g2p import numbers as words
from hibari.g2p.normalize import normalize as hibari_normalize

from ..sentences import split_sentences

__all__ = ["normalize_for_speech", "speakable", "split_sentences"]

"""Longer sentences are cut at clause punctuation, so the first audio of a long answer is not delayed."""

_TITLES = {"Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Prof": "Professor", "St": "Saint"}
_LATIN = {"e.g.": "for example", "i.e.": "that is", "etc.": "et cetera", "vs.": "versus", "approx.": "approximately"}
_CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
               "€": ("euro", "euros", "cent", "cents")}
_YEAR_WORDS = r"(?:in|since|from|until|till|by|of|year|before|after|around|circa|during|between|and|to)"

_TITLE = re.compile(r"\b(Dr|Mr|Mrs|Ms|Prof|St)\.?(?= [A-Z])")
_LATIN_RE = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in _LATIN) + r")(?=\W|$)", re.IGNORECASE)
_MONEY = re.compile(r"([$£€])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?!\d)")
_PERCENT = re.compile(r"(-?\d+(?:\.\d+)?)\s?%")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_DECADE = re.compile(r"\b(1[1-9]|20)?(\d)0s\b")
_YEAR = re.compile(rf"(?i:\b{_YEAR_WORDS}\s)(1[1-9]\d\d|20\d\d)\b(?![.,]\d)")
_NUMBER = re.compile(r"(?<![\w.])(-)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\d])")
_SPACES = re.compile(r"\s+")
_PHONE = re.compile(r"(?<![\w.])\+\d{1,4}(?:[ -]\d{1,5}){1,}(?!\d)"        # +44 20 7946 0958
                    r"|(?<![\w.+-])(?:\d{3}-)?\d{3}-\d{4}(?![\d-])"           # 555-0100, 212-555-0100
                    r"|(?<![\w.+])\d{2,5}(?: \d{2,5}){2,}(?!\d)")           # 0800 123 4567
_LEADING_ZERO = re.compile(r"(?<![\w.,:$£€])0\d{2,}(?!\d|[.,:]\d)")
_UNIT_OR_ORDINAL = re.compile(r"\d+[a-z]{1,3}")
_MERIDIEM = re.compile(r"(?<![:\d])(\d{1,2})\s?([ap])(?:\.m\.|m\b)", re.IGNORECASE)
_CODE = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z\d]{3,}\b")
_RUNS = re.compile(r"[A-Za-z]+|\d+")


def _digits(text: str) -> str:
    return " ".join(words.ONES[int(d)] for d in text if d.isdigit())


def _phone(match: re.Match[str]) -> str:
    """"+44 20 7946 0958" digit by digit, a short pause between the groups: numbers people dial or copy."""
    groups = match.group(0).replace("-", " ").split()
    spoken = ", ".join(_digits(group) for group in groups)
    return ("plus " if match.group(0).startswith("+") else "") + spoken


def _code(match: re.Match[str]) -> str:
    """"7F3K9Q" and "Guest2024" as written: digits one by one, letters spelled unless they make a word
    ("3rd", "1980s", "10am" are left to the number rules)."""
    if _UNIT_OR_ORDINAL.fullmatch(match.group(0)):
        return match.group(0)
    parts = []
    for run in _RUNS.findall(match.group(0)):
        if run.isdigit():
            parts.append(_digits(run))
        elif len(run) >= 3 and (run.islower() or run.istitle()):
            parts.append(run)
        else:
            parts.append(" ".join(run.upper()))
    return " ".join(parts)


def normalize_for_speech(text: str) -> str:
    """`text` with written forms spelled out as a voice should say them; phone numbers, codes and numbers
    with a leading zero are read character by character, as written."""
    text = speakable(text)
    text = _MERIDIEM.sub(lambda m: f"{m.group(1)} {m.group(2).upper()}.M.", text)   # "10am", as hibari says "7:05 pm"
    text = _PHONE.sub(_phone, text)
    text = _CODE.sub(_code, text)
    text = _LEADING_ZERO.sub(lambda m: _digits(m.group(0)), text)
    text = _TITLE.sub(lambda m: _TITLES[m.group(1)], text)
    text = _LATIN_RE.sub(_latin, text)
    text = hibari_normalize(text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: f"{_number_words(m.group(1))} percent", text)
    text = _ORDINAL.sub(lambda m: words.ordinal(int(m.group(1))), text)
    text = _DECADE.sub(_decade, text)
    text = _YEAR.sub(lambda m: m.group(0).replace(m.group(1), _plain(words.year(int(m.group(1))))), text)
    text = _NUMBER.sub(_number, text)
    return _SPACES.sub(" ", text).strip()


def speakable(text: str) -> str:
    """Printable text only: control characters, emoji and other symbols a voice cannot say become spaces."""
    kept = []
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        if category[0] in "LNPZ" or ch in "$£€%°+=<>~#&@/":
            kept.append(" " if category[0] == "Z" else ch)
        else:
            kept.append(" ")
    return _SPACES.sub(" ", "".join(kept)).strip()


def _latin(match: re.Match[str]) -> str:
    """"e.g." -> "for example"; the abbreviation's period still ends the text when it was last."""
    at_end = not match.string[match.end():].strip()
    return _LATIN[match.group(1).lower()] + ("." if at_end else "")


def _plain(spoken: str) -> str:
    """Number words without the commas num2words puts between groups (they would become pauses)."""
    return spoken.replace(",", "")


def _number_words(number: str) -> str:
    negative = number.startswith("-")
    whole, _, fraction = number.lstrip("-").replace(",", "").partition(".")
    spoken = _plain(words.cardinal(int(whole)))
    if fraction:
        spoken += " point " + " ".join(words.ONES[int(d)] for d in fraction)
    return ("minus " if negative else "") + spoken


def _number(match: re.Match[str]) -> str:
    sign, whole, fraction = match.groups()
    return _number_words((sign or "") + whole + (f".{fraction}" if fraction else ""))


def _money(match: re.Match[str]) -> str:
    symbol, whole, cents = match.groups()
    one, many, cent_one, cent_many = _CURRENCIES[symbol]
    amount = int(whole.replace(",", ""))
    cent_value = int(cents.ljust(2, "0")) if cents else 0
    parts = []
    if amount or not cent_value:
        parts.append(f"{_plain(words.cardinal(amount))} {one if amount == 1 else many}")
    if cent_value:
        parts.append(f"{_plain(words.cardinal(cent_value))} {cent_one if cent_value == 1 else cent_many}")
    return " and ".join(parts)


def _decade(match: re.Match[str]) -> str:
    """"1990s" -> "nineteen nineties", "80s" -> "eighties", "2000s" -> "two thousands"."""
    century, tens = match.group(1), int(match.group(2))
    if tens == 0:
        if not century:
            return match.group(0)
        return "two thousands" if century == "20" else f"{words.cardinal(int(century))} hundreds"
    decade = "tens" if tens == 1 else words.TENS[tens][:-1] + "ies"
    return f"{words.cardinal(int(century))} {decade}" if century else decade


