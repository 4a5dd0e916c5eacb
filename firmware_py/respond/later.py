"""Commands for later: "Turn off the lights in ten minutes", "Remind me to call Mum in an hour".

Home Assistant's sentence library reads "<anything> in <duration>" as a timer with a command to run when it
ends. Here such a timer holds the command's words and, when it ends, they are run as the user's own turn (so
the intents, the knowledge and the LLM answer them as if just said); a reminder is said instead. A question
that happens to end in a duration ("How many minutes are in an hour?") is no command: it is left to the next
responder, never turned into a timer.
"""

from __future__ import annotations

import re

from ..llm.builtin_tools import RUN_LATER
from ..llm.timers import REMINDER, WAKE_UP, as_mine
from .base import ActionCall

QUESTION_OPENINGS = frozenset(("what", "what's", "whats", "how", "how's", "who", "who's", "whom", "whose", "when",
                               "where", "where's", "why", "which", "is", "are", "was", "were", "do", "does", "did",
                               "should", "shall", "may", "might", "has", "have"))
"""First words of a question: "How many minutes are | in an hour?" asks, it does not schedule."""
POLITE_OPENINGS = re.compile(r"^(?:please |(?:can|could|will|would) you (?:please )?)", re.I)
DOING_VERBS = frozenset(("turn", "switch", "open", "close", "shut", "start", "stop", "dim", "brighten", "mute",
                         "unmute", "lock", "unlock", "play", "pause", "resume", "remind", "wake", "tell", "say",
                         "read", "raise", "lower", "put", "make", "run", "check", "give", "let"))
"""Verbs a command for later opens with. Other words before "in <duration>" are a timer request heard wrong
("And now are in fifteen minutes"): a plain timer, as before."""

ONLY_TELL_ME = re.compile(r"^(?:let me know|tell me|alert me|warn me|ping me|notify me|call me|give me a (?:shout|call|buzz))$",
                          re.I)
"""A command for later that asks only to be told ("Let me know in ten minutes"): a timer, whose ring tells."""


def later_call(command: str, seconds: int) -> ActionCall | None:
    """The call that does `command` in `seconds`: a command for later, or a plain timer for words that are
    no command (a timer request heard wrong, or one that names the timer itself); None for a question."""
    words = command.strip(" .,!?").split()
    if not words or seconds <= 0 or words[0].lower() in QUESTION_OPENINGS:
        return None
    asked = POLITE_OPENINGS.sub("", " ".join(words))   # "Can you turn off the light": "turn off the light"
    if (not asked or asked.split()[0].lower() not in DOING_VERBS or "timer" in command.lower()
            or ONLY_TELL_ME.match(asked) is not None):
        return ActionCall("set_timer", {"seconds": seconds})
    return ActionCall(RUN_LATER.name, {"seconds": seconds, "command": asked})


def reminder_of(command: str) -> str | None:
    """What to say when a reminder is due ("It's time to call your mum."); None for a command to run."""
    if WAKE_UP.match(command.strip()):
        return "It's time to wake up."
    found = REMINDER.match(command.strip(" .!"))
    if found is None:
        return None
    what = found.group("what").strip()
    return f"Reminder: {as_mine(what)}." if what else "This is your reminder."
