"""A sum said aloud ("What is five plus three?"), answered only from numbers that were heard as numbers.

A number is the one thing in a sum no other word can stand for, and the one a clipped sound hides best:
"five" came out of the recogniser as "by", "I'm", "in I" or "fine", and mending or reading the audio again
made it eight, nine or forty-nine ("8 plus 3 is 11", said with confidence). So a sum whose number was mended,
read again from the audio, or not heard as a number at all is never answered with a guess: the device asks
for that number ("Sorry, I didn't catch the first number: what plus 3?"), and the reply completes the sum.
"""

from __future__ import annotations

import re
from typing import Any

from .base import Answer
from .number_words import TENS, UNITS, spelt_numbers

OPERATOR_SAID = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}
SIDES = ("first", "second")
_OPENING = (r"^(?:(?:.*\b)?(?:what is|what's|whats|how much is|calculate)|(?!what\b)[a-z']{2,5} (?:is|his|as))\s+"
            r"(?:(?:is|in|of)\s+)?(?P<a>.+?)\s+(?P<op>")
PLAIN_OPERATORS = ("plus", "minus", "times", "multiplied by", "divided by")
"""Operators that say a sum whatever surrounds them ("What is ten and the weather?" is none)."""
_SUM_SHAPES = tuple(re.compile(_OPENING + "|".join(operators) + r")\s+(?P<b>.+?)$") for operators in (
    PLAIN_OPERATORS, ("over", "less", "take away", "add", "and", "x")))
"""A sum's sides as heard ("what is by plus three": "by", "plus", "three"), from the last opening said ("What is,
what is five plus three") and past an "is" written twice or as "in" ("What's in five plus three"), or opened by a
short word and "is" where "what is" lost its first sounds ("Had his five plus three", seed 839); the plain
operators first, so that "one hundred and five minus five" is split at "minus"."""
_NUMBER_WORD = "(?:" + "|".join(["zero", *UNITS, *TENS]) + ")"
_NUMBER_SAID = re.compile(rf"^{_NUMBER_WORD}(?: (?:{_NUMBER_WORD}|hundred|thousand|and))*$")
"""A number as words ("one hundred and five"): a number word first."""
MAX_SIDE_WORDS = 2
"""The most words an unheard number may have been written as ("in I"): more is no sum with a number lost."""


def said_sum(text: str) -> tuple[str, str, str] | None:
    """A sum's first side, operator and second side, as said (numbers as words, lower case, no marks), or None
    when `text` is no sum."""
    plain = re.sub(r"[^\w' ]+", " ", spelt_numbers(text).lower().replace("-", " "))
    plain = " ".join(plain.split())
    found = next((found for shape in _SUM_SHAPES if (found := shape.match(plain))), None)
    return (found.group("a"), found.group("op"), found.group("b")) if found else None


def is_number_said(words: str) -> bool:
    """Are these words a number as said ("one hundred and five"), nothing else?"""
    return bool(_NUMBER_SAID.match(words))


def unheard_sides(slots: dict[str, Any], heard: str) -> list[str]:
    """Which of a matched sum's numbers ("first", "second") the words `heard` do not say as that number."""
    found = said_sum(heard)
    said = [spelt_numbers(number_shown(float(slots[key]))) for key in ("number_a", "number_b")]
    if found is None:   # the sum's shape was mended too: each number counts as heard only if said somewhere
        words = f" {' '.join(re.sub(r'[^a-z ]+', ' ', spelt_numbers(heard).lower()).split())} "
        return [side for side, number in zip(SIDES, said) if f" {number} " not in words]
    return [side for side, number, words in zip(SIDES, said, found[::2]) if words.replace(" and ", " ") != number]


def sum_answer(slots: dict[str, Any], heard: str) -> Answer:
    """The sum worked out when both its numbers were heard; else the number that was not, asked for."""
    unheard = unheard_sides(slots, heard)
    if not unheard:
        return Answer("intent", text=worked_out(slots))
    if len(unheard) == 2:
        return Answer("intent", text="Sorry, I didn't catch the numbers of that sum.")
    return number_asked(unheard[0], slots)


def number_asked(side: str, slots: dict[str, Any]) -> Answer:
    """"Sorry, I didn't catch the first number: what plus 3?" (the `side` not heard of the sum in `slots`), with
    the frame its reply completes."""
    said = OPERATOR_SAID[slots["operator"]]
    other = number_shown(float(slots["number_b" if side == "first" else "number_a"]))
    asked, frame = ((f"what {said} {other}", f"what is {{reply}} {said} {other}") if side == "first"
                    else (f"{other} {said} what", f"what is {other} {said} {{reply}}"))
    return Answer("intent", text=f"Sorry, I didn't catch the {side} number: {asked}?", frame=frame)


def plain_sum(text: str) -> tuple[str | None, str] | None:
    """A sum said around words the sentences do not hold ("What's in five plus three?"), or with one number
    heard as a word or two that are no number ("What is by plus three?"): (the side not heard, or None when
    both were; the sum as the sentences say it, an unheard side said as zero, to be matched for the other's
    value). None for anything else."""
    found = said_sum(text)
    if found is None:
        return None
    a, operator, b = found
    heard = [is_number_said(a), is_number_said(b)]
    if not any(heard) or operator not in PLAIN_OPERATORS:
        return None
    if all(heard):
        return None, f"what is {a} {operator} {b}"
    lost = heard.index(False)
    if len((a, b)[lost].split()) > MAX_SIDE_WORDS:
        return None
    return SIDES[lost], f"what is {'zero' if lost == 0 else a} {operator} {b if lost == 0 else 'zero'}"


def worked_out(slots: dict[str, Any]) -> str:
    a, b, op = float(slots["number_a"]), float(slots["number_b"]), slots["operator"]
    if op == "/" and b == 0:
        return "You can't divide by zero."
    value = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else 0.0}[op]
    shown = number_shown(round(value, 2))   # "8.33", not "8.33333"
    return f"{number_shown(a)} {OPERATOR_SAID[op]} {number_shown(b)} is {shown}."


def number_shown(value: float) -> str:
    """A sum's number as the answer writes it: 8, 2.5."""
    return str(int(value)) if value == int(value) else f"{value:g}"
