"""Requests that follow a device command and lean on it: one that points at the devices just commanded
instead of naming them ("Dim it.", "Set it to fifty percent.", "Close that.", "Turn them off." after a command
to several), and one that asks the same for another device ("And the porch light too.", "Same for the fan.").

The sentence library names a device in every sentence but "turn it on/off" (asked about, then answered by the
device just commanded: conversation.py), and has no sentence that leaves the deed unsaid, so both went to the
LLM, which has no way to know what "it" is or what was done. The request is said again whole, with the
device named or the deed said, and claimed as any request is; it stands only when what it does is what was
asked: the deed on the devices pointed at, or the same deed on the devices named.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from .base import ActionCall, Answer

ONE = re.compile(r"\b(?:it|that|this)\b", re.I)
"""Words that point at one thing named before."""
RUN_TOGETHER = re.compile(r"\b(dim|set|turn|switch|open|close)(it)\b", re.I)
"""A verb and "it" written as one word, as the recogniser may ("Dimit.")."""
SEVERAL = re.compile(r"\b(?:them|those|these)\b|(?<![\w'])'?(?:em|dem|hem)\b", re.I)
"""Words that point at several: also "them" as it is said ("Turn 'em off.", "dem") or heard ("Now turn hem
off," after two lights was refused as a device called hem)."""

SAME_FOR = re.compile(
    r"^\W*(?:(?:and|now|ok|okay|so|then|please)\b\W*)*"
    r"(?:(?P<same>(?:do |and )?(?:the )?same (?:for|with|to) )|(?P<also>(?:and )?also ))?"
    r"(?P<devices>(?:the|my|all|both)\b.+?)(?P<too>\W+(?:too|as well|also))?(?:\W+please)?\W*$", re.I)
"""Words that ask the last deed for other devices: "And the porch light too.", "Same for the bedroom fan.",
"Also the fan, please." (a leading "and" alone is not enough: "And the porch light?" may be a question), the
devices said as things ("the ...", "my ..."), never as a request of their own ("Close the blinds too.")."""
DEEDS = {"turn_on": "turn on {devices}", "turn_off": "turn off {devices}", "open_cover": "open {devices}",
         "close_cover": "close {devices}", "stop_cover": "stop {devices}",
         "set_brightness": "set {devices} to {percent} percent"}
"""The deeds that may be asked again for other devices, said as a request the sentence library holds."""

Claim = Callable[[str], Awaitable[Answer | None]]
Deed = tuple[str, tuple[tuple[str, str], ...]]


def deed_of(call: ActionCall) -> Deed:
    """What a call does, to whichever device: its name and its other arguments."""
    return call.name, tuple(sorted((key, str(value)) for key, value in call.arguments.items() if key != "device"))


def names_a_pointer(name: str) -> bool:
    """Is an unknown device's name only a word that points at the devices just commanded ("hem", "em")?"""
    return bool(SEVERAL.fullmatch(name.strip()) or ONE.fullmatch(name.strip()))


def acts_only(answer: Answer | None) -> bool:
    """Is this a claim that does something, plainly: actions, nothing asked back, left tentative or refused?"""
    return (answer is not None and bool(answer.actions) and not answer.tentative and not answer.frame
            and not answer.unknown_device)


def named_in_place(text: str, devices: tuple[str, ...]) -> list[str]:
    """The request once for each device, named where the pronoun was ("Dim it." -> ["Dim the kitchen
    light."]); [] when the text points at nothing, or at one thing after several ("it" after two lights)."""
    text = RUN_TOGETHER.sub(r"\1 \2", text)
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
        if answer is None or not acts_only(answer) or any(call.arguments.get("device") != device for call in answer.actions):
            return None
        found.append(answer)
    if len({tuple(deed_of(call) for call in answer.actions) for answer in found}) != 1:
        return None   # "them" does one thing to each: never two deeds from one request
    first = found[0]
    return Answer(first.responder, actions=tuple(call for answer in found for call in answer.actions),
                  confidence=min(answer.confidence for answer in found))


def asks_the_same(text: str) -> bool:
    """Does `text` ask a deed again for devices it names ("And the porch light too."), whatever the deed?"""
    found = SAME_FOR.match(text)
    return found is not None and bool(found["same"] or found["also"] or found["too"])


def same_for(text: str, done: tuple[ActionCall, ...]) -> str | None:
    """The request `text` makes when it asks the deed `done` did for other devices ("And the porch light too."
    after "Turn on the kitchen light." -> "turn on the porch light"); None when it does not, or `done` was not
    one deed (a step's size is its own: "Dim the lamp a lot." is not said again for another)."""
    found = SAME_FOR.match(text)
    if found is None or not asks_the_same(text) or not done:
        return None
    if len({deed_of(call) for call in done}) != 1 or done[0].name not in DEEDS:
        return None
    return DEEDS[done[0].name].format(devices=found["devices"].strip(), **done[0].arguments)


async def claim_same_for(text: str, done: tuple[ActionCall, ...], claim: Claim) -> Answer | None:
    """The answer to `text` when it asks the deed `done` did for other devices: the request said whole and
    claimed; None unless it does that deed, and only that, to devices it names."""
    request = same_for(text, done)
    if request is None:
        return None
    answer = await claim(request)
    if answer is None or not acts_only(answer) or any(deed_of(call) != deed_of(done[0]) for call in answer.actions):
        return None
    return answer
