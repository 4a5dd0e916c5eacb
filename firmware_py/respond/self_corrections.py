"""A request the speaker corrected as they said it: "Turn on the kitchen, no, the bedroom light." means "Turn on
the bedroom light."; "Set a timer for five, sorry, ten minutes." a timer for ten minutes. Read as written, the
two names made one unknown device ("kitchen bedroom") and the device refused it; the two numbers, one wrong.

The correction follows a marker ("no", "sorry", "I mean", "wait", "actually", "or rather", "make that") and
replaces the part of the request it is like: a name after an article replaces the last name said with one, a
number the last number said, a name alone the words after the last article, and a new verb the whole request.
"""

from __future__ import annotations

import re
from typing import Callable

from .number_words import NUMBER_OF_WORD
from .openings import COMMAND_WORDS

_SAID = r"no|nope|sorry|wait|actually|i mean|i meant"
"""Words that correct what was just said, wherever they stand."""
_REPHRASED = r"or rather|rather|make (?:that|it)"
_STARTLED = r"oops|whoops"
MARKER = re.compile(r"[,.;]\s*(?:no,? wait|no,? sorry|sorry,? no|" + _SAID + "|" + _REPHRASED + r")[,.]*\s+(?=\w)"
                    r"|\s(?:i mean|i meant|no wait|or rather|make that),*\s+(?=\w)", re.I)
"""A correction's marker: after a comma (as the recogniser writes a pause), or a phrase no request holds."""
MORE_MARKERS = re.compile(r"^(?:(?:" + _SAID + "|" + _REPHRASED + r")\b[,.]*\s*)+", re.I)
"""Markers said one after another ("Sorry, I meant the porch light."): the correction is what follows them all."""
OPENS_WITH_A_MARKER = re.compile(r"^\W*(?:" + _SAID + "|" + _STARTLED + r"|make (?:that|it))\b", re.I)
MARKER_ALONE = re.compile(r"^\W*(?:(?:" + _SAID + "|" + _STARTLED + r")\b[\s,.!]*)+$", re.I)
"""A correction's marker said alone, its correction after a pause ("No. | The porch light.")."""
ARTICLES = frozenset({"the", "my", "a", "an", "that", "this", "our"})
OPENERS = COMMAND_WORDS - {"on", "off", "up", "down"} | {
    "never", "what", "what's", "how", "wake", "remind", "dim", "brighten", "shut", "raise", "lower", "add", "take",
    "kill", "is", "are", "can", "could", "please", "make", "put", "give", "lock", "unlock", "unpause"}
"""First words of a correction that is a whole new request ("..., actually, never mind")."""
REQUEST_VERBS = OPENERS - {"what", "what's", "how", "is", "are", "can", "could", "please"}
"""A request's verbs: a part of one is corrected only within a request ("What is the capital of France, I mean
Germany?" is left as said)."""
_NUMBER = re.compile(r"^(?:\d+(?:[.:]\d+)?|(?:" + "|".join(NUMBER_OF_WORD) + r")(?:-(?:" + "|".join(NUMBER_OF_WORD)
                     + r"))?|hundred|half|quarter)$", re.I)


def _bare(word: str) -> str:
    return word.strip(",.;:!?\"'%").lower()


def _is_number(word: str) -> bool:
    return _NUMBER.match(_bare(word)) is not None


def corrected(text: str) -> str | None:
    """The request as the speaker corrected it, or None when it holds no correction this can place."""
    markers = list(MARKER.finditer(text))
    if not markers:
        return None
    last = markers[-1]
    before, correction = text[:last.start()].split(), MORE_MARKERS.sub("", text[last.end():]).split()
    if not before or not correction:
        return None
    first = _bare(correction[0])
    if first in OPENERS:
        return " ".join(correction)
    if first == "not" or not {_bare(word) for word in before[:4]} & REQUEST_VERBS:
        return None   # "..., no, not the kitchen": says what is not meant, not what is
    if first in ARTICLES:
        at = _last_index(before, lambda word: _bare(word) in ARTICLES)
        return None if at is None else " ".join(before[:at] + correction)
    if _is_number(correction[0]):
        return _number_corrected(before, correction)
    at = _last_index(before, lambda word: _bare(word) in ARTICLES)
    return None if at is None else " ".join(before[:at + 1] + correction)


def _number_corrected(before: list[str], correction: list[str]) -> str | None:
    """The last number said replaced: by the number alone when that is all the correction is ("for five
    minutes, no, ten" keeps "minutes"), else with all that followed it."""
    end = _last_index(before, _is_number)
    if end is None:
        return None
    start = end
    while start > 0 and _is_number(before[start - 1]):
        start -= 1
    if all(_is_number(word) for word in correction):
        tail = correction[-1][len(correction[-1].rstrip(",.;:!?")):]
        unit = re.sub(r"^[\w.:-]+", "", before[end]).rstrip(",.;:!?")   # "30%" keeps its "%" for "50"
        number = correction[-1].rstrip(",.;:!?%") + unit
        return " ".join(before[:start] + [*correction[:-1], number] + before[end + 1:]) + tail
    return " ".join(before[:start] + correction)


def _last_index(words: list[str], wanted: Callable[[str], bool]) -> int | None:
    for index in range(len(words) - 1, -1, -1):
        if wanted(words[index]):
            return index
    return None


def opens_with_a_correction(text: str) -> bool:
    """Do these words open as a correction of what was said before them ("No, the porch light.", "Sorry, I
    meant ten minutes.")?"""
    return OPENS_WITH_A_MARKER.match(text) is not None


def only_a_marker(text: str) -> bool:
    """Are these words a correction's marker alone ("No.", "Sorry, no."), the correction still to come?"""
    return MARKER_ALONE.match(text) is not None
