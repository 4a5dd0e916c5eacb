"""Requests said indirectly, as people say them, turned into the direct sentence the library knows.

"Do you know what time it is?" is "What time is it?"; "Could you tell me what the date is?" is "What is the
date?"; "Would you mind turning off the porch light?" is "Turn off the porch light". The sentence library
holds direct forms; rather than doubling every template with every polite wrapper, the wrapper is taken off
and an embedded question put back in question order. Only the wrapper's own words change: what the request
asks for stays as heard, so a mis-heard request stays mis-heard (and is mended or refused as usual).
"""

from __future__ import annotations

import re

_ASKING = (r"(?:(?:do|did) you (?:happen to )?know|(?:can|could|would|will) you (?:please )?tell me|tell me|"
           r"any idea|(?:i'd|i would) like to know|i want to know|i (?:wonder|was wondering))")
_WRAPPED_QUESTION = re.compile(rf"^{_ASKING},? (?=(?:what|which|how|when|whether|if)\b)", re.I)
"""A question asked inside another: what follows is the question, in statement order."""
_WRAPPED_THING = re.compile(rf"^(?:{_ASKING}|(?:do you have|have you got|got)),? (?=the (?:time|date)\b)", re.I)
"""The time or the date asked for by name: "Do you know the time?", "Have you got the time?"."""
_EMBEDDED = re.compile(r"^(what|which|how much|how many|how long)((?: [\w'-]+)*?) (it|there|that|the [\w'-]+(?: [\w'-]+)?) "
                       r"(is|are)((?: (?:today|now|right now|at the moment))?)([.!?]*)$", re.I)
"""An embedded question's statement order: "what time | it | is" -> "what time is it"; "what | the date | is"."""

_POLITE = re.compile(r"^(?:would you mind|(?:could|would|will|can) you please|please could you|"
                     r"(?:i'd|i would) like you to|i want you to|i need you to),? ", re.I)
_GERUNDS = {"turning": "turn", "switching": "switch", "setting": "set", "starting": "start", "stopping": "stop",
            "cancelling": "cancel", "canceling": "cancel", "pausing": "pause", "resuming": "resume",
            "opening": "open", "closing": "close", "shutting": "shut", "dimming": "dim", "brightening": "brighten",
            "muting": "mute", "unmuting": "unmute", "putting": "put", "raising": "raise", "lowering": "lower",
            "making": "make", "adding": "add", "telling": "tell", "giving": "give", "repeating": "repeat"}
"""The verbs of the catalogue's commands as "would you mind ...ing" has them."""


def direct_form(text: str) -> str:
    """The direct sentence an indirect request stands for, or `text` itself when it is not one."""
    stripped = text.strip()
    wrapped = _WRAPPED_QUESTION.match(stripped)
    if wrapped:
        question = stripped[wrapped.end():]
        embedded = _EMBEDDED.match(question)
        if embedded is None:   # already in question order: "do you know how much time is left on the timer"
            return question
        wh, rest, subject, verb, when, marks = embedded.groups()
        return f"{wh}{rest} {verb} {subject}{when}{marks}"
    named = _WRAPPED_THING.match(stripped)
    if named:
        return f"what is {stripped[named.end():]}"
    polite = _POLITE.match(stripped)
    if polite:
        rest = stripped[polite.end():]
        first, _, others = rest.partition(" ")
        verb = _GERUNDS.get(first.lower())
        return f"{verb} {others}".strip() if verb else rest
    return text
