"""A command cut short by a pause: "Set the kitchen light ... to fifty percent."

People stop to think in the middle of a command, and the end-of-turn model, seeing a sentence that could be
complete, ends the turn. When a short turn starts like a command but no sentence matches it, the device
waits a moment for the rest instead of answering half a command; what comes next is joined to it.
"""

from __future__ import annotations

import re

HOLD_SECS = 1.5
"""How long an unfinished command waits for its rest before it is answered as it is."""
MAX_WORDS = 7

_COMMAND_START = re.compile(
    r"^(?:(?:please|can you|could you|would you|um+|uh+|so|okay|ok|hey)[\s,.]+)*"
    r"(?:set|turn|switch|dim|brighten|open|close|shut|start|cancel|stop|pause|resume|add|put|mute|unmute|"
    r"lower|raise|increase|decrease)\b", re.IGNORECASE)


def sounds_unfinished(text: str) -> bool:
    """Does this short turn start like a command (one nobody matched)?"""
    words = text.split()
    return 0 < len(words) <= MAX_WORDS and bool(_COMMAND_START.match(text.strip()))


def joined(held: str, text: str) -> str:
    """The held start and the rest as one request ("Set the kitchen light." + "To fifty percent.")."""
    return f"{held.strip().rstrip('.,!?')} {text.strip()}"
