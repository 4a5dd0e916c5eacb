"""The English number words the sentences read and weigh, in one place."""

from __future__ import annotations

import re

UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
         "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}

NUMBER_OF_WORD = {**UNITS, **TENS}
NUMBER_WORDS_OF = {n: word for word, n in NUMBER_OF_WORD.items()}
MISSPELT = {"fourty": "forty"}
"""Number words as the recogniser sometimes spells them ("Wake me up at five-fourty-five ...", seed 661)."""


def number_words_spelt(text: str) -> str:
    """`text` with misspelt number words (`MISSPELT`) spelt right."""
    return re.sub(r"[A-Za-z]+", lambda found: MISSPELT.get(found.group(0).lower(), found.group(0)), text)


def in_words(number: int) -> str:
    """0-999 as said: 60 "sixty", 45 "forty five", 120 "one hundred twenty"; larger numbers as digits."""
    if number == 0:
        return "zero"
    if not 0 < number < 1000:
        return str(number)
    hundreds, rest = divmod(number, 100)
    words = [f"{NUMBER_WORDS_OF[hundreds]} hundred"] if hundreds else []
    if rest in NUMBER_WORDS_OF:
        words.append(NUMBER_WORDS_OF[rest])
    elif rest:
        tens, units = divmod(rest, 10)
        words.append(f"{NUMBER_WORDS_OF[tens * 10]} {NUMBER_WORDS_OF[units]}")
    return " ".join(words)


def spelt_numbers(text: str) -> str:
    """`text` with its numbers written as words, "%" as "percent": how it sounds ("60%" is "sixty percent")."""
    text = re.sub(r"(\d+)\s*%", r"\1 percent", text)
    return re.sub(r"\d+", lambda found: in_words(int(found.group(0))), text)


UNIT_SECONDS = {"hour": 3600, "minute": 60, "second": 1}
LENGTH = re.compile(r"^(?:an?|(?P<number>\d+|[a-z]+(?:[ -][a-z]+)?)) (?P<unit>hour|minute|second)s?$", re.I)


def length_said(words: str) -> int:
    """Seconds when `words` are a length and nothing more ("fifteen minutes", "an hour", "25 seconds"), else 0."""
    found = LENGTH.match(words.strip(" .,!?"))
    if found is None:
        return 0
    number = found["number"] or "1"
    values = [int(number)] if number.isdigit() else [NUMBER_OF_WORD.get(MISSPELT.get(part, part), -1)
                                                      for part in re.split(r"[ -]", number.lower())]
    if -1 in values or len(values) == 2 and not (values[0] in TENS.values() and values[1] < 10):
        return 0   # not a number ("cookie minutes"), or two that make none ("fifteen twenty")
    return sum(values) * UNIT_SECONDS[found["unit"].lower()]
