"""Other wordings of a request the sentence library matches nothing of as said: two requests said as one, and
a room said after the thing in it. Tried only when the whole sentence matches nothing (or names no device),
so "one hour and twenty minutes" and a name with "and" in it stay whole."""

from __future__ import annotations

import re

JOINS = re.compile(r"\s*(?:,\s*)?\b(?:and then|and also|and|then|also)\b\s*(?:,\s*)?|\s*,\s*(?=the\b)", re.I)
"""What joins two requests: "and", "and then", "then", with or without a comma; a comma before "the" in a list
("Turn off the hallway light, the TV and the bathroom fan")."""
PRONOUNS = re.compile(r"\b(?:it|them)\b", re.I)
CARRIED_VERBS = frozenset(("turn", "switch", "shut", "open", "close", "start", "stop", "dim", "brighten",
                           "raise", "lower", "kill", "cancel", "pause", "resume", "mute", "unmute"))
"""Verbs a second request may leave to the first ("Open the blinds and the garage door")."""
PARTICLES = frozenset(("on", "off", "up", "down"))
MAX_PARTS = 3


def joined_parts(text: str) -> list[list[str]] | None:
    """Two requests said as one ("Turn off the TV and the hallway light.", "Set a timer for five minutes and
    turn off the TV."): the pieces of `text` split at its joining words, each as the sentences it may stand for (itself, and
    with the first piece's verb and particle carried to it when it opens with none); None for a text with no
    join, or pieces too many or empty."""
    pieces = [piece.strip(" ,.;!?") for piece in JOINS.split(text)]
    if len(pieces) < 2 or len(pieces) > MAX_PARTS or not all(pieces):
        return None
    first = pieces[0].split()
    verb = first[0].lower().strip(",") if first else ""
    verb = verb if verb in CARRIED_VERBS else ""
    particle = first[1].lower() if verb and len(first) > 1 and first[1].lower() in PARTICLES else ""
    trailing = first[-1].lower() if verb and len(first) > 2 and first[-1].lower() in PARTICLES else ""
    parts: list[list[str]] = [[pieces[0]]]
    for piece in pieces[1:]:
        words = piece.split()
        options: list[str] = []
        if verb and words[0].lower() not in CARRIED_VERBS:
            ends_in_particle = words[-1].lower() in PARTICLES
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


def room_put_first(text: str, areas: list[str]) -> str | None:
    """ "Turn the heater off in the office." as "Turn the office heater off.": the room said after the thing
    moved before it, where a device's name with its room would stand; None when no known room ends the text."""
    for area in sorted(areas, key=len, reverse=True):
        found = re.match(rf"^(.*?\b(?:the|my|our)\s+)(.+?)(\s+(?:on|off|up|down))?\s+in\s+(?:the\s+)?{re.escape(area)}\W*$",
                         text, re.I)
        if found is not None:
            opening, thing, particle = found.group(1), found.group(2), found.group(3) or ""
            return f"{opening}{area} {thing}{particle}"
    return None
