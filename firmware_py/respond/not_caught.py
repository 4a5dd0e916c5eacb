"""Words the recogniser itself was unsure of, which no responder took: "Sorry, I didn't catch that." rather than
an LLM answer to words nobody said.

A turn that no sentence, reading or knowledge claims goes to the LLM as heard. When the recogniser wrote words
it was far from sure of ("Seth mammal" for "Set the volume to eighty.", "Moment" for "Volume up."), a small LLM
answers them in earnest ("Seth is a loyal and protective feline.", "I'm sorry for your loss."): worse than saying
the turn was not caught, which asks the user to say it again. How sure is the free reading's mean
log-likelihood per token. On 1,305 kept turns of eleven spoken-benchmark runs (6 voices at several speeds,
noise, pauses; decoded again without the daemon's word biasing), every question and small talk heard right read
at -0.53 a token or better (75 matched to their requests); of the 33 turns below `UNSURE_PER_TOKEN`, 32 were
words misheard and one a command heard right ("Pause the timer", -0.91), which the
sentences take before this is asked; "Hello." read at -0.87. Only a turn nothing else claimed is checked.
"""

from __future__ import annotations

from ..integrations.devices import DEVICE_NOUNS, ROOMS, singular
from .command_reread import COMMANDS_ONLY_WORDS
from .intent_matcher import COMMAND_VERBS, FILLERS, bare_words
from .unfinished import MAX_WORDS

COMMAND_THINGS = COMMANDS_ONLY_WORDS | DEVICE_NOUNS
"""Words for what commands act on: the volume, a timer, a thing a home has."""
UNSURE_PER_TOKEN = -0.9
"""The mean log-likelihood per token (nats) below which words heard are not answered as said."""
UNSURE_COMMAND_PER_TOKEN = -0.6
"""The same for words shaped like a command (a command verb first, or a command's thing named) that no sentence
or reading took: a command misheard, which a small LLM answers as if said ("Close me off this line" for "Close
the office blinds.", -0.63 and -0.67 a token in two takes of seed 1201: "I'm sorry for any misglamour."). Questions
and small talk heard right read at -0.53 or better; this asks such words again from -0.6."""


def too_unsure(confidence: float | None, text: str = "") -> bool:
    """Was the recogniser too unsure of its words `text` (`confidence`: nats a token, None: not known) to
    answer them?"""
    if confidence is None:
        return False
    return confidence < (UNSURE_COMMAND_PER_TOKEN if shaped_like_a_command(text) else UNSURE_PER_TOKEN)


def shaped_like_a_command(text: str) -> bool:
    """Do the words open with a command verb (after fillers), or name a command's thing (the volume, a timer, a
    thing a home has)? Rooms alone do not: small talk names them ("a long day at the office")."""
    words = bare_words(text.split())
    opening = next((word for word in words if word not in FILLERS), "")
    return opening in COMMAND_VERBS or bool({singular(word) for word in words} & COMMAND_THINGS)


def may_have_a_rest(text: str, joined: bool) -> bool:
    """May words heard unsure be the first piece of a command cut by a pause, whose rest is still to come?
    Seed 1091's "Set the volume | to eighty." was heard "Enter the volume." (-1.14 a token) and apologised for in
    the pause, then its rest, heard alone, apologised for again. A short turn (MAX_WORDS, as for a command cut
    short) that names a command's thing (the volume, a timer, a room, a thing a home has) waits for its rest
    before the apology; not a turn that is already two pieces put together (`joined`): one wait a request. A
    question heard unsure ("What in time plus free?") is apologised for at once."""
    words = {singular(word) for word in bare_words(text.split())}
    return (not joined and 0 < len(text.split()) <= MAX_WORDS
            and bool(words & (COMMAND_THINGS | ROOMS)))
