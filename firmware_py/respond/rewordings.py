"""Other wordings of a request the sentence library matches nothing of as said: two requests said as one, and
a room said after the thing in it. Tried only when the whole sentence matches nothing (or names no device),
so "one hour and twenty minutes" and a name with "and" in it stay whole."""

from __future__ import annotations

import re
from collections import Counter

from .openings import POLARITY_WORDS

CARRIED_VERBS = frozenset(("turn", "switch", "shut", "open", "close", "start", "set", "stop", "dim", "brighten",
                           "raise", "lower", "kill", "cancel", "pause", "resume", "mute", "unmute"))
"""Verbs a second request may leave to the first ("Open the blinds and the garage door")."""
JOINS = re.compile(r"\s*(?:,\s*)?\b(?:and then|and also|and|then|also)\b\s*(?:,\s*)?|\s*,\s*(?=(?:the|"
                   + "|".join(sorted(CARRIED_VERBS)) + r")\b)", re.I)
"""What joins two requests: "and", "and then", "then", with or without a comma; a comma before "the" or a verb
in a list ("Turn off the hallway light, the TV and the bathroom fan")."""
PRONOUNS = re.compile(r"\b(?:it|them)\b", re.I)
MAX_PARTS = 3


def joined_parts(text: str) -> list[list[str]] | None:
    """Two or three requests said as one ("Turn off the TV and the hallway light.", "Set a timer for five
    minutes and turn off the TV."): the pieces of `text` split at its joining words, each as the sentences it
    may stand for (itself, and with the verb and direction of the last piece that had one carried to it when
    it opens with none); None for a text with no join, or pieces too many or empty."""
    pieces = [piece.strip(" ,.;!?") for piece in JOINS.split(text)]
    if len(pieces) < 2 or len(pieces) > MAX_PARTS or not all(pieces):
        return None
    parts: list[list[str]] = []
    verb = particle = trailing = ""
    for piece in pieces:
        words = piece.split()
        if words[0].lower() in CARRIED_VERBS or not parts:
            verb = words[0].lower() if words[0].lower() in CARRIED_VERBS else ""
            particle = words[1].lower() if verb and len(words) > 1 and words[1].lower() in POLARITY_WORDS else ""
            trailing = words[-1].lower() if verb and len(words) > 2 and words[-1].lower() in POLARITY_WORDS else ""
            parts.append([piece])
            continue
        options: list[str] = []
        if verb:
            ends_in_particle = words[-1].lower() in POLARITY_WORDS
            if particle and not ends_in_particle:
                options.append(f"{verb} {particle} {piece}")
            if trailing and not ends_in_particle:
                options.append(f"{verb} {piece} {trailing}")
            options.append(f"{verb} {piece}")
        parts.append([*options, piece])
    return parts


def with_the_thing_named(piece: str, device: str) -> str:
    """A later piece's "it" or "them" as the device the piece before named ("... and set it to 40 percent")."""
    return PRONOUNS.sub(f"the {device}", piece) if device else piece


def rooms_as_said(areas: list[str]) -> list[tuple[str, str]]:
    """(as said, the room) for each room: its name, and its last word alone where no other room's name ends in
    that word ("the bedroom" for the master bedroom; never "the room"); longest first."""
    tails = Counter(area.split()[-1].lower() for area in areas if area.split())
    named = {area.lower() for area in areas}
    said = [(area, area) for area in areas]
    said += [(area.split()[-1], area) for area in areas if len(area.split()) > 1
             and tails[area.split()[-1].lower()] == 1 and area.split()[-1].lower() not in named | {"room"}]
    return sorted(said, key=lambda pair: len(pair[0]), reverse=True)


ROOM_BEFORE_A_COMMA = re.compile(r"^\s*(?:(?:in|on|at)\s+)?(?:(?:the|my|our)\s+)?(?P<room>[^,]+?)\s*,\s*(?P<rest>.+)$",
                                 re.I)
"""Words before the first comma, a preposition and an article aside, and the rest."""


def room_said_first(text: str, areas: list[str]) -> str | None:
    """ "In the kitchen, set the lights to ten percent." as "set the kitchen lights to ten percent": a
    room said before the request and a comma is the request's room (what follows the comma alone set every
    light in the house, seed 1093); None when what stands before the first comma is no room of this home."""
    found = ROOM_BEFORE_A_COMMA.match(text)
    if found is None:
        return None
    room = found.group("room").lower()
    area = next((area for said, area in rooms_as_said(areas) if said.lower() == room), None)
    if area is None:
        return None
    rest = found.group("rest").strip().rstrip(".!?")
    return room_put_first(f"{rest} in the {area}", areas) or f"{area} {rest}"   # ("kitchen lights to ten percent")


def room_put_first(text: str, areas: list[str]) -> str | None:
    """ "Turn the heater off in the office." as "Turn the office heater off.": the room said after the thing
    moved before it, where a device's name with its room would stand; None when no known room ends the text."""
    for said, area in rooms_as_said(areas):
        # (a closing thanks or please after the room: "Turn the fan on in the bedroom, please.")
        found = re.match(rf"^(.*?\b(?:the|my|our)\s+)(.+?)(\s+(?:on|off|up|down))?\s+in\s+(?:the\s+)?{re.escape(said)}"
                         rf"(?:,?\s+(?:please|thanks|thank you))?\W*$", text, re.I)
        if found is not None:
            opening, thing, particle = found.group(1), found.group(2), found.group(3) or ""
            return f"{opening}{area} {thing}{particle}"
    return None


TWO_TIMERS = re.compile(r"\b(?P<verb>set|start) (?:two|2) timers,? one (?:for|of) (?P<first>[^,.!?]+?),? and "
                        r"(?:one|the other|another) (?:for|of) (?P<second>[^,.!?]+)", re.I)
UNIT = re.compile(r"\b(hours?|minutes?|seconds?)\W*$", re.I)


def each_timer_said(text: str) -> str:
    """ "Set two timers, one for 5 minutes and one for 10" as a request for each ("set a timer for 5 minutes and
    set a timer for 10 minutes"), the second length taking the first's unit when it has none; `text` otherwise."""
    def each(found: re.Match[str]) -> str:
        first, second, verb = found.group("first"), found.group("second"), found.group("verb")
        unit = UNIT.search(first)
        if unit is not None and UNIT.search(second) is None and not re.search(r"\b(?:hours?|minutes?|seconds?)\b", second):
            second = f"{second} {unit.group(1)}"
        return f"{verb} a timer for {first} and {verb} a timer for {second}"
    return TWO_TIMERS.sub(each, text)


EXCEPT = re.compile(r"^(?P<all>.*?\b(?:all|every|everything)\b.*?),? (?:except|but(?: not)?|apart from|other than) (?:for )?"
                    r"(?:the |my )?(?P<kept>[\w' -]+?)\W*$", re.I)


def all_but(text: str) -> tuple[str, str] | None:
    """ "Switch off all the lights except the porch light" as the request for all ("Switch off all the lights")
    and the thing left out ("porch light"); None for a text with no such exception."""
    found = EXCEPT.match(text.strip())
    return (found.group("all"), found.group("kept")) if found is not None else None


def in_the_room_said(before: str, piece: str, areas: list[str]) -> str:
    """The request before with its room changed for the one `piece` names and nothing else ("Turn on the lights in
    the kitchen" and "the living room": "Turn on the lights in the living room"); "" when `piece` is no room alone
    or the request before names none."""
    room = re.sub(r"^(?:the|my|our)\s+", "", piece.strip(" ,.!?").lower())
    said = next((area for area in areas if re.search(rf"\b{re.escape(area)}\b", before, re.I)), "")
    if room not in areas or not said:
        return ""
    return re.sub(rf"\b{re.escape(said)}\b", room, before, flags=re.I)
