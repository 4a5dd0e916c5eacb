"""Worked examples placed after the system prompt when a small local model is offered the built-in tools.

They sit in the cached prompt prefix, so they cost time once (at warm-up), not per turn. An example that
uses a tool is included only when that tool is offered; the plain-answer examples always are. Two of them
show the whole loop (call, result, spoken answer); their answers repeat the result's `summary` word for
word, which is what a small model does most reliably. The phrasings deliberately differ from the behaviour tests'.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Shot:
    user: str
    answer: str = ""                     # a plain answer, or the spoken answer after the tool result
    tool: str = ""                       # the tool called, if any
    arguments: dict[str, Any] | None = None
    result: dict[str, Any] | None = None  # when set, the example shows the result and the spoken answer


SHOTS = (  # written the way speech-to-text writes: capitals and punctuation
    Shot("Who wrote Hamlet?", "Hamlet was written by William Shakespeare."),
    Shot("Set a timer for ten minutes.", "A timer is set for 10 minutes.", "set_timer", {"minutes": 10},
         {"timer_id": "1", "seconds": 600, "label": "", "summary": "A timer is set for 10 minutes."}),
    Shot("Hi.", "Hello! How can I help?"),
    Shot("Turn the volume to 40.", "The volume is 40 percent.", "set_volume", {"percent": 40},
         {"volume": 40, "summary": "The volume is 40 percent."}),
    Shot("What timers do I have?", tool="list_timers", arguments={}),
    Shot("What is the tallest mountain?", "Mount Everest is the tallest mountain on Earth."),
    Shot("What's the time right now?", tool="get_time", arguments={}),
    Shot("Cancel the egg timer.", tool="cancel_timer", arguments={"label": "egg"}),
    Shot("Thanks!", "You're welcome."),
    Shot("Why is the sea salty?", "Rivers carry minerals from rocks into the sea."),
    Shot("What day is it today?", tool="get_date", arguments={}),
    Shot("Mute.", tool="set_mute", arguments={"muted": True}),
    Shot("Tell me a fun fact.", "Octopuses have three hearts."),
)


def shot_messages(tool_names: set[str]) -> list[dict[str, Any]]:
    """The examples usable with these tools, as chat messages (OpenAI format)."""
    messages: list[dict[str, Any]] = []
    for index, shot in enumerate(SHOTS):
        if shot.tool and shot.tool not in tool_names:
            continue
        messages.append({"role": "user", "content": shot.user})
        if not shot.tool:
            messages.append({"role": "assistant", "content": shot.answer})
            continue
        call_id = f"example_{index}"
        messages.append({"role": "assistant", "content": None, "tool_calls": [{
            "id": call_id, "type": "function",
            "function": {"name": shot.tool, "arguments": json.dumps(shot.arguments or {})}}]})
        if shot.result is not None:
            messages.append({"role": "tool", "tool_call_id": call_id, "content": json.dumps(shot.result)})
            messages.append({"role": "assistant", "content": shot.answer})
    return messages
