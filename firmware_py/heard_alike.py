"""Whether a word the recogniser wrote may be a known name heard a little wrong: the same beats, and one
sound apart however it is spelt. Shared by device names and timer names, so both forgive the same slips."""

from __future__ import annotations

import re

import jellyfish


def syllables(word: str) -> int:
    """About how many syllables a word has: its vowel groups, a silent final "e" not counted."""
    letters = word.lower().strip("-'")
    if len(letters) > 2 and letters.endswith("e") and not letters.endswith(("le", "ee")):
        letters = letters[:-1]
    return max(1, len(re.findall(r"[aeiouy]+", letters)))


def spoken_syllables(text: str) -> int:
    """About how many syllables a sentence has (numbers in digits not counted: spell them first)."""
    return sum(syllables(word) for word in re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower()))


def one_sound_apart(heard: str, name: str) -> bool:
    """Metaphone keys of at least two sounds that differ by one ("then" for "fan" by th for f, "clocky" for
    "cookie" by an l), with the same number of syllables (a mis-heard word keeps its beats: "gator" is no
    "door")."""
    if syllables(heard) != syllables(name):
        return False
    heard_key, name_key = jellyfish.metaphone(heard), jellyfish.metaphone(name)
    return min(len(heard_key), len(name_key)) >= 2 and jellyfish.levenshtein_distance(heard_key, name_key) <= 1


def one_sound_swapped(heard: str, name: str) -> bool:
    """One sound apart by a sound put for another ("math room", "bathroom"), not by one added or left out
    ("their room" is no "bathroom": the "b" is not there at all)."""
    return one_sound_apart(heard, name) and len(jellyfish.metaphone(heard)) == len(jellyfish.metaphone(name))


def sounds_alike(heard: str, said: str) -> float:
    """How alike two sentences sound, 0-1: one minus the edit distance between the metaphone keys of their
    letters run together, over the longer key ("Closing off his lines." and "Close the office blinds." 0.55;
    "What is by plus three?" and "What is the time?" 0.33)."""
    heard_key, said_key = (jellyfish.metaphone("".join(re.findall(r"[a-z]+", text.lower()))) for text in (heard, said))
    longer = max(len(heard_key), len(said_key))
    return 1.0 - jellyfish.levenshtein_distance(heard_key, said_key) / longer if longer else 0.0
