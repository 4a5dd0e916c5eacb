"""Home devices the assistant may command: `[[devices]]` from the config, resolved from spoken words,
commanded over MQTT with Home Assistant's payload conventions.

A light takes JSON (`{"state": "ON"}`, with `"brightness"` 0-255); a switch or a fan takes `ON`/`OFF`; a
cover takes `OPEN`/`CLOSE`/`STOP`. A request for a device nobody configured is refused by name ("I don't
know a device called garage heater"): it never turns into some other action.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

import jellyfish

from ..config import ConfigError
from ..events import DeviceCommand, EventBus
from ..llm.builtin_tools import Tool
from ..heard_alike import one_sound_apart, syllables
from .said_back import fit_to_say_back

KINDS = ("light", "switch", "fan", "cover")
MIN_DIMMED = 5
"""The dimmest a light is made by "dim": dimming never turns it off."""
BRIGHTNESS_STEP = 25
"""Percentage points "dim" or "brighten" a light by."""
MISHEARD_NOUN = 0.6
"""How alike (Jaro-Winkler) a heard last word must be to the device's ("life" for "light") to be taken for it."""
GLUED_SOUNDS = 2
"""The most consonants of a stray sound the recogniser may write glued before a name's word ("b" of "believing")."""
GLUED_WORD_MIN = 3
"""The fewest consonants of a word a glued sound is looked for before: "tall" sounds like "all" and more."""
GUARDED_NOUNS = frozenset({"door", "gate", "garage", "lock"})
"""Ways into the home: a device called so is opened only when named as it is, never by a name heard a little
wrong ("Switch on the garage gear." for a garage heater nobody has opened the garage door)."""
WINDOW_COVERINGS = frozenset({"awning", "blind", "curtain", "drape", "shade", "shutter"})
"""One thing said many ways: the office shades are the office blinds."""


DEVICE_NOUNS = frozenset({
    "light", "lamp", "bulb", "fan", "door", "window", "gate", "garage", "switch", "plug", "socket", "outlet",
    "heater", "tv", "television", "radio", "speaker", "kettle", "oven", "stove", "fridge", "freezer",
    "dishwasher", "washer", "dryer", "machine", "lock", "thermostat", "conditioner", "purifier", "humidifier",
    "vacuum", "pump", "sprinkler", "camera", "alarm", "heating", *WINDOW_COVERINGS})
"""Words for things a home has: said, they name that thing, never a mis-heard name of another ("the kitchen
blinds" is no mis-heard kitchen light)."""


ROOMS = frozenset({"attic", "balcony", "basement", "bathroom", "bedroom", "cellar", "closet", "conservatory", "deck",
                   "den", "dining", "driveway", "entrance", "garage", "garden", "guest", "gym", "hall", "hallway",
                   "kitchen", "landing", "laundry", "library", "living", "lobby", "loft", "lounge", "nursery", "office",
                   "pantry", "patio", "playroom", "porch", "shed", "stairs", "study", "toilet", "utility",
                   "washroom", "workshop", "yard"})
"""Words for the rooms of a home: one said is meant, even where this device has no device."""


def singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _heard_as(heard: list[str], name: list[str]) -> bool:
    """The room words exactly, the last word close in letters or sounds: "kitchen life" is the kitchen light;
    "bathroom fan" is not the bedroom fan, "garage heater" not the garage door, and "kitchen blinds" not the
    kitchen light."""
    if len(heard) != len(name) or len(name) < 2:
        return False
    if heard[:-1] != name[:-1]:
        # a sound glued before a word, and in a longer name the noun heard a little wrong too ("believing room
        # limp": the living room lamp, seed 1031)
        noun_as_named = singular(heard[-1]) == singular(name[-1])
        if noun_as_named and _a_word_heard_a_little_wrong(heard[:-1], name[:-1]):
            return True   # "the four lamp": the floor lamp, its noun as named (seed 1051)
        return _a_sound_glued_before(heard[:-1], name[:-1]) and (
            noun_as_named or len(name) >= 3 and _heard_as(name[:-1] + heard[-1:], name))
    said, named = singular(heard[-1]), singular(name[-1])
    if said in DEVICE_NOUNS and said != named and not {said, named} <= WINDOW_COVERINGS:
        return False
    if syllables(said) != syllables(named):   # a noun heard a little wrong keeps its beats: "gator" is no door
        return False
    if jellyfish.jaro_winkler_similarity(heard[-1], name[-1]) >= MISHEARD_NOUN:
        return True
    return one_sound_apart(heard[-1], name[-1])   # "ceiling then" is the ceiling fan (th for f)


def _a_word_heard_a_little_wrong(heard: list[str], name: list[str]) -> bool:
    """The words before the noun as named but one, a sound apart ("four" for "floor"), neither of them a room
    nor a thing a home has: rooms are meant as said ("hall light" is no "wall light")."""
    differing = [(said, named) for said, named in zip(heard, name) if said != named]
    if len(differing) != 1:
        return False
    said, named = differing[0]
    return not {said, named} & (ROOMS | DEVICE_NOUNS) and one_sound_apart(said, named)


def _a_sound_glued_before(heard: list[str], name: list[str]) -> bool:
    """The words with a short sound the recogniser glued before one of them, the rest as named ("believing
    room": the living room of the living room lamp, seed 859), the word's sounds (metaphone) ending in the named
    word's. Not a room or a thing a home has, which is meant as said ("bedroom" is no "room")."""
    differing = [(said, named) for said, named in zip(heard, name) if said != named]
    if len(differing) != 1:
        return False
    said, named = differing[0]
    said_sounds, named_sounds = jellyfish.metaphone(said), jellyfish.metaphone(named)
    return (said not in ROOMS and said not in DEVICE_NOUNS and len(named_sounds) >= GLUED_WORD_MIN
            and said_sounds.endswith(named_sounds) and len(said_sounds) - len(named_sounds) <= GLUED_SOUNDS)


def said_back(name: str) -> str:
    """An unknown device's name as a refusal says it: "that" for none, or for one not fit to repeat aloud."""
    return name if name and fit_to_say_back(name) else "that"


ARTICLES = re.compile(r"^(?:the|my|our|a|an)\s+")


@dataclass(frozen=True)
class Device:
    name: str
    kind: str
    command_topic: str
    area: str = ""
    aliases: tuple[str, ...] = ()

    def spoken_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def parse_devices(raw: Any) -> tuple[Device, ...]:
    """`[[devices]]` tables as Devices; ConfigError naming the table and the problem."""
    if not isinstance(raw, list):
        raise ConfigError("[[devices]] must be an array of tables")
    devices: list[Device] = []
    seen: set[str] = set()
    for index, table in enumerate(raw):
        where = f"devices[{index}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = set(table) - {"name", "aliases", "area", "kind", "command_topic"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: name, aliases, area, kind, command_topic")
        for key in ("name", "kind", "command_topic"):
            if not isinstance(table.get(key), str) or not table[key].strip():
                raise ConfigError(f"{where}.{key} must be a non-empty string")
        if table["kind"] not in KINDS:
            raise ConfigError(f"{where}.kind = {table['kind']!r}: allowed values are {', '.join(KINDS)}")
        topic = table["command_topic"].strip()
        if "+" in topic or "#" in topic:
            raise ConfigError(f"{where}.command_topic = {topic!r}: a command topic cannot hold MQTT wildcards")
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise ConfigError(f"{where}.aliases must be a list of non-empty strings")
        area = table.get("area", "")
        if not isinstance(area, str):
            raise ConfigError(f"{where}.area must be a string")
        device = Device(name=normalize_name(table["name"]), kind=table["kind"], command_topic=topic,
                        area=normalize_name(area), aliases=tuple(normalize_name(a) for a in aliases))
        for spoken in device.spoken_names():
            if spoken in seen:
                raise ConfigError(f"{where}: the name {spoken!r} is used by two devices")
            seen.add(spoken)
        devices.append(device)
    return tuple(devices)


def short_names(devices: tuple[Device, ...]) -> dict[str, Device]:
    """A name's last words said alone for the one device called so ("the spotlights" for the kitchen
    spotlights, "the tank" for the fish tank). Not a household noun alone ("lamp", "lights", "shutter"): those
    go by the room and the kind (respond/intents.py), and "the lights" means every light; not a way into the
    home (`GUARDED_NOUNS`), opened only by its whole name; not a room."""
    whole = {spoken for device in devices for spoken in device.spoken_names()}
    owners: dict[str, set[str]] = {}
    by_name = {device.name: device for device in devices}
    for device in devices:
        for spoken in device.spoken_names():
            words = spoken.split()
            for start in range(1, len(words)):
                tail = words[start:]
                last = singular(tail[-1])
                # (nor a tail begun inside a room's name: "room lamp" of the living room lamp would take "the guest
                # room lamp", a device nobody has)
                if (last in GUARDED_NOUNS or last in ROOMS or (len(tail) == 1 and last in DEVICE_NOUNS)
                        or tail[0] in ROOMS or tail[0] == "room" or tail[0] in device.area.split()):
                    continue
                owners.setdefault(" ".join(tail), set()).add(device.name)
    return {short: by_name[next(iter(names))] for short, names in owners.items()
            if len(names) == 1 and short not in whole and short.removesuffix("s") not in whole}


def normalize_name(words: str) -> str:
    """Lower case, single spaces, no punctuation or leading article: how names are compared."""
    text = re.sub(r"[^\w\s'-]", " ", words.lower())
    return ARTICLES.sub("", " ".join(text.split()))


class DeviceDirectory:
    """Finds devices by spoken name or area, and remembers what each was last told."""

    def __init__(self, devices: tuple[Device, ...]) -> None:
        self.devices = devices
        self._by_name = {spoken: device for device in devices for spoken in device.spoken_names()}
        self.short_names = short_names(devices)
        self.last_state: dict[str, str] = {}
        self.last_brightness: dict[str, int] = {}   # percent, as last set from here

    def find(self, words: str) -> Device | None:
        """A device by name or alias ("the kitchen lights" finds "kitchen light"), or by a name heard a
        little wrong ("kitchen life", "porch-like"): only a close likeness, so another device is never
        taken for an unknown one ("garage heater" stays unknown beside "garage door"), and never a door, gate
        or lock (`GUARDED_NOUNS`)."""
        wanted = normalize_name(words)
        exact = (self._by_name.get(wanted) or self._by_name.get(wanted.removesuffix("s"))
                 or self.short_names.get(wanted) or self.short_names.get(wanted.removesuffix("s")))
        if exact is not None or not wanted:
            return exact
        heard = wanted.replace("-", " ").split()
        alike = [name for name in self._by_name if _heard_as(heard, name.split())
                 and singular(name.split()[-1]) not in GUARDED_NOUNS]
        return self._by_name[alike[0]] if len({self._by_name[n] for n in alike}) == 1 else None

    def named_with_lights(self, words: str) -> Device | None:
        """A light or switch said by its name and "lights" ("the christmas tree lights" for a switch called
        Christmas tree, beside its alias "tree lights"); None otherwise."""
        said = normalize_name(words).split()
        if len(said) < 2 or singular(said[-1]) != "light":
            return None
        device = self.find(" ".join(said[:-1]))
        return device if device is not None and device.kind in ("light", "switch") else None

    def in_area(self, area: str, kinds: tuple[str, ...] = KINDS) -> list[Device]:
        wanted = normalize_name(area)
        return [d for d in self.devices if d.area == wanted and d.kind in kinds]

    def areas(self) -> list[str]:
        return sorted({d.area for d in self.devices if d.area})


DEVICE_ARG = {"type": "string", "maxLength": 60, "description": "the device's name, as the user said it"}
DEVICE_TOOLS = (
    Tool("turn_on", "Turn on a home device (a light, switch or fan) by its name.", {
        "type": "object", "properties": {"device": DEVICE_ARG}, "required": ["device"], "additionalProperties": False}),
    Tool("turn_off", "Turn off a home device (a light, switch or fan) by its name.", {
        "type": "object", "properties": {"device": DEVICE_ARG}, "required": ["device"], "additionalProperties": False}),
    Tool("set_brightness", "Set a light's brightness in percent.", {
        "type": "object",
        "properties": {"device": DEVICE_ARG, "percent": {"type": "integer", "minimum": 0, "maximum": 100}},
        "required": ["device", "percent"], "additionalProperties": False}),
    Tool("change_brightness", "Make a light brighter (positive delta) or dimmer (negative), in percentage points.", {
        "type": "object",
        "properties": {"device": DEVICE_ARG, "delta": {"type": "integer", "minimum": -100, "maximum": 100}},
        "required": ["device", "delta"], "additionalProperties": False}),
    Tool("open_cover", "Open a cover (a blind, a garage door, a curtain).", {
        "type": "object", "properties": {"device": DEVICE_ARG}, "required": ["device"], "additionalProperties": False}),
    Tool("close_cover", "Close a cover (a blind, a garage door, a curtain).", {
        "type": "object", "properties": {"device": DEVICE_ARG}, "required": ["device"], "additionalProperties": False}),
    Tool("stop_cover", "Stop a moving cover where it is.", {
        "type": "object", "properties": {"device": DEVICE_ARG}, "required": ["device"], "additionalProperties": False}),
)

Handler = Callable[[dict[str, Any], str], dict[str, Any]]


class DeviceHandlers:
    """Runs the device actions: resolve the device, check the action fits its kind, publish the payload."""

    def __init__(self, directory: DeviceDirectory, bus: EventBus, mqtt_enabled: bool) -> None:
        self._directory, self._bus, self._mqtt = directory, bus, mqtt_enabled
        self.handlers: dict[str, Handler] = {
            "turn_on": lambda args, _s: self._switch(args, on=True),
            "turn_off": lambda args, _s: self._switch(args, on=False),
            "set_brightness": self._brightness,
            "change_brightness": self._brightness_step,
            "open_cover": lambda args, _s: self._cover(args, "OPEN", "open"),
            "close_cover": lambda args, _s: self._cover(args, "CLOSE", "closed"),
            "stop_cover": lambda args, _s: self._cover(args, "STOP", "stopped"),
        }

    def _device(self, args: dict[str, Any]) -> Device:
        words = str(args.get("device", "")).strip()
        device = self._directory.find(words)
        if device is None:
            raise ValueError(f"I don't know a device called {said_back(normalize_name(words))}.")
        return device

    def _switch(self, args: dict[str, Any], on: bool) -> dict[str, Any]:
        device = self._device(args)
        if device.kind == "cover":
            return self._cover(args, "OPEN" if on else "CLOSE", "open" if on else "closed")
        state = "ON" if on else "OFF"
        payload = json.dumps({"state": state}) if device.kind == "light" else state
        self._directory.last_brightness.pop(device.name, None)   # a light turned on comes back as it was: unknown
        self._send(device, payload)
        return self._done(device, "on" if on else "off")

    def _brightness(self, args: dict[str, Any], _session: str) -> dict[str, Any]:
        device = self._device(args)
        if device.kind != "light":
            raise ValueError(f"The {device.name} is a {device.kind}; only lights have a brightness.")
        percent = max(0, min(100, int(args["percent"])))
        state = "ON" if percent > 0 else "OFF"
        self._send(device, json.dumps({"state": state, "brightness": round(percent * 255 / 100)}))
        result = self._done(device, "on" if percent else "off")
        self._directory.last_brightness[device.name] = percent
        result.update(brightness=percent, summary=f"The {device.name} is at {percent} percent.")
        return result

    def _brightness_step(self, args: dict[str, Any], session: str) -> dict[str, Any]:
        """"Dim the kitchen light": from the brightness last set here (full when on, or not known), never
        below the dimmest step (a dimmed light stays on) nor above full."""
        device = self._device(args)
        if self._directory.last_state.get(device.name) == "off":
            current = 0
        else:
            current = self._directory.last_brightness.get(device.name, 100)
        percent = max(MIN_DIMMED, min(100, current + int(args["delta"])))
        return self._brightness({"device": device.name, "percent": percent}, session)

    def _cover(self, args: dict[str, Any], payload: str, state: str) -> dict[str, Any]:
        device = self._device(args)
        if device.kind != "cover":
            raise ValueError(f"The {device.name} is a {device.kind}; it can be turned on or off, not opened or closed.")
        self._send(device, payload)
        return self._done(device, state)

    def _send(self, device: Device, payload: str) -> None:
        if not self._mqtt:
            raise ValueError(f"I can't reach the {device.name}: MQTT is not set up on this device.")
        self._bus.publish(DeviceCommand(device=device.name, topic=device.command_topic, command=payload))

    def _done(self, device: Device, state: str) -> dict[str, Any]:
        self._directory.last_state[device.name] = state
        verb = "is" if not device.name.endswith("s") else "are"
        return {"device": device.name, "state": state, "summary": f"The {device.name} {verb} {state}."}
