"""Requests that point at the timer the last answer set or changed: "Cancel it.", "Pause it.", "Add two minutes
to it.", "How long is left on it?" after "Set a timer for five minutes.".

The sentence library has no timer sentence with "it" in it but the device's own "pause it" and "resume it" (on
whichever timer runs): "Add two minutes to it." went to the LLM, and "Cancel it." or "Stop it." were read as
"stop talking", so the timer ran on while the user believed it gone. The request is said again with the timer
named where the pronoun was ("Cancel the 5 minute timer.") and claimed as any request; it stands only when it
does something to that timer alone, or tells the timers' time left.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

from .base import ActionCall, Answer

POINTER = re.compile(r"\b(?:it|that|this)(?: (?:one|timer|alarm))?\b", re.I)
"""Words that point at the one timer just set or changed ("that one" and "that timer" too: named once)."""
TIMER_DEEDS = frozenset({"cancel_timer", "pause_timer", "resume_timer", "add_timer_time", "restart_timer"})
"""What a request may do to the timer pointed at."""
TELLING = "list_timers"
"""The time left, told for every timer: the one pointed at among them."""
SET_LAST = "last"
"""The name of the timer set last (llm/timers.py `LAST_SET`)."""


def may_point_at_the_timer(text: str, claim: Answer | None) -> bool:
    """Might `text` point at a timer named before: unclaimed, read as "stop talking" ("Cancel it."), or a deed on
    whichever timer is running ("Pause it."), with a word that points?"""
    unnamed = claim is not None and bool(claim.actions) and all(
        call.name in TIMER_DEEDS and not call.arguments.get("label") and not call.arguments.get("all")
        for call in claim.actions)
    return (claim is None or claim.command == "stop" or unnamed) and POINTER.search(text) is not None


def named_in_place(text: str, name: str) -> str | None:
    """The request with the timer named where its pronoun was ("Pause it." -> "Pause the pasta timer."), None
    when it points at nothing."""
    return POINTER.sub(name, text, count=1) if POINTER.search(text) else None


async def claim_timer_pointed_at(text: str, name: str, picks_only_it: Callable[[str], bool],
                                 claim: Callable[[str], Awaitable[Answer | None]]) -> Answer | None:
    """The answer to `text` with its pronoun read as the timer called `name` ("the 5 minute timer"); None unless
    each of its actions is a deed on a timer whose name picks that timer alone (`picks_only_it`), or tells the
    time left. A name another timer shares (a second 5-minute timer) is said as the one set last, when it is."""
    request = named_in_place(text, name)
    answer = await claim(request) if request is not None else None
    if answer is None or not answer.actions or answer.tentative or answer.frame or answer.unknown_device:
        return None
    calls: list[ActionCall] = []
    for call in answer.actions:
        if call.name == TELLING:
            calls.append(call)
            continue
        if call.name not in TIMER_DEEDS or call.arguments.get("all"):
            return None
        label = next((said for said in (str(call.arguments.get("label", "")), SET_LAST) if picks_only_it(said)), None)
        if label is None:
            return None
        calls.append(replace(call, arguments={**call.arguments, "label": label}))
    return replace(answer, actions=tuple(calls))
