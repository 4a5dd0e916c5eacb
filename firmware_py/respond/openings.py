"""A command's opening words heard as other words that sound like them, the word boundaries moved.

Speech-to-text often keeps the sounds of a command's first words and cuts them into other words: "Sent time
before ten minutes" (set a timer for), "Santa-timer, for three hours", "Torture timer for four minutes" (start
a timer for), "Closed, they, office blinds", "Unused the speaker". Word by word nothing is close; said as one
run of sounds (a metaphone key of the words joined), the heard opening is within a sound or two of the
command's. The matcher tries the command's opening in its place when nothing else matched.

Only imperative openings with keys of four sounds or more: a question ("what's that" for "what's the date")
or a two-sound opening ("set the") matches too much that was never a command. A heard opening that already
holds a command word ("turn on the") was heard as said: it is read only as an opening with that word too, never
as another ("turn off the").
"""

from __future__ import annotations

import re

import jellyfish

from ..integrations.devices import DEVICE_NOUNS

OPENINGS = ("set a timer for", "start a timer for", "timer for", "turn on the", "turn off the", "switch on the",
            "switch off the", "open the", "close the", "cancel the", "stop the", "resume the", "unmute the",
            "turn the volume", "set the volume to", "change the volume to")
OPENING_CUTOFF = 0.75
"""How alike the heard opening's sounds must be (1 - edit distance / the longer key) to be read as the command's:
"Sent a time before" (set a timer for) 0.75 yes; "Said the man for" (set a timer for) 0.71 no."""
MAX_HEARD_WORDS = 5
COMMAND_WORDS = frozenset({"turn", "switch", "set", "start", "open", "close", "cancel", "stop", "resume", "pause",
                           "mute", "unmute", "on", "off", "up", "down"})
"""Words that, heard, are taken as said: heard words holding one are read only as an opening that has it too."""
THINGS_NAMED = frozenset(DEVICE_NOUNS | {noun + "s" for noun in DEVICE_NOUNS}) - COMMAND_WORDS
"""Words for things a home has (but "switch", a verb too): a heard word that is one belongs to a name."""
POLARITY_WORDS = frozenset({"on", "off", "up", "down"})
"""The words of an opening that decide what its verb does."""
ARTICLES = frozenset({"a", "an", "the"})
_WORD = re.compile(r"[a-z']+")


def sound_key(words: list[str]) -> str:
    return jellyfish.metaphone("".join(words).replace("'", ""))


_KEYS = [(opening.split(), sound_key(opening.split())) for opening in OPENINGS]


SHORT_OPENINGS = ("set a", "start a")
"""Openings too short to read from sounds alone, read only before a name joined to "timer" ("Santa T-timer")."""
SHORT_OPENING_CUTOFF = 0.65
"""As OPENING_CUTOFF, for a short opening: "Santa" (set a) 0.67 yes; "Stop the" (set a) 0.5 no."""
_JOINED_NAME = re.compile(r"^([a-z']+)-timers?$", re.I)
_LETTER_BEFORE_TIMER = re.compile(r"\b([a-z])\.\s+(timers?)\b", re.I)
"""A letter the recogniser wrote for a short name, then "timer" ("Santa T. Timer," for "Set a tea timer"): the
name joined to "timer" as a hyphen joins it ("T-Timer")."""


def opening_mends(text: str) -> list[tuple[float, str, frozenset[str]]]:
    """`text` with its first words replaced by a command opening they sound like, best first: (how alike,
    the mended sentence, the heard words it kept)."""
    text = _LETTER_BEFORE_TIMER.sub(r"\1-\2", text)
    tokens = text.replace("-", " ").split()
    found: list[tuple[float, str, frozenset[str]]] = _named_timer_opening(text)
    # a name joined to "timer" by a hyphen ("T-timer", a tea timer) is a timer's name: never mended away
    joined_names = {name for token in text.split() if (name := _joined_name(token))}
    for count in range(1, min(MAX_HEARD_WORDS, len(tokens)) + 1):
        if not _WORD.search(tokens[count - 1].lower()):
            break   # a number is never part of an opening
        if set(_WORD.findall(tokens[count - 1].lower())) & THINGS_NAMED:
            break   # nor a thing a home has: "Said the four lamp to 25 percent" names a lamp, not the volume
        heard = [word for token in tokens[:count] for word in _WORD.findall(token.lower())]
        key = sound_key(heard)
        rest = tokens[count:]
        said = COMMAND_WORDS & set(heard)
        for opening, opening_key in _KEYS:
            if not said <= set(opening) or heard == opening:
                continue   # "turn on the" was heard as a command: never "turn off the"
            if said and POLARITY_WORDS & set(opening) - set(heard) and not set(heard) - said - ARTICLES:
                continue   # "Turn the timer": no word heard stood for the "off" that would decide what to do
            if opening[-1] in ("a", "the") and not _like_an_article(heard[-1]):
                continue   # "Said a pizza-timer" is a pizza timer, not "stop the timer"
            if heard[:len(opening)] == list(opening) and not _said_again(heard[len(opening):], opening[-1]):
                continue   # "Switch on the abbey light": the opening was heard whole, the word after it is the name's
            if any(word != "timer" and word.endswith("timer") for word in heard) or joined_names & set(heard):
                continue   # "an entimer" is a timer with a name run into it ("egg timer"): never dropped
            limit = 1 if len(opening_key) < 6 else 2
            distance = jellyfish.levenshtein_distance(key, opening_key)
            score = 1 - distance / max(len(key), len(opening_key))
            if distance <= limit and score >= OPENING_CUTOFF:
                kept = frozenset(word for token in rest for word in _WORD.findall(token.lower()))
                found.append((score, " ".join([*opening, *rest]), kept))
    return sorted(found, key=lambda item: -item[0])


def _said_again(extra: list[str], last: str) -> bool:
    """Are the words heard after a whole opening only its last word again ("timer for four twelve minutes")
    or articles ("turn on the the light")? Then the mend drops a repeat, not a word of what follows."""
    return all(word in ARTICLES or sound_key([word]) == sound_key([last]) for word in extra)


def _like_an_article(word: str) -> bool:
    """Could `word` be "the" or "a" heard as another word ("they", "there", "duh", "uh")? It opens with their
    sounds (th, d, t or a vowel) and is short; a word of its own ("pizza") was said."""
    return len(word) <= 5 and (word[:1] in "aeiou" or jellyfish.metaphone(word)[:1] in ("0", "T"))


def _named_timer_opening(text: str) -> list[tuple[float, str, frozenset[str]]]:
    """The one or two words before a name joined to "timer" ("Santa T-timer for three minutes") read as
    a short opening they sound like: "set a T timer for three minutes"."""
    tokens = text.split()
    for count in (1, 2):
        if len(tokens) <= count or not (name := _joined_name(tokens[count])):
            continue
        heard = [word for token in tokens[:count] for word in _WORD.findall(token.lower())]
        if not heard or COMMAND_WORDS & set(heard):
            continue   # "Set a T-timer" was heard as said
        for opening, score in _short_openings_like(heard):
            said = " ".join([opening, name, tokens[count].split("-", 1)[1], *tokens[count + 1:]])
            return [(score, said, frozenset({name}))]
    return []


def _joined_name(token: str) -> str:
    """The name in a word joined to "timer" ("T-timer": t); "" for none, and for a joined word that is itself
    the opening ("Santa-timer": set a timer)."""
    named = _JOINED_NAME.match(token.rstrip(".,!?"))
    return named.group(1).lower() if named and not _short_openings_like([named.group(1).lower()]) else ""


def _short_openings_like(heard: list[str]) -> list[tuple[str, float]]:
    """The short openings `heard` sounds like, with how alike, closest first."""
    key = sound_key(heard)
    found: list[tuple[str, float]] = []
    for opening in SHORT_OPENINGS:
        opening_key = sound_key(opening.split())
        score = 1 - jellyfish.levenshtein_distance(key, opening_key) / max(len(key), len(opening_key))
        if score >= SHORT_OPENING_CUTOFF:
            found.append((opening, score))
    return sorted(found, key=lambda item: -item[1])
