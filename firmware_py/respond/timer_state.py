"""A question between readings that the timers' own state answers.

"Pause the timer" or "Unpause the timer"? The audio may not say (a clipped "un", "Oz the timer"), but the device
knows its timers: while none is paused, unpausing would do nothing, so the pause is what was asked for, and the
other way round. Asked only when each reading would change something, or none would. Pausing and resuming alone:
both are undone by the other, while a timer removed by a wrong guess is gone (a "remove" or "resume" is asked
about only while the timer is paused: `IntentResponder.resume_asked`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..llm.timers import Timer, timers_named
from .base import Answer

SETTLED_BY_STATE = frozenset({"pause_timer", "resume_timer"})
"""The actions a timer's state can rule out: each does nothing to a timer already so."""


def acts_on_the_timers(answer: Answer, timers: Sequence[Timer]) -> bool:
    """Would every one of the answer's actions change a timer it picks (a pause a running one, a resume a paused
    one)?"""
    def changes(name: str, label: str) -> bool:
        picked = timers_named(list(timers), label)
        return any(timer.paused == (name == "resume_timer") for timer in picked)
    return all(changes(call.name, str(call.arguments.get("label", ""))) for call in answer.actions)


def the_one_that_acts(readings: Sequence[tuple[str, Answer | None]],
                      timers: Sequence[Timer]) -> tuple[str, Answer] | None:
    """Of the readings a question asks between, each a pause or a resume of timers, the only one that would
    change a timer, with its answer; None when that is not so (another kind of request, or not exactly one)."""
    answers = [(text, answer) for text, answer in readings if answer is not None and answer.actions]
    if len(answers) < 2 or len(answers) != len(readings) or any(
            call.name not in SETTLED_BY_STATE for _, answer in answers for call in answer.actions):
        return None
    acting = [(text, answer) for text, answer in answers if acts_on_the_timers(answer, timers)]
    return acting[0] if len(acting) == 1 else None
