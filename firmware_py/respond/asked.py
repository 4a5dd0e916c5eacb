"""A question asked back and the request its answer completes: "Set a timer." -> "For how long?" ->
"Five minutes." sets a timer for five minutes.

The answer that asks carries a frame ("set a timer for {reply}"); the next turn's words, put in it, are asked
of the responders again. Only a short reply soon after counts; anything else is a turn of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANSWER_WITHIN_SECS = 20.0
"""How long after the question its answer is still taken as one."""
MAX_REPLY_WORDS = 6
LEAD_WORDS = re.compile(r"^(?:\W*(?:um+|uh+|er+|erm|oh|ok|okay|so|well|make it|for|about|let's say|say|just|and|at)\b"
                        r"[\s,]*)*", re.I)
"""What may open a reply before its amount ("Um, for five minutes", "Make it ten"), or the rest of the sentence
it answers ("Please wake me up. | And half past six.": asked "For what time?" between the two)."""


@dataclass(frozen=True)
class AskedBack:
    frame: str
    asked_at: float

    def request(self, reply: str, now: float) -> str | None:
        """The whole request the reply completes, or None when it comes too late or is no short reply."""
        if now - self.asked_at > ANSWER_WITHIN_SECS:
            return None
        words = LEAD_WORDS.sub("", reply).strip(" .,!?")
        if not words or len(words.split()) > MAX_REPLY_WORDS:
            return None
        return self.frame.replace("{reply}", words)


def asked_again(question: str) -> str:
    """A question asked back a second time in a row, said so ("For what time?" -> "Sorry, for what time?"): the
    same words twice sound as if the reply went unheard."""
    if not question or question.lower().startswith("sorry"):
        return question
    return f"Sorry, {question[0].lower()}{question[1:]}"
