"""A command whose meaning turns on one sound, checked against the audio before it runs.

"Unmute." after digital silence, its first sound clipped, is written "Mute.": heard right as words, wrong as a
request, and the device turns its microphone off. "Turn on" and "turn off", "resume" and "remove" the timer
are as close, and so are "fifteen" and "fifty" minutes. The words cannot tell; the audio can. A spoken command of such a family is read again within the
sentences of its family only (the commands that do otherwise to the same thing), and runs as heard unless a
reading that does otherwise comes within a nat of the likeliest: then the device asks which was meant, as it
does wherever the audio does not say ("Sorry, did you say "Mute" or "Unmute"?"). Never the other deed
unasked: the words heard said this one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..speech.stt import Rereading
from .base import ActionCall
from .command_grammar import CommandGrammar
from .command_reread import CLOSINGS, MARGIN, OPENINGS, from_the_verb
from .intent_matcher import IntentMatcher
from .number_words import TENS, UNITS

@dataclass(frozen=True)
class Family:
    """Commands that act on one thing in ways a single sound tells apart."""

    actions: frozenset[str]
    """The actions its commands run: what marks a claim as one of the family."""
    intents: frozenset[str]
    """The intents whose sentences the turn is read within."""


OPPOSITES: tuple[Family, ...] = (
    Family(frozenset({"turn_on", "turn_off", "open_cover", "close_cover"}),   # on / off, and open / close
           frozenset({"HassTurnOn", "HassTurnOff", "action:device_on", "action:device_off", "action:open_cover",
                      "action:close_cover"})),
    Family(frozenset({"set_mute"}), frozenset({"action:set_mute", "HassMediaPlayerMute", "HassMediaPlayerUnmute"})),
    Family(frozenset({"cancel_timer", "resume_timer", "pause_timer"}),   # "remove", "resume", "pause" the timer
           frozenset({"HassCancelTimer", "action:cancel_timer", "HassUnpauseTimer", "action:resume_timer",
                      "HassPauseTimer", "action:pause_timer"})),
)
POLARITY_ARGUMENTS = frozenset({"muted", "seconds"})
"""Arguments that say what is done rather than to what (a timer's length is what is done to it)."""
TEENS_AND_TENS = frozenset({*(word for word, n in UNITS.items() if n >= 13), *(word for word, n in TENS.items() if n >= 30),
                            *(str(n) for n in range(13, 20)), *(str(n) for n in range(30, 100, 10))})
"""Numbers one sound from another: "fifteen" and "fifty" differ by their ending alone."""
RIVAL_LENGTHS = TEENS_AND_TENS | {"ten", "10"}
"""Numbers a reading may give instead of one of those: "timer for ten" runs together as "time of fourteen"."""
DURATION_ACTIONS = frozenset({"set_timer", "add_timer_time", "take_timer_time"})
"""Timer actions whose length a number says."""
READ_MARGIN = 40.0
"""How far below the free reading the family's readings are searched: the heard sentence itself may read well
below it when the recogniser wrote a word the sentences do not hold ("Which, on the bedroom fan," read as
"Switch on ..." 7.6 below), and the check compares the family's readings with each other, not with it."""


UNMENDED_MARGIN = MARGIN
"""How far below the free reading a reading that does otherwise may be and still be asked about, when the claim
was matched from the words as written (nothing mended: they are the recogniser's likeliest reading, and they
said the claim's deed), as for any command read again (command_reread.MARGIN). Over the kept turns of seventeen
runs, the other deeds rightly asked about read 0.8-3.9 nats below what was written ("Set a time of fourteen
seconds." as "... for thirty seconds", "Remove the timer." as "Resume ..."); "Turn off the bedroom then" (the
bedroom fan, heard off) read as "Turn the bedroom on." 14.3 below, the family holding no sentence with "then",
and the device asked which (seed 811). A claim mended from its words ("As in the timer," as a pause, for a
clipped "Resume the timer.") has no such words behind it: the family's readings decide (`READ_MARGIN`)."""


@dataclass(frozen=True)
class Deed:
    """What an action does, and to what."""

    verb: tuple[str, ...]
    target: frozenset[tuple[str, str]]


def deeds(actions: tuple[ActionCall, ...]) -> tuple[Deed, ...]:
    return tuple(_deed(call) for call in actions)


def _deed(call: ActionCall) -> Deed:
    polarity = sorted(POLARITY_ARGUMENTS & call.arguments.keys())
    return Deed((call.name, *(f"{key}={call.arguments[key]}" for key in polarity)),
                frozenset((key, str(value)) for key, value in call.arguments.items() if key not in POLARITY_ARGUMENTS))


def does_otherwise(heard: tuple[ActionCall, ...], read: tuple[ActionCall, ...]) -> bool:
    """Do the two act on the same things, but do something else to them ("Mute" and "Unmute"; "Turn on the
    porch light" and "Turn off the porch light"; not "Turn on the porch light" and "Turn on the kitchen light")?"""
    heard_deeds, read_deeds = deeds(heard), deeds(read)
    return (bool(heard_deeds) and [deed.target for deed in heard_deeds] == [deed.target for deed in read_deeds]
            and [deed.verb for deed in heard_deeds] != [deed.verb for deed in read_deeds])


def family_of(actions: tuple[ActionCall, ...]) -> Family | None:
    """The family every one of the actions belongs to, if one does."""
    names = {call.name for call in actions}
    return next((family for family in OPPOSITES if names and names <= family.actions), None)


def said_plainly(text: str) -> str:
    """The request without the words around it, as a question puts it back ("Can you turn on the kitchen
    light?" -> "Turn on the kitchen light", "Um, mute." -> "Mute")."""
    words = from_the_verb(text).split()
    bare = [word.strip(".,!?").lower() for word in words]
    openings = [phrase.split() for phrase in OPENINGS]
    while (opening := next((phrase for phrase in openings if bare[:len(phrase)] == phrase), None)) and len(bare) > len(opening):
        words, bare = words[len(opening):], bare[len(opening):]   # "Please, could you ..."
    if len(words) > 1 and bare[-1] in CLOSINGS:
        words = words[:-1]
    plain = " ".join(words).strip(".,!? ")
    return plain[:1].upper() + plain[1:]


def heard_otherwise(claim: tuple[ActionCall, ...], heard: str, reading: Rereading,
                    actions_of: Callable[[str], tuple[ActionCall, ...] | None],
                    margin: float = READ_MARGIN) -> tuple[str, str] | None:
    """The likeliest reading within the family, or one within RIVAL_NATS of it (`reading.rivals`), that does
    otherwise than the `claim` to the same things, within `margin` nats of the free reading, beside the
    likeliest that does what the claim does (`heard`, as written, when none does: "Turn on the kitchen life");
    None when no reading does otherwise, or when it would only remove a timer the words asked to resume or
    pause (`removal_unheard`). `actions_of`: what a text's command runs."""
    other, same = "", ""
    other_actions: tuple[ActionCall, ...] = ()
    for text, score in ((reading.text, reading.score), *reading.rivals):
        actions = actions_of(text) if text else None
        believable = reading.heard_score - score <= margin
        if actions is not None and not other and believable and does_otherwise(claim, actions):
            other, other_actions = text, actions
        elif actions is not None and not same and deeds(actions) == deeds(claim):
            same = text
    return (same or heard, other) if other and not removal_unheard(claim, other_actions) else None


def removal_unheard(claim: tuple[ActionCall, ...], other: tuple[ActionCall, ...]) -> bool:
    """Does the other reading remove a timer the words heard asked to resume or pause? Then what was heard runs,
    unasked: a resume or a pause is undone by a word, a removal is not, and the words said the undoable deed
    (espeak's fast "Resume the timer." heard "Resumed the timer," was read "Remove the timer." in the family
    and asked which, seeds 719 and 743). A removal heard with a resume read is still asked about."""
    return (bool(claim) and all(call.name in ("resume_timer", "pause_timer") for call in claim)
            and bool(other) and all(call.name == "cancel_timer" for call in other))


REMOVE = re.compile(r"\bremove(d)?\b", re.I)


def resumed_instead(heard: str, actions: tuple[ActionCall, ...]) -> str | None:
    """ "Remove the timer." heard, as "Resume the timer." would be said: the words with "resume" in its place
    when the claim cancels a timer and its verb was "remove" (one sound from "resume", and both readings may
    agree on it: espeak's fast "Resume the timer." was read "Remove" twice); None otherwise. Asked about only
    while that timer is paused, when resuming it is as likely as removing it."""
    if len(actions) != 1 or actions[0].name != "cancel_timer" or actions[0].arguments.get("all"):
        return None
    return REMOVE.sub(_resume_as_said, heard, count=1) if REMOVE.search(heard) else None


def _resume_as_said(found: re.Match[str]) -> str:
    return "Resume" if found.group(0)[0].isupper() else "resume"


def teen_or_ten_length(actions: tuple[ActionCall, ...], heard: str,
                       numbers: frozenset[str] = TEENS_AND_TENS) -> str | None:
    """The timer's name (or "") when the heard request gives a timer a length with a number one sound from
    another ("an hour and fifteen minutes" beside "fifty"; `numbers`: those numbers); None otherwise."""
    if len(actions) != 1 or actions[0].name not in DURATION_ACTIONS or "seconds" not in actions[0].arguments:
        return None
    words = {word.strip(".,!?").lower() for word in heard.replace("-", " ").split()}
    return str(actions[0].arguments.get("label", "")).lower() if words & numbers else None


class OppositeReading:
    """The families' grammars (each small, built on first use) and the reading of a turn within one."""

    def __init__(self, matcher: IntentMatcher) -> None:
        self._matcher = matcher
        self._grammars: dict[Family, CommandGrammar] = {}
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Build every family's grammar (start-up pays for it, not the first such command)."""
        for family in OPPOSITES:
            self.grammar(family)

    def grammar(self, family: Family) -> CommandGrammar:
        with self._lock:
            grammar = self._grammars.get(family)
            if grammar is None:
                library = self._matcher.library_intents
                names = sorted(name for name in family.intents if name in library.intents)
                grammar = CommandGrammar(library, names, self._matcher.slot_lists, OPENINGS, CLOSINGS)
                self._grammars[family] = grammar
            return grammar

    def read(self, audio: np.ndarray, stt: Any, family: Family, width: int) -> Rereading | None:
        """Blocking (the STT thread): the turn read within the family's sentences, never trusting the free
        reading (it was heard as a command: the doubt is which one)."""
        grammar = self.grammar(family)
        grammar.forget()
        return stt.read_within(audio, grammar, READ_MARGIN, width, trusted=0.0, heard_within=True)
