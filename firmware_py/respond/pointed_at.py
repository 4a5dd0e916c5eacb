"""A command that points at the devices just commanded instead of naming them: "Dim it.", "Set it to fifty
percent.", "Close that.", and "Turn them off." after a command to several.

The sentence library names a device in every sentence but "turn it on/off" (asked about, then answered by the
device just commanded: conversation.py), so "Dim it." after "Turn on the kitchen light." went to the LLM,
which has no way to know what "it" is. The request is said again with the device named in the pronoun's
place, and claimed as any request is; it stands only when every action it takes acts on those devices.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from .base import Answer

ONE = re.compile(r"\b(?:it|that|this)\b", re.I)
"""Words that point at one thing named before."""
SEVERAL = re.compile(r"\b(?:them|those|these)\b", re.I)
"""Words that point at several."""

Claim = Callable[[str], Awaitable[Answer | None]]


def named_in_place(text: str, devices: tuple[str, ...]) -> list[str]:
    """The request once for each device, named where the pronoun was ("Dim it." -> ["Dim the kitchen
    light."]); [] when the text points at nothing, or at one thing after several ("it" after two lights)."""
    # (one device may be named in the plural: "the kitchen lights", then "Turn them off.")
    pointers = (ONE, SEVERAL) if len(devices) == 1 else (SEVERAL,)
    pointer = next((pointer for pointer in pointers if pointer.search(text)), None)
    if not devices or pointer is None:
        return []
    return [pointer.sub(f"the {device}", text, count=1) for device in devices]


async def claim_pointed_at(text: str, devices: tuple[str, ...], claim: Claim) -> Answer | None:
    """The answer to `text` with its pronoun read as `devices`: each device's request claimed, and their actions
    taken together; None unless every request was claimed with actions on its own device and nothing else
    ("What is it?" read as "What is the kitchen light?" only tells: not this)."""
    requests = named_in_place(text, devices)
    if not requests:
        return None
    found: list[Answer] = []
    for device, request in zip(devices, requests):
        answer = await claim(request)
        if (answer is None or not answer.actions or answer.tentative or answer.frame or answer.unknown_device
                or any(call.arguments.get("device") != device for call in answer.actions)):
            return None
        found.append(answer)
    if len({tuple((call.name, tuple(sorted((k, str(v)) for k, v in call.arguments.items() if k != "device")))
                  for call in answer.actions) for answer in found}) != 1:
        return None   # "them" does one thing to each: never two deeds from one request
    first = found[0]
    return Answer(first.responder, actions=tuple(call for answer in found for call in answer.actions),
                  confidence=min(answer.confidence for answer in found))
