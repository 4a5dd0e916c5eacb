"""What the device may say back of the words it heard: never a slur or a swear word the recogniser wrote.

A refusal names what was heard ("I don't know a device called garage heater"), so a mis-hearing would be
said aloud, on a kiosk in a public place too ("Close the garage door." was once written with a slur for its
name). better-profanity's word list decides; it is read at the first refusal (~30 ms), never at start-up.
"""

from __future__ import annotations

import functools
import re
from importlib.resources import files

WORD = re.compile(r"[a-z0-9']+")


def fit_to_say_back(words: str) -> bool:
    """May these heard words be repeated aloud?"""
    said = WORD.findall(words.lower())
    single, phrases = _unsayable()
    joined = f" {' '.join(said)} "
    return not (set(said) & single or any(f" {phrase} " in joined for phrase in phrases))


@functools.lru_cache(maxsize=1)
def _unsayable() -> tuple[frozenset[str], tuple[str, ...]]:
    lines = files("better_profanity").joinpath("profanity_wordlist.txt").read_text().splitlines()
    entries = [" ".join(WORD.findall(line.lower())) for line in lines]
    return (frozenset(entry for entry in entries if entry and " " not in entry),
            tuple(entry for entry in entries if " " in entry))
