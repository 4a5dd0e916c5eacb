"""Which tools one user turn may need: a cheap word match that narrows a small model's choice.

SmolLM2-135M tells "answer in words" from a dozen tools poorly (asked "hello", it reads the clock), and
each offered tool is one more way to be wrong. Most commands are matched by intents before the LLM runs,
so what reaches it is mostly chat. A tool is therefore offered for a turn only when the turn's words point
at it: a word of its name or description (plurals folded), or a common synonym of one. A word of the name
counts twice, and only the best-scoring tools are offered ("remind me in 2 minutes" points at every timer
tool, most at set_timer). No tool matched: the turn is plain chat and the decision step is skipped.

The prompt itself still lists every tool, so the cached prompt prefix stays the same whatever is offered;
only the choice the model may make is narrowed.
"""

from __future__ import annotations

import re
from typing import Iterable

_WORD = re.compile(r"[a-z]+")

SYNONYMS: dict[str, str] = {
    # timers
    "remind": "timer", "reminder": "timer", "alarm": "timer", "countdown": "timer", "minute": "timer",
    "second": "timer", "hour": "timer",
    # time and date
    "clock": "time", "day": "date", "today": "date", "month": "date", "year": "date", "weekday": "date",
    # volume and mute
    "louder": "volume", "quieter": "volume", "softer": "volume", "loud": "volume", "sound": "volume",
    "up": "volume", "down": "volume", "silence": "mute", "quiet": "mute", "hush": "mute", "shut": "mute",
    "unmute": "mute", "microphone": "mute", "mic": "mute", "stop": "cancel",
    # devices
    "lamp": "light", "lights": "light", "bulb": "light", "plug": "switch", "socket": "switch",
    "blind": "cover", "curtain": "cover", "shutter": "cover", "garage": "cover",
}
"""User word -> a word tools use. Only words that would not point at a tool by themselves."""

STOP_WORDS = frozenset("""
a an and are as at be by can do does for from get give given has have how i if in is it its me my of on one
or set that the their them then this to use user what when which who will with you your current local start
names name each left if there any some make please list
""".split())
"""Words too common in tool descriptions or questions to point at any one tool."""


def words(text: str) -> set[str]:
    """Lower-case words with plural -s folded ("timers" -> "timer"), stop words left out."""
    found = set()
    for word in _WORD.findall(text.lower()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word not in STOP_WORDS:
            found.add(word)
    return found


def relevant_tools(text: str, tools: Iterable[tuple[str, str]]) -> list[str]:
    """Names of the best-matching tools (name, description) for the turn `text`, in the given order;
    empty when no tool shares a word with it."""
    said = words(text)
    said |= {SYNONYMS[w] for w in said if w in SYNONYMS}
    scores = {name: 2 * len(said & words(name.replace("_", " "))) + len(said & words(description))
              for name, description in tools}
    best = max(scores.values(), default=0)
    return [name for name, score in scores.items() if score == best] if best else []
