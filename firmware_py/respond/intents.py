"""The intent responder: a matched sentence becomes catalogue actions and a templated answer, no LLM.

Home Assistant's intents (HassStartTimer, HassTurnOn...) and the product's own ("action:set_mute") are
mapped here onto the command catalogue, with devices resolved through the configured directory. Intents
the device cannot serve (weather, shopping lists, climate...) get a plain "can't do that" rather than a
guess from the LLM.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..heard_alike import one_sound_apart, one_sound_swapped
from ..integrations.devices import (BRIGHTNESS_STEP, DEVICE_NOUNS, GUARDED_NOUNS, KINDS, ROOMS, Device, DeviceDirectory,
                                    normalize_name, said_back, singular)
from ..llm.builtin_tools import SET_ALARM
from ..llm.timers import spoken_duration
from ..speech.slowed import slowed, worth_hearing_again
from ..speech.stt import Rereading
from .alarm_reread import (AlarmTimeReading, asks_for_a_time, clock_words_heard, minute_one_sound_away, reading_taken,
                           words_where_the_time_goes)
from .alarms import AlarmSentences
from .base import ActionCall, Answer
from .command_reread import (LEFT_OUT_NAME_MARGIN, LEFT_OUT_NAME_WIDTH, MARGIN, MIN_WORDS, QUESTION_WIDTH,
                             REFUSAL_MARGIN, SECOND_WIDTH, SUM, WIDTH, CommandReread, RereadingStt, from_the_verb,
                             on_the_device_itself)
from .chain import same_words
from .custom import CustomCommand
from .device_states import STATES_OF_KIND, one_state, said_kind, states_answer
from .intent_matcher import (DANGLING_CONJUNCTIONS, DEVICE_DOMAINS, FILLERS, TRAILING_STRAYS, UNSUPPORTED,
                             IntentMatch, IntentMatcher, asked_plainly, asked_which, bare_words, rephrased, restarts,
                             rooms_in, rooms_kept, same_room, without_trailing_strays)
from .later import later_call
from .number_words import length_said
from .opposites import (READ_MARGIN, RIVAL_LENGTHS, UNMENDED_MARGIN, OppositeReading, family_of, heard_otherwise,
                        resumed_instead, said_plainly, teen_or_ten_length)
from .rewordings import all_but, each_timer_said, in_the_room_said, joined_parts, room_put_first, with_the_thing_named
from .sums import number_asked, plain_sum, sum_answer, worked_out
from .timer_names import (COMMON_TIMER_NAMES, name_in_doubt, name_unheard, names_known, run_into_timer, same_but_name,
                          one_request_named_twice, the_named_one, timer_call)

log = logging.getLogger(__name__)

CANNOT = "Sorry, I can't do that on this device."
SHORTEST_READ_TIMER_SECS = 10
"""A timer a turn's reading (not its first hearing) may set: given a garbled word after "timer for", the beam
writes "a second" ("Time before seven." read as "Timer for a second."), a timer that rings before anyone
could use it; the corpus's shortest timer is 20 seconds."""
OPPOSITE_WIDTH = 4
"""Readings kept at each step when a one-sound command is read within its family: on the daemon's cuts of 72
such commands of four benchmark runs, widths 8, 4 and 2 asked about the same two and no other; the reading
took 0.12, 0.08 and 0.06 s (median) before the command ran. 4 keeps room for the other deed beside two
phrasings of the heard one."""
OPPOSITE_WIDER = 8
"""The beam of a second reading of a one-sound command when the first found no sentence of its family at all:
likelier starts that led nowhere filled the narrow beam ("As in the timer," for "Resume the timer.": nothing at
4, "Resume the timer," at 8)."""
NAME_WIDER = 32
"""The beam of a second reading of a timer's name in doubt when the first found none near enough: a request
begun again filled the narrow beam with its starts (seed 1093's "Set an, set an egg timer for six minutes.",
heard "Set on set on any time of forsake minutes.": the egg timer 9.55 nats below at 16, 4.93 at 32)."""
NO_WEATHER = "I have no weather information: this device works offline."
KINDS_OF_DOMAIN = {"light": ("light",), "switch": ("switch", "light"), "fan": ("fan",), "cover": ("cover",),
                   "everything": ("light", "switch", "fan")}
"""Which device kinds an intent's domain may mean ("the porch light" may be wired as a switch)."""
PLURAL_DOMAIN_WORD = re.compile(r"\b(?:lights|lamps|fans)\b", re.I)
"""A kind of device said in the plural: all of them there are, as a home speaker with no room takes it."""
DOMAIN_NOUN = {"everything": "lights"}
"""What a domain's devices are called when none is in the area asked for."""
LIGHT_SET_UNSUPPORTED = frozenset({"color", "temperature"})
"""What a light may be set to that no action here sets: asked for, it is refused as such."""
RESPONSES = {
    "hello": "Hello! What can I do for you?",
    # true whatever the settings: speech is always recognised here (a remote LLM gets words, never audio)
    "listening": "I listen for speech, and your voice is turned into words here, on this device. The recording is "
                 "neither kept nor sent anywhere.",
    "data": "Your voice stays on this device: it is turned into words here, and the recording is neither kept nor "
            "sent anywhere.",
    "creator": "I'm rtvi-edge, an open voice assistant that runs entirely on this device.",
}
"""The library's small questions about the assistant itself (HassRespond), by the sentence's response key;
"what can I say" is the help command."""


COVER_CLASS_WORDS = {
    **dict.fromkeys(("awning", "blind", "curtain", "shade", "shutter"),
                    frozenset({"awning", "awnings", "blind", "blinds", "curtain", "curtains", "drapes", "shade",
                               "shades", "shutter", "shutters"})),
    "door": frozenset({"door", "doors"}),
    "garage": frozenset({"garage"}),
    "gate": frozenset({"gate", "gates"}),
    "window": frozenset({"window", "windows"}),
}
"""The words a cover of each Home Assistant device class is called by ("open the garage window"): a window
covering said another way (curtains for the blinds) is the same thing; a window, a door and a gate are not."""
ANY_COVER_CLASS_WORD = frozenset().union(*COVER_CLASS_WORDS.values())
NO_NAME_ENDS = DANGLING_CONJUNCTIONS | TRAILING_STRAYS
"""Words no device's name ends in: written after a name's first words, they stood for its last sounds."""
SAYS_WHAT_TO_DO = re.compile(r"\b(on|off|open|close|shut)\b", re.I)
"""Words that say what to do with a device: a room named without them ("Turned the porch.") is no command yet."""


class WhichOne(Exception):
    """The request fits several devices: the question to ask instead of guessing."""

    def __init__(self, question: str, devices: tuple[str, ...] = ()) -> None:
        super().__init__(question)
        self.devices = devices
        """The names of the devices it fits, when the question is which of them."""


NAMED_REQUESTS: dict[str, str] = {
    "HassTurnOn": "turn on {reply}", "action:device_on": "turn on {reply}",
    "HassTurnOff": "turn off {reply}", "action:device_off": "turn off {reply}",
    "HassLightSet": "set {reply} to {brightness} percent", "action:set_brightness": "set {reply} to {brightness} percent",
    "action:open_cover": "open {reply}", "action:close_cover": "close {reply}", "action:device_stop": "stop {reply}",
}
"""A request that fits several devices, as said with one named: "Which one?" is answered by a name ("The
kitchen light.") and the name, or the one device just commanded, completes it."""


def named_request(intent: str, slots: dict[str, Any]) -> str:
    """The frame (respond/asked.py) of the request with its device left to name; "" where none is kept."""
    if intent == "action:change_brightness":
        return "brighten {reply}" if slots.get("step") == "up" else "dim {reply}"
    frame = NAMED_REQUESTS.get(intent, "")
    if "{brightness}" in frame:
        if "brightness" not in slots:
            return ""
        frame = frame.replace("{brightness}", str(_percent(slots["brightness"])))
    return frame


def timer_seconds(slots: dict[str, Any]) -> int:
    return round(float(slots.get("hours", 0)) * 3600 + float(slots.get("minutes", 0)) * 60
                 + float(slots.get("seconds", 0)))


LABEL_NOT = frozenset(("her", "his", "him", "she", "he", "it", "its", "you", "your", "me", "that", "this", "or",
                       "they", "them", "their", "there", "we", "us",
                       "and", "of", "to", "in", "on", "at", "for", "with", "from", "by", "is", "the", "a", "an",
                       "set", "said", "sent", "start", "cancel", "stop", "timer", "up", "down", "out", "off", "over",
                       "every", "each", "all", "any", "moment", "while", "bit",
                       "but", "so", "if", "then", "than", "because", "nor", "yet", "not"))
"""Words no timer's name holds (after its leading article): a label with one is a sentence mis-heard ("her past
her" for "a pasta", "pause in the timer" for "pause the timer", "set arised" for a restarted "set a, set a rice",
"Cancelled, but. / Timer," for "Cancel the | timer": a conjunction joins words, it names nothing)."""


HEARD_ARTICLES = frozenset(("a", "an", "the", "my", "our", "your", "at", "in", "her", "of", "they"))
"""What may stand before a timer's name: an article or a possessive ("set our pizza timer"), or an article as
STT writes it ("start at workout timer", "set in egg timer", "start her pizza timer", "start of workout timer",
"pause they timer", "Set our T-timer" for "a tea timer")."""
RESTART_VERBS = frozenset(("set", "said", "sent", "start"))
"""A name that holds one of these holds a restart ("Set and, set in egg timer"): the name follows its last one."""


CLOSING_THANKS = re.compile(r"(?:(?:^|[\s,]+)(?:please|thanks|thank you)\W*)+$", re.I)


def heard_name(slots: dict[str, Any]) -> str:
    """The words heard where a timer's name goes, after the last restart and the leading articles."""
    # (a word of punctuation alone is no name: "Pause, ma' pause, ma' timer." left "'", seed 367)
    words = [word for word in _name_slot_words(slots) if re.search(r"\w", word)]
    while words and words[0].lower() in HEARD_ARTICLES:
        words = words[1:]
    # a closing "please" or thanks after the name is none of it ("Timer for five minutes for the pizza please.")
    return CLOSING_THANKS.sub("", " ".join(words))


def articles_for_a_name(slots: dict[str, Any]) -> bool:
    """Did two or more articles stand where one goes, and nothing else ("Set at the time for three minutes"
    for "a tea timer")? One of them was a short name heard as an article."""
    words = _name_slot_words(slots)
    return len(words) >= 2 and all(word.lower() in HEARD_ARTICLES for word in words)


def _name_slot_words(slots: dict[str, Any]) -> list[str]:
    """The words of the name slot after the last restart ("Set and, set in egg timer")."""
    heard = str(slots.get("label") or slots.get("name") or "")
    words = [w for w in (word.strip(".,!?-") for word in heard.split()) if w]   # "a tea-timer": "tea-" is "tea"
    restarted = [i for i, word in enumerate(words) if word.lower() in RESTART_VERBS]
    return words[restarted[-1] + 1:] if restarted else words


def _label(slots: dict[str, Any]) -> dict[str, Any]:
    words = heard_name(slots).split()
    if any(word.lower().strip(",.") in LABEL_NOT for word in words):
        return {}   # better a timer without a name than one named with mis-heard words
    started = round(float(slots.get("start_hours", 0)) * 3600 + float(slots.get("start_minutes", 0)) * 60
                    + float(slots.get("start_seconds", 0)))
    if not words and started > 0:   # "Cancel the 5 minute timer": the one set for that long, as lists name it
        return {"label": spoken_duration(started, adjective=True)}
    return {"label": " ".join(words)} if words else {}


class IntentAnswers:
    """IntentMatch -> Answer, knowing the devices and the user's own commands."""

    def __init__(self, directory: DeviceDirectory, custom: tuple[CustomCommand, ...], area: str = "") -> None:
        self._directory, self._custom, self._area = directory, custom, area
        self._by_intent: dict[str, Callable[[dict[str, Any]], tuple[ActionCall, ...]]] = {
            "HassGetCurrentTime": lambda _s: (ActionCall("get_time"),),
            "HassGetCurrentDate": lambda _s: (ActionCall("get_date"),),
            "action:get_time": lambda _s: (ActionCall("get_time"),),
            "action:get_date": lambda _s: (ActionCall("get_date"),),
            "action:pause_timer": lambda s: (ActionCall("pause_timer", {"all": True} if s.get("all") else _label(s)),),
            "action:resume_timer": lambda s: (ActionCall("resume_timer", {"all": True} if s.get("all") else _label(s)),),
            "action:restart_timer": lambda s: (ActionCall("restart_timer", {**_label(s), **({"over": True} if s.get("over") else {})}),),
            "action:add_timer_time": lambda s: _timer_time(s, 1),
            "action:take_timer_time": lambda s: _timer_time(s, -1),
            "action:change_brightness": self._brightness_step,
            "action:device_on": lambda s: self._switch(s, on=True),
            "action:device_off": lambda s: self._switch(s, on=False),
            "action:device_stop": self._stop,
            "action:open_cover": lambda s: self._cover(s, "open_cover"),
            "action:close_cover": lambda s: self._cover(s, "close_cover"),
            "action:list_timers": lambda _s: (ActionCall("list_timers"),),
            "action:cancel_timer": lambda s: (ActionCall("cancel_timer", {"all": True} if s.get("all") else _label(s)),),
            "action:set_brightness": self._light_set,
            "HassStartTimer": self._start_timer, "action:set_timer": self._start_timer,
            "HassCancelTimer": lambda s: (ActionCall("cancel_timer", _label(s)),),
            "HassCancelAllTimers": lambda _s: (ActionCall("cancel_timer", {"all": True}),),
            "HassTimerStatus": lambda _s: (ActionCall("list_timers"),),
            "HassPauseTimer": lambda s: (ActionCall("pause_timer", _label(s)),),
            "HassUnpauseTimer": lambda s: (ActionCall("resume_timer", _label(s)),),
            "HassIncreaseTimer": lambda s: (ActionCall("add_timer_time", {"seconds": timer_seconds(s), **_label(s)}),),
            "HassDecreaseTimer": lambda s: (ActionCall("add_timer_time", {"seconds": -timer_seconds(s), **_label(s)}),),
            "HassSetVolume": lambda s: (ActionCall("set_volume", {"percent": _percent(s.get("volume_level"))}),),
            "action:set_volume": lambda s: (ActionCall("set_volume", {"percent": _percent(s.get("volume_percent"))}),),
            "action:change_volume": lambda s: (ActionCall("change_volume", {"delta": int(s["delta"])}),),
            "action:change_volume_by": lambda s: (ActionCall("change_volume", {
                "delta": _percent(s.get("volume_percent")) * (-1 if s.get("direction") == "down" else 1)}),),
            "HassMediaPlayerMute": lambda _s: (ActionCall("set_mute", {"muted": True}),),
            "HassMediaPlayerUnmute": lambda _s: (ActionCall("set_mute", {"muted": False}),),
            "action:set_mute": lambda s: (ActionCall("set_mute", {"muted": bool(s["muted"])}),),
            "action:get_volume": lambda _s: (ActionCall("get_volume"),),
            "HassNevermind": lambda _s: (ActionCall("never_mind"),),
            "conversation:repeat": lambda _s: (ActionCall("repeat"),),
            "action:help": lambda _s: (ActionCall("help"),),
            "action:snooze": lambda s: (ActionCall("snooze", {"seconds": timer_seconds(s)} if timer_seconds(s) else {}),),
            "HassTurnOn": lambda s: self._switch(s, on=True),
            "HassTurnOff": lambda s: self._switch(s, on=False),
            "HassLightSet": self._light_set,
        }

    def find(self, device: str) -> Device | None:
        return self._directory.find(device)

    def knows(self, device: str) -> bool:
        return self.find(device) is not None

    def areas(self) -> list[str]:
        return self._directory.areas()

    def answer(self, match: IntentMatch) -> Answer | None:
        intent, slots = match.intent, match.slots
        confidence = 0.8 if match.corrected else 1.0
        if intent == "ambiguous":
            choices = " or ".join(f'"{choice}"' for choice in slots["choices"][:2])
            return Answer("intent", text=f"Sorry, did you say {choices}?", confidence=0.5,
                          choices=tuple(slots["choices"]))
        if intent in ("conversation:stop", "HassMediaPause"):
            return Answer("intent", command="stop")
        if intent == "answer:arithmetic":
            return Answer("intent", text=worked_out(slots))
        if intent in ("HassGetState", "action:device_state"):
            # about a device, or the devices of a kind ("Are any lights on?"); "Who is the director?" is for the
            # knowledge or the LLM
            said = self._state(slots) if slots.get("name") else self._states(slots)
            return Answer("intent", text=said) if said else None
        if intent in ("HassGetWeather", "answer:weather"):
            return Answer("intent", text=NO_WEATHER)
        if intent == "answer:thanks":
            return Answer("intent", text="You're welcome.")
        if intent == "answer:acknowledged":   # "Great.", "Okay, perfect.": nothing asked, nothing to say
            return Answer("intent", command="stop")
        if intent == "HassStartTimer" and slots.get("conversation_command"):   # "Turn off the lights in ten minutes"
            later = later_call(str(slots["conversation_command"]), timer_seconds(slots))
            return Answer("intent", actions=(later,), confidence=confidence) if later else None
        if intent == "action:ask_timer_length":   # "Set a timer." -> "For how long?"
            # tentative: "Set a timer | for five minutes" said with a pause waits for its rest before asking
            named = f"a {slots['label']} timer" if slots.get("label") else "a timer"   # "Set a pasta timer."
            return Answer("intent", text="For how long?", frame=f"set {named} for {{reply}}", confidence=confidence,
                          tentative=True)
        if intent == "action:ask_what_to_switch":   # "Turn on." -> "What should I turn on?"
            verb = f"turn {slots['state']}"
            # tentative: "Turn on the | kitchen light" said with a pause waits for its rest before asking
            return Answer("intent", text=f"What should I {verb}?", frame=f"{verb} {{reply}}", tentative=True)
        if intent in UNSUPPORTED:
            return Answer("intent", text=CANNOT, confidence=confidence)
        if intent == "HassRespond":
            said = RESPONSES.get(str(slots.get("response", "")))
            return (Answer("intent", text=said, confidence=confidence) if said
                    else Answer("intent", actions=(ActionCall("help"),), confidence=confidence))
        if intent.startswith("custom:"):
            return self._custom_answer(self._custom[int(intent.split(":", 1)[1])])
        if match.unknown_name:
            # "office chains" is the office shades; "open the garage" is the garage's one cover
            heard_as = (self._directory.find(match.unknown_name)
                        or self._only_one_in_area(match.unknown_name, slots, match.text)
                        or self._only_one_called(match.unknown_name)
                        or self._only_one_called_in_area(match.unknown_name)
                        or self._only_one_begun(match.unknown_name, match.text)
                        or self._directory.named_with_lights(match.unknown_name))
            if heard_as is not None and match.only_refuses:   # the verb guessed: a device of ours is read again
                return None
            if heard_as is not None and match.asks:   # "Is the heater on?" of the space heater: told, never done
                return Answer("intent", text=self._state({"name": heard_as.name}), confidence=confidence)
            if heard_as is not None:
                slots = {**slots, "name": heard_as.name}
            else:
                name = "turn_off" if intent == "HassTurnOff" else "turn_on"
                return Answer("intent", actions=(ActionCall(name, {"device": match.unknown_name}),),
                              unknown_device=match.unknown_name)
        if intent == "HassSetVolumeRelative":
            return Answer("intent", actions=(ActionCall("change_volume", {"delta": _volume_step(slots.get("volume_step"), match.text)}),),
                          confidence=confidence)
        build = self._by_intent.get(intent)
        if build is None:
            log.info("intent without a mapping", extra={"intent": intent})
            return None
        if slots.get("area") == "here":
            if noun := _thing_said(match.text):
                slots = {**slots, "noun": noun}   # "the lamp": of the lights, the one called a lamp
            if PLURAL_DOMAIN_WORD.search(match.text):
                slots = {**slots, "every": True}   # "the lights", said where no room's lights are meant: all
        try:
            # "Set a timer for five" read as minutes: a pause there may come before its unit ("| seconds")
            unit_left_out = intent == "action:set_timer" and not UNIT_WORD.search(match.text)
            actions = build(slots)
            if not actions and intent == "HassLightSet" and not LIGHT_SET_UNSUPPORTED & slots.keys():
                # neither a brightness nor a colour: words the library's wildcards took for a light's setting
                # ("Didn't the kitchen light to for a present?", seed 997), which nobody claims
                return None
            if not actions:   # "Make the kitchen light blue": a light's colour, which no action sets here
                return Answer("intent", text=CANNOT, confidence=confidence)
            return Answer("intent", actions=actions, confidence=confidence, tentative=unit_left_out)
        except WhichOne as question:
            frame = named_request(intent, slots) if question.devices else ""
            return Answer("intent", text=str(question), confidence=confidence, frame=frame, one_of=question.devices)

    # --- timers and devices ------------------------------------------------------------------------

    def _start_timer(self, slots: dict[str, Any]) -> tuple[ActionCall, ...]:
        seconds = timer_seconds(slots) or 60   # "a one minute timer" has no number slot
        # a "name" that is a length is more of it: "... for an hour for fifteen minutes" ("an hour and fifteen
        # minutes" read within the commands, seed 1009) was an hour's timer called "fifteen minutes"
        if more := length_said(heard_name(slots)):
            return (ActionCall("set_timer", {"seconds": seconds + more}),)
        return (ActionCall("set_timer", {"seconds": seconds, **_label(slots)}),)

    def _targets(self, slots: dict[str, Any]) -> list[Device] | str:
        """The devices a request means, or the words for one that does not exist."""
        domain = str(slots.get("domain", "") or "")
        if slots.get("name"):
            device = self._directory.find(str(slots["name"]))
            return [device] if device else str(slots["name"])
        area = str(slots.get("area", "") or "")
        kind = str(slots.get("device_class", "") or "")
        if area == "here":   # "turn on the light": this room's, or the only one there is
            here = self._matching(domain, self._area, kind) if self._area else []
            everywhere = self._matching(domain, None, kind)
            if slots.get("noun"):   # "the lamp" among three lights: the one lamp
                here, everywhere = _called(here, str(slots["noun"])) or here, _called(everywhere, str(slots["noun"])) or everywhere
            if here or len(everywhere) == 1 or (everywhere and slots.get("every")):
                return here or everywhere
            if len(everywhere) > 1:
                names = [f"the {d.name}" for d in everywhere[:3]]
                raise WhichOne(f"Which one: {', '.join(names[:-1])} or {names[-1]}?", tuple(d.name for d in everywhere))
            return kind or domain or "that"
        if area:
            # ("everything in the garage", where only a door is: no lights there either)
            return self._matching(domain, area, kind) or f"{area} {kind or DOMAIN_NOUN.get(domain, domain) or 'device'}".strip()
        return (self._matching(domain, None, kind) if domain else []) or (kind or domain or "that")

    def _only_one_called(self, noun: str) -> Device | None:
        """The one device a household noun names ("Lamp to 50 percent." with one lamp)."""
        found = _called(list(self._directory.devices), singular(noun)) if singular(noun) in DEVICE_NOUNS else []
        return found[0] if len(found) == 1 else None

    def _only_one_called_in_area(self, name: str) -> Device | None:
        """The one device of a room that a household noun names, the room said before it ("the office heater"
        for the office's space heater); None when the words are no room and such a noun, or two fit."""
        words = normalize_name(name).split()
        if len(words) < 2 or singular(words[-1]) not in DEVICE_NOUNS:
            return None
        area = " ".join(words[:-1])
        found = _called(self._directory.in_area(area), singular(words[-1]))
        if not found and singular(words[-1]) == "light":   # "the kitchen lights": its one light, whatever it is called
            found = [device for device in self._directory.in_area(area) if device.kind == "light"]
        return found[0] if len(found) == 1 else None

    def _only_one_begun(self, name: str, text: str) -> Device | None:
        """The one device whose name begins with the words heard as a name and goes on, when the words say what
        to do with it: "Can you turn on the floor then?" for the floor lamp (its last word heard as another
        word, which no name holds). Two such devices ("the porch" beside a porch light and a porch fan): none."""
        heard = without_trailing_strays(normalize_name(name).split(), NO_NAME_ENDS)   # "floor then": "then" stood for "lamp"
        if not heard or not SAYS_WHAT_TO_DO.search(text):
            return None
        found = [device for device in self._directory.devices   # (names are kept normalized)
                 if any(len(spoken) > len(heard) and spoken[:len(heard)] == heard
                        for spoken in (called.split() for called in device.spoken_names()))]
        return found[0] if len(found) == 1 else None

    def _only_one_in_area(self, area: str, slots: dict[str, Any], text: str) -> Device | None:
        """The one device of the request's kind in an area named where a device's name was expected, when
        the words say what to do with it ("Turned the porch." may be the start of "... porch light off")."""
        if not SAYS_WHAT_TO_DO.search(text):
            return None
        found = self._directory.in_area(area, KINDS_OF_DOMAIN.get(str(slots.get("domain") or ""), KINDS))
        return found[0] if len(found) == 1 else None

    def _matching(self, domain: str, area: str | None = None, device_class: str = "") -> list[Device]:
        """Devices of the domain (a switch named "porch light" counts as a light), in the area if given, and
        of the device class if one was said (the garage door is no "garage window")."""
        kinds = KINDS_OF_DOMAIN.get(domain, ("light", "switch", "fan", "cover"))
        wanted = normalize_name(area) if area is not None else None

        def fits(device: Device) -> bool:
            named_light = domain == "light" and any(w in n.split() for n in device.spoken_names()
                                                    for w in ("light", "lights", "lamp"))
            return (device.kind in kinds or named_light) and _of_class(device, device_class)

        return [d for d in self._directory.devices if fits(d) and (wanted is None or d.area == wanted)]

    def _for_each_target(self, slots: dict[str, Any], action: Callable[[Device | None], str],
                         arguments: dict[str, Any] | None = None) -> tuple[ActionCall, ...]:
        """One call per device the request means (`action` picks its name from the device's kind); for a
        device that does not exist, one call with the words heard, which the device handler refuses by name."""
        targets = self._targets(slots)
        extra = arguments or {}
        if isinstance(targets, str):
            return (ActionCall(action(None), {"device": targets, **extra}),)
        if "percent" in extra or "delta" in extra:   # "dim the lights": those that dim, not a switch among them
            targets = [d for d in targets if d.kind == "light"] if len(targets) > 1 else targets
        if slots.get("area") == "here" and not slots.get("name"):   # "Open the door": a way in opens only when named
            guarded = [d for d in targets if action(d) == "open_cover" and _guarded(d)]
            targets = [d for d in targets if d not in guarded]
            if guarded and not targets:
                raise WhichOne(f"To open the {guarded[0].name}, say its name: open the {guarded[0].name}.")
        return tuple(ActionCall(action(d), {"device": d.name, **extra}) for d in targets)

    def _switch(self, slots: dict[str, Any], on: bool) -> tuple[ActionCall, ...]:
        """On and off; a cover turned on opens."""
        def action(device: Device | None) -> str:
            if device is not None and device.kind == "cover":
                return "open_cover" if on else "close_cover"
            return "turn_on" if on else "turn_off"
        return self._for_each_target(slots, action)

    def _brightness_step(self, slots: dict[str, Any]) -> tuple[ActionCall, ...]:
        delta = BRIGHTNESS_STEP if slots.get("step") == "up" else -BRIGHTNESS_STEP
        return self._for_each_target({**slots, "domain": "light"}, lambda _d: "change_brightness", {"delta": delta})

    def _stop(self, slots: dict[str, Any]) -> tuple[ActionCall, ...]:
        """"Stop the garage door" halts a cover where it is; "stop the fan" turns it off."""
        return self._for_each_target(slots, lambda d: "stop_cover" if d is not None and d.kind == "cover" else "turn_off")

    def _cover(self, slots: dict[str, Any], action: str) -> tuple[ActionCall, ...]:
        """"Raise the blinds": a cover's own verbs (the device handler refuses them for a light)."""
        return self._for_each_target(slots, lambda _d: action)

    def _light_set(self, slots: dict[str, Any]) -> tuple[ActionCall, ...]:
        if "brightness" not in slots:
            return ()
        return self._for_each_target({**slots, "domain": "light"}, lambda _d: "set_brightness",
                                     {"percent": _percent(slots["brightness"])})

    def _state(self, slots: dict[str, Any]) -> str:
        device = self._directory.find(str(slots.get("name", "")))
        if device is None:
            return f"I don't know a device called {said_back(str(slots.get('name') or ''))}."
        return one_state(device, self._directory.last_state, str(slots.get("state") or ""))

    def _states(self, slots: dict[str, Any]) -> str | None:
        """ "Are any lights on?", "Is the bedroom light on?" (the bedroom's lights, whatever they are called):
        from what each was last told; None for a kind of thing this device does not command (a lock)."""
        domain = str(slots.get("domain") or "")
        if domain not in DEVICE_DOMAINS:
            return None
        area = None if slots.get("area") in (None, "here") else str(slots["area"])
        device_class = str(slots.get("device_class") or "")
        devices = self._matching(domain, area, device_class)
        asked = str(slots.get("state") or STATES_OF_KIND[domain][0])
        things = said_kind(domain, device_class)
        return states_answer(devices, self._directory.last_state, asked, f"{things} in the {area}" if area else things)

    @staticmethod
    def _custom_answer(command: CustomCommand) -> Answer:
        if command.say:
            return Answer("intent", text=command.say)
        return Answer("intent", actions=(ActionCall(command.action, dict(command.arguments)),))


def _timer_time(slots: dict[str, Any], sign: int) -> tuple[ActionCall, ...]:
    """Time added to (sign 1) or taken off (-1) a timer; "add a minute" has no number slot."""
    return (ActionCall("add_timer_time", {"seconds": sign * (timer_seconds(slots) or 60), **_label(slots)}),)


def _of_class(device: Device, device_class: str) -> bool:
    """Is the device called by a word of the class (any device, when no class was said or its words are
    not known)? A device whose names use no class word at all may be anything, so it is not refused."""
    said = COVER_CLASS_WORDS.get(device_class)
    if said is None:
        return True
    words = {word for name in device.spoken_names() for word in name.lower().split()}
    return bool(words & said) or not words & ANY_COVER_CLASS_WORD


def _name_doubted(found: IntentMatch, answer: Answer, text: str, heard: str = "") -> bool:
    """Is the timer's name in `answer` (matched from `text`, a reading of the words `heard`) in doubt
    (timer_names.py): heard and dropped as words no name holds, a fragment or a letter, two articles where one
    goes, a name seldom given run into "timer", a name seldom given in words that had to be mended to match, or
    no name where a word was heard before "timer" (or its "time")?"""
    call = timer_call(answer)
    if call is None:
        return False
    label = str(call.arguments.get("label", ""))
    return name_in_doubt(heard_name(found.slots), label) or call.name == "set_timer" and (
        articles_for_a_name(found.slots) or run_into_timer(text, label) or _seldom_name_among_mended(found, text, label)
        or not label and (_word_left_before_timer(found, text) or _word_left_before_timer(found, heard, TIME_HEARD)
                          or _timer_heard_as_time(text)))


def _timer_heard_as_time(text: str) -> bool:
    """Was "timer" heard as "time" ("Set a set a time for three minutes," for seed 1097's "Set a, set a tea timer
    ..."): with no name, a short name before it may have run into it, as "tea timer" into "time"."""
    return re.search(r"\btime\b", text, re.I) is not None and re.search(r"\btimers?\b", text, re.I) is None


SETTING_VERBS = ("set", "start", "make", "create", "put")
NOT_A_NAME_BEFORE_TIMER = frozenset((*SETTING_VERBS, "a", "an", "the", "my", "new", "another", "one", "please", "ok",
                                     "okay", "so", "um", "uh", "hey"))


TIME_HEARD = r"timer|time"
""""timer" as the recogniser may write it in a request it did not read whole ("... any time of forsake minutes")."""


def _word_left_before_timer(found: IntentMatch, text: str, timer: str = "timer") -> bool:
    """Was the word before "timer" left out of what matched ("Antonin, timer for six minutes." matched from its
    comma on, seed 433: "Set an egg timer" heard so)? It may be the timer's name heard as other words. Also
    what was heard before a reading (seed 1093: "Set on set on any time of forsake minutes." read "Set an, set
    an, timer for six minutes.", the egg timer's "egg" heard as "any" and read as no name)."""
    before = re.search(rf"([a-z']+)\W*\s+(?:{timer})\b", text, re.I)
    if before is None or before.group(1).lower() in NOT_A_NAME_BEFORE_TIMER:
        return False
    return before.group(1).lower() not in found.text.lower().split()


def _seldom_name_among_mended(found: IntentMatch, text: str, label: str) -> bool:
    """A name people seldom give timers, in a request whose words were mended to match, whose "timer" was
    heard as "time", or whose name begins with the verb said before it: the words beside the name were
    mis-heard, and so, most likely, was the name ("Start at longer time or 420 seconds" for a laundry timer,
    "So set a neck time" for an egg one, "Set a settee timer" for "Set a, set a tea timer", begun again). A
    seldom name heard in a request that matched as written ("Set a brisket timer") is taken as said."""
    name = label.strip().lower()
    if not name or name in COMMON_TIMER_NAMES:
        return False
    timer_heard_as_time = _timer_heard_as_time(text) and re.search(r"\btimers?\b", found.text, re.I) is not None
    verb = next((word for word in re.findall(r"[a-z]+", text.lower()) if word in SETTING_VERBS), "")
    verb_run_into_name = bool(verb) and name.startswith(verb) and name != verb
    return found.corrected or timer_heard_as_time or verb_run_into_name


def _length_heard_as_its_rival(heard_answer: Answer, read_answer: Answer | None, heard: str, read: str) -> bool:
    """Does the reading set the timer heard with another name and a length one sound from the one heard
    ("Set past her time of fourteen minutes." read "Set a pasta timer for ten minutes.": "for ten" run together
    is "fourteen"), all else the same?"""
    one, other = timer_call(heard_answer), timer_call(read_answer)
    return (one is not None and other is not None and one.name == "set_timer"
            and same_but_name(heard_answer, read_answer, besides=("seconds",))
            and teen_or_ten_length((one,), heard) is not None
            and teen_or_ten_length((other,), read, RIVAL_LENGTHS) is not None)


def _name_read_freely(answer: Answer) -> bool:
    """Does the answer set a timer with a name people seldom give timers?"""
    call = timer_call(answer)
    label = str(call.arguments.get("label", "")).strip().lower() if call is not None and call.name == "set_timer" else ""
    return bool(label) and label not in COMMON_TIMER_NAMES


def _thing_said(text: str) -> str:
    """The word for the thing a request names ("lamp" in "Lamp off."), when it is more than its domain's
    own word: "the light" may be any light."""
    nouns = [singular(word) for word in re.findall(r"[a-z]+", text.lower())]
    # the last such word: the first may be the verb ("Switch the lamp on.")
    return next((noun for noun in reversed(nouns) if noun in DEVICE_NOUNS and noun not in ("light", "fan", "garage")), "")


TIMER_WORD = re.compile(r"\btimers?\b", re.I)
NEGATED_COMMAND = re.compile(r"^\W*(?:please,? )?(?:don't|dont|do not|never)(?: you)?,? (?:turn|switch|open|close|shut|set|start|"
                             r"stop|cancel|dim|brighten|mute|unmute|pause|resume|lock|unlock|raise|lower|change|put|"
                             r"make|add)\b", re.I)
"""A command said not to be done: left to the LLM, a small model may do it anyway."""
NOT_DONE = "Okay, I won't."
UNIT_WORD = re.compile(r"\b(?:hours?|minutes?|seconds?|mins?|secs?|hrs?)\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _guarded(device: Device) -> bool:
    """Is the device a way into the home (a door, a gate, a lock), which opens only when named?"""
    return any(singular(word) in GUARDED_NOUNS for name in device.spoken_names() for word in name.split())


def _called(devices: list[Device], noun: str) -> list[Device]:
    return [d for d in devices if any(noun in map(singular, name.split()) for name in d.spoken_names())]


def _percent(value: Any) -> int:
    return max(0, min(100, round(abs(float(value or 0)))))


DOWN_WORDS = re.compile(r"\b(down|lower|decrease|reduce|quieter|softer)\b", re.I)


def _volume_step(step: Any, text: str = "") -> int:
    """+10 / -10 for up and down; a number said with "down" ("down by twenty percent") goes down."""
    if step == "up":
        return 10
    if step == "down":
        return -10
    amount = _percent(step)
    return -amount if DOWN_WORDS.search(text) else amount


class IntentResponder:
    """First link of the chain: sentence templates, matched on a thread of their own."""

    name = "intent"

    def __init__(self, matcher: IntentMatcher, answers: IntentAnswers) -> None:
        self._matcher, self._answers = matcher, answers
        self._executor = ThreadPoolExecutor(1, "intents")
        self.rereading = CommandReread(matcher, UNSUPPORTED, means=self._meant)
        self.opposites = OppositeReading(matcher)
        self.alarm_times = AlarmTimeReading()
        self._alarms = AlarmSentences(lambda words: self._plain_action(words) is not None)

    def warm_up(self) -> None:
        """The first match builds hassil's caches (~0.4 s unless kept from the last start), and the command
        grammar for reading turns again is built (~0.3 s), and the timer sentences with the names timers are given
        (~0.1 s, read for every timer set with no name): pay them at start-up."""
        self._matcher.warm_up()
        self.rereading.prepare()
        self.rereading.prepare_names(names_known(COMMON_TIMER_NAMES))
        self.opposites.prepare()
        self.alarm_times.prepare()

    async def match(self, text: str, session_id: str) -> Answer | None:
        loop = asyncio.get_running_loop()
        # "Turn off the porch light at 11": not now, whatever the library reads ("Um, set an alarm": its fillers
        # dropped as the library's matching drops them)
        at_a_time = await loop.run_in_executor(self._executor, self._at_a_time, text)
        if at_a_time is not None:
            return at_a_time
        text = each_timer_said(text)   # "Set two timers, one for 5 minutes and one for 10": each said whole
        if NEGATED_COMMAND.match(text):   # "Don't turn on the kitchen light.": nothing to do, and said so
            return Answer("intent", text=NOT_DONE)
        found = await loop.run_in_executor(self._executor, self._matcher.match, text)
        # ("Cancel the laundry timer and the pasta timer": the library reads one cancel of no timer named)
        if found is None or found.unknown_name or len(TIMER_WORD.findall(text)) > 1:
            reworded = await loop.run_in_executor(self._executor, self._reworded, text)
            if reworded is not None:
                log.debug("intent matched reworded", extra={"actions": [c.name for c in reworded.actions],
                                                            "session": session_id})
                return reworded
        if found is None:   # "I mute the speaker." (a clipped "un"?) asked about; else an alarm whose time was
            # heard as other words asked for, if nothing else fits
            clipped = await loop.run_in_executor(self._executor, self._clipped_mute_asked, text)
            return (clipped or await loop.run_in_executor(self._executor, self._time_unread, text)
                    or await loop.run_in_executor(self._executor, self._sum_said_otherwise, text))
        if found.unknown_name and (worked := await loop.run_in_executor(
                self._executor, self._sum_said_otherwise, f"what is {found.unknown_name}")) is not None:
            return worked   # "Hurt in five plus three,": no device is called "five plus three" (seed 809)
        answer = sum_answer(found.slots, rephrased(text)) if found.intent == SUM else self._answers.answer(found)
        if (asked := self._mute_asked(found, answer, text)) is not None:
            found, answer = asked, self._answers.answer(asked)
        log.debug("intent matched", extra={"intent": found.intent, "slots": found.slots, "session": session_id})
        if answer is not None and found.tentative:
            answer = replace(answer, tentative=True)
        if answer is not None and _name_doubted(found, answer, text):
            answer = replace(answer, name_in_doubt=True)
        return answer

    def _sum_said_otherwise(self, text: str) -> Answer | None:
        """A sum said around words the sentences do not hold ("What's in five plus three?"), worked out; or with
        one number heard as no number ("What is by plus three?"), that number asked for, never guessed
        (respond/sums.py). None for anything else."""
        said = plain_sum(self._matcher.without_fillers(rephrased(text)))
        if said is None:
            return None
        lost, plain = said
        found = self._matcher.match(plain)
        if found is None or found.intent != SUM or found.corrected:
            return None
        return Answer("intent", text=worked_out(found.slots)) if lost is None else number_asked(lost, found.slots)

    def _at_a_time(self, text: str) -> Answer | None:
        """An alarm or a command at a time of day, as said or with its first word read as the verb it sounds
        like ("Said an alarm for noon, please.", seed 353): only a reading that sets something."""
        found = self._alarms.match(self._matcher.without_fillers(text))
        if found is None and (reworded := rephrased(text)) != text:   # "Set on alarm for seven." (seed 523)
            found = self._alarms.match(self._matcher.without_fillers(reworded))
        if found is not None:
            return found
        # the last start of a sentence begun again ("Set an, set an alarm", "Said Anne. Said an alarm ...")
        sentences = [piece for piece in SENTENCE_END.split(text) if piece.strip()]
        starts = [start for start in dict.fromkeys([*restarts(text)[-1:], *sentences[-1:]]) if start != text]
        candidates = [*starts, *(read for start in [text, *starts] for read in self._matcher.verb_readings(start))]
        read = (self._alarms.match(self._matcher.without_fillers(candidate)) for candidate in candidates)
        # what sets something, or asks the time of an alarm plainly begun ("Said an alarm for.")
        return next((answer for answer in read if answer is not None and (answer.actions or answer.tentative)), None)

    def _time_unread(self, text: str) -> Answer | None:
        """ "For what time?" for an alarm request whose time was heard as other words, as said or with its first
        word read as the verb it sounds like ("Said to an alarm, for it took lock every Tuesday.", seed 461)."""
        # ("Sets and alarm for ...": as the phrases read it; "Can you? Can you set an alarm ...": its last start)
        said_ways = dict.fromkeys([text, rephrased(text), *restarts(text)[-1:], *self._matcher.verb_readings(text)])
        candidates = (self._matcher.without_fillers(said) for said in said_ways)
        return next((asked for said in candidates if (asked := self._alarms.time_unread(said)) is not None), None)

    def _reworded(self, text: str) -> Answer | None:
        """A request that matched nothing (or named no device) as said, matched as another wording of it
        (rewordings.py): the room said first ("Turn the heater off in the office."), or two requests said as
        one, each run ("Turn off the TV and the hallway light."). Only answers that act on devices this device
        has, from words taken as they were written: two requests are no place to guess."""
        moved = room_put_first(text, self._answers.areas())
        if moved is not None and (answer := self._plain_action(moved)) is not None:
            return answer
        if (exception := all_but(text)) is not None:
            return self._all_but(*exception)
        parts = joined_parts(text)
        if parts is None:
            return None
        actions: list[ActionCall] = []
        known = False
        areas = self._answers.areas()
        for index, options in enumerate(parts):
            # "Turn on the lights in the kitchen and the living room": the living room's lights
            options = [moved] if index and (moved := in_the_room_said(parts[index - 1][0], options[-1], areas)) else options
            named = [str(call.arguments["device"]) for call in actions[-1:] if "device" in call.arguments]
            options = [with_the_thing_named(option, named[0] if named else "") for option in options]
            # (a piece before the last is no half sentence, whatever it ends on: "Close the Velux and ...";
            # the last may be, and then so is the whole: "... and close the Velux | window")
            answer = next((found for option in options
                           if (found := self._plain_action(option, half_said=True)) is not None), None)
            # a piece that names a device this device lacks is refused by its name as the rest runs
            refused = None if answer is not None else next(
                (found for option in options if (found := self._plain_action(option, refused=True)) is not None), None)
            piece = answer or refused
            if piece is None:
                return None
            known = known or answer is not None
            actions.extend(piece.actions)
        return Answer("intent", actions=tuple(actions), tentative=piece.tentative) if known else None

    def _all_but(self, request: str, kept: str) -> Answer | None:
        """ "Switch off all the lights except the porch light": the request for all, without the one left out;
        None (the LLM) when the thing left out is none of what the request acts on."""
        answer = self._plain_action(request)
        if answer is None:
            return None
        named = [str(call.arguments.get("device", "")) for call in answer.actions]
        device = self._answers.find(kept)
        # by its name, or by the thing it is among those acted on ("everything except the fan")
        left = {name for name in named if device is not None and name == device.name} or \
            {name for name in named if singular(kept.split()[-1]) in map(singular, name.split())}
        if len(left) != 1:
            return None
        actions = tuple(call for call, name in zip(answer.actions, named) if name not in left)
        return Answer("intent", actions=actions) if actions else None

    def _plain_action(self, text: str, refused: bool = False, half_said: bool = False) -> Answer | None:
        """The answer of a text matched as written (no word mended, nothing cut off, or, with `half_said`, perhaps
        cut off and then tentative) that runs actions on known things (`refused`: the refusal of a device this
        device lacks instead); None otherwise."""
        found = self._matcher.match(text)
        if found is None or found.corrected or (found.tentative and not half_said):
            return None
        answer = self._answers.answer(found)
        if answer is None or not answer.actions or bool(answer.unknown_device) != refused:
            return None
        devices = [str(call.arguments["device"]) for call in answer.actions if "device" in call.arguments]
        if not refused and not all(self._answers.knows(device) for device in devices):
            return None   # a pronoun or a word taken for a name ("set it to 40 percent": a device called "it")
        return replace(answer, tentative=True) if found.tentative else answer

    def _clipped_mute_asked(self, text: str) -> Answer | None:
        """The question to ask of a mute heard after a short vowel sound that the matcher reads as a statement's
        subject ("I mute the speaker.": a clipped "Unmute the speaker."); None for anything else."""
        verb_first = from_the_verb(text)
        # (the verb as a word of its own: "Indeed," is no "mute" glued on a vowel)
        if verb_first == text.strip() or not text.strip().endswith(verb_first) or \
                (found := self._matcher.match(verb_first)) is None:
            return None
        asked = self._mute_asked(found, self._answers.answer(found), text)
        return self._answers.answer(asked) if asked is not None else None

    def _mute_asked(self, found: IntentMatch, answer: Answer | None, text: str) -> IntentMatch | None:
        """A mute heard after a short vowel sound ("Ah, mute yourself", "Um, mute the speaker") may be an
        "unmute" that lost its "un": the question to ask, never a guess (None when it is no such mute). Only
        mute: it is the one command a spoken request cannot take back (the device stops listening), while a
        spoken unmute changes nothing."""
        if answer is None or not any(call.name == "set_mute" and call.arguments.get("muted") for call in answer.actions):
            return None
        undone = self.rereading.un_lost(text, text, found)
        if not undone:
            return None
        return self._asked_between((text, undone), text)

    def _asked_between(self, readings: tuple[str, str], heard: str) -> IntentMatch:
        """Which of two `readings` was said? asked from their verbs on, as said mid-sentence."""
        choices = [from_the_verb(self._matcher.without_fillers(said)).strip(".,!? ") for said in readings]
        return asked_which([choice[:1].lower() + choice[1:] for choice in choices], heard)

    async def reread_name(self, audio: np.ndarray, stt: RereadingStt, stt_executor: Executor, session_id: str,
                          answer: Answer, names: tuple[str, ...], heard: str = "",
                          left_out: bool = False) -> tuple[str, Answer] | None:
        """A timer request whose name was in doubt, read again with the name one of `names`
        (respond/timer_names.py): the words read and their answer when it is the same request with one of
        those names (and, where the words `heard` gave a length one sound from another, "time of fourteen"
        for "timer for ten", perhaps that other length), else None. `left_out`: a timer set with no name,
        read narrowly for a name the recogniser may have left out whole; the same request with a name, or None."""
        if not hasattr(stt, "read_within") or not len(audio) or not names:
            return None
        loop = asyncio.get_running_loop()
        if left_out:
            reading = await loop.run_in_executor(stt_executor, partial(
                self.rereading.read_name, audio, stt, names, LEFT_OUT_NAME_WIDTH, margin=LEFT_OUT_NAME_MARGIN))
        else:
            reading = await loop.run_in_executor(stt_executor, self.rereading.read_name, audio, stt, names)
            if reading is None or not reading.text:
                reading = await loop.run_in_executor(stt_executor, self.rereading.read_name, audio, stt, names, NAME_WIDER)
        if reading is None or not reading.text:
            log.info("timer name read again: no reading near enough", extra={"session": session_id})
            return None
        found = await loop.run_in_executor(self._executor, self._matcher.match, reading.text)
        other = self._answers.answer(found) if found is not None else None
        call = timer_call(other)
        label = str(call.arguments.get("label", "")).lower() if call is not None else ""
        rival_length = not left_out and _length_heard_as_its_rival(answer, other, heard, reading.text)
        accepted = (same_but_name(answer, other) or rival_length) and label in names
        log.info("timer name read again", extra={"session": session_id, "read": reading.text, "accepted": accepted,
                                                 "below_heard": round(reading.heard_score - reading.score, 2)})
        return (reading.text, other) if accepted and other is not None else None

    async def read_opposite(self, audio: np.ndarray, stt: RereadingStt, stt_executor: Executor, session_id: str,
                            heard: str, answer: Answer, ahead: bool = False) -> tuple[str, Answer] | None:
        """A command heard whose meaning turns on one sound ("Mute." for a clipped "Unmute.", respond/opposites.py),
        read within its family's sentences: a question between the two when a reading that does otherwise comes
        within a nat of the likeliest (and, for words matched as written, within UNMENDED_MARGIN of them), else
        None (it runs as heard). `ahead`: read at the user's pause for the recogniser to keep; nothing is decided."""
        family = family_of(answer.actions)
        timer = teen_or_ten_length(answer.actions, heard) if family is None else None
        if family is None and timer is None or not hasattr(stt, "read_within") or not len(audio):
            return None
        loop = asyncio.get_running_loop()
        if family is not None:
            read = partial(self.opposites.read, audio, stt, family)
        else:   # a length with "fifteen" or "fifty": read within the timer sentences, the name as heard
            read = partial(self.rereading.read_name, audio, stt, names_known((timer,)) if timer else (), heard_within=True)
        reading = await loop.run_in_executor(stt_executor, read, OPPOSITE_WIDTH)
        if reading is not None and not reading.text:   # the narrow beam lost every sentence: once wider
            reading = await loop.run_in_executor(stt_executor, read, OPPOSITE_WIDER)
        if ahead or reading is None or not reading.text:
            return None
        # (words heard as written that say the claim's deed outweigh a reading far below them)
        claimed = await loop.run_in_executor(self._executor, self._matcher.match, heard)
        mended = claimed is None or claimed.corrected
        margin = READ_MARGIN if mended else UNMENDED_MARGIN
        pair = await loop.run_in_executor(self._executor, heard_otherwise, answer.actions, heard, reading,
                                          self._actions_of if family is not None else self._length_actions_of, margin)
        log.info("a one-sound command read within its family", extra={
            "session": session_id, "heard": heard, "read": reading.text, "otherwise": pair[1] if pair else "",
            "rivals": [f"{text} ({reading.score - score:.2f})" for text, score in reading.rivals]})
        if pair is None:
            return None
        if pair[0] == heard and claimed is not None and claimed.corrected:
            pair = (claimed.text, pair[1])   # no reading said what was claimed: its words as mended ("pause in the timer")
        asked = asked_which([said_plainly(text) for text in pair], heard)
        question = self._answers.answer(asked)
        return (heard, question) if question is not None else None

    async def read_time(self, audio: np.ndarray, stt: RereadingStt, stt_executor: Executor, session_id: str,
                        heard: str, answer: Answer) -> tuple[str, Answer] | None:
        """ "For what time?" for an alarm request whose time was heard as other words: the turn read within the
        alarm sentences (respond/alarm_reread.py). The words read and the alarm they set; a question when its
        minutes may be their one-sound other ("nine fifteen" or "nine fifty"); None (asked as before) otherwise."""
        if (not asks_for_a_time(answer) or not words_where_the_time_goes(clock_words_heard(heard))
                or not hasattr(stt, "read_within") or not len(audio)):
            return None
        loop = asyncio.get_running_loop()
        reading = await loop.run_in_executor(stt_executor, self.alarm_times.read, audio, stt, WIDTH)
        if reading is None or not reading.text:
            log.info("an alarm's time read again: no reading near enough", extra={"session": session_id})
            return None
        found = await loop.run_in_executor(self._executor, self._at_a_time, reading.text)
        accepted = reading_taken(heard, reading, found)
        log.info("an alarm's time read again", extra={"session": session_id, "heard": heard, "read": reading.text,
                                                      "accepted": accepted,
                                                      "below_heard": round(reading.heard_score - reading.score, 2)})
        if not accepted or found is None:
            return None
        other = minute_one_sound_away(reading.text) or await loop.run_in_executor(
            self._executor, self._alarm_rival, reading, found)
        if not other:
            return reading.text, found
        question = self._answers.answer(self._asked_between((reading.text, other), heard))
        return (heard, question) if question is not None else None

    def _alarm_rival(self, reading: Rereading, found: Answer) -> str:
        """The first rival reading that sets another alarm than `found` ("... every weekday" beside "... every
        evening": which? asked), "" when none does. A rival that sets no alarm is no choice to offer: "five
        fourteen five" (seed 1181, beside "five forty-five") is a sentence of the grammar but no time."""
        return next((rival for rival, _ in reading.rivals
                     if (other := self._at_a_time(rival)) is not None and other.actions != found.actions), "")

    def resume_asked(self, heard: str, answer: Answer, paused: Callable[[str], bool]) -> Answer | None:
        """ "Did you say remove the timer or resume the timer?" for a cancel heard as "Remove ..." while the
        timer it names (`paused(label)`) is paused (opposites.resumed_instead); None otherwise (it runs)."""
        resumed = resumed_instead(heard, answer.actions)
        if resumed is None or not paused(str(answer.actions[0].arguments.get("label", ""))):
            return None
        return self._answers.answer(asked_which([said_plainly(heard), said_plainly(resumed)], heard))

    async def claims_of(self, texts: tuple[str, ...]) -> list[Answer | None]:
        """The answer to each text as a command written so (the readings a question asks between), None for
        one that is none."""
        loop = asyncio.get_running_loop()
        return [await loop.run_in_executor(self._executor, self._claim_of, text) for text in texts]

    def _claim_of(self, text: str) -> Answer | None:
        found = self._matcher.match(text)
        return self._answers.answer(found) if found is not None and not found.unknown_name else None

    def _actions_of(self, text: str) -> tuple[ActionCall, ...] | None:
        answer = self._claim_of(text)
        return answer.actions if answer is not None else None

    def _length_actions_of(self, text: str) -> tuple[ActionCall, ...] | None:
        """What a text's command runs, when it too gives a length with a number one sound from another: a
        reading that lost the words after "an hour" ("... for an hour" for "an hour and 15 minutes") is no
        "fifteen" heard as "fifty"; "ten" counts too, "fourteen" being "for ten" run together)."""
        actions = self._actions_of(text)
        return actions if actions is not None and teen_or_ten_length(actions, text, RIVAL_LENGTHS) is not None else None

    def _meant(self, match: IntentMatch) -> object:
        """What a match would do: its answer's words, actions and command ("Pause for the timer", whose
        "for" is no timer's name, pauses the timer as "Pause the timer" does)."""
        answer = self._answers.answer(match)
        return (answer.text, answer.actions, answer.command) if answer is not None else match.intent

    def _plausible(self, timers_picked: Callable[[str], frozenset[str]] | None) -> Callable[[IntentMatch], bool]:
        """Could a match be what was said? Not a request on a timer by a name no running timer has."""
        def plausible(match: IntentMatch) -> bool:
            label = _running_timer_label(self._answers.answer(match))
            return not label or timers_picked is None or bool(timers_picked(label))
        return plausible

    async def reread(self, audio: np.ndarray, stt: RereadingStt, stt_executor: Executor,
                     session_id: str, margin: float = MARGIN, heard: str = "",
                     timers_picked: Callable[[str], frozenset[str]] | None = None) -> tuple[str, Answer] | None:
        """A spoken turn nobody claimed (or one refused for an unknown device, with a `margin` of
        REFUSAL_MARGIN), read again within the command sentences (command_reread.py) and, when nothing is
        found there, heard once more slower: the words read and their answer, or None. `timers_picked`: the
        ids of the running timers a name picks (a rival reading naming none is no question to ask, nor are
        two names for the one running timer)."""
        if not hasattr(stt, "read_within") or not len(audio):
            return None
        loop = asyncio.get_running_loop()
        plain_question = asked_plainly(heard)   # its answer waits for the reading: a narrower one, never slowed
        width = QUESTION_WIDTH if plain_question else WIDTH
        reading = await loop.run_in_executor(stt_executor, partial(self.rereading.read, audio, stt, margin, width,
                                                                   heard=heard))
        if reading is None:   # the recogniser was sure of what it wrote
            return None
        plausible = self._plausible(timers_picked)
        found = await loop.run_in_executor(self._executor, self.rereading.accept, reading, heard, plausible, margin)
        if found is None and margin == MARGIN and not plain_question:
            # "You, yourself," for "Mute yourself." with its first sound clipped: read again as such
            clipped = await loop.run_in_executor(stt_executor, self.rereading.read_clipped, audio, stt, width)
            if clipped is not None and clipped.text:
                found = await loop.run_in_executor(self._executor, self.rereading.accept, clipped, heard, plausible,
                                                   margin)
                reading = clipped if found is not None else reading
        text = reading.text
        if found is not None and found.intent == "ambiguous":   # two names for one timer: the one people use
            text, found = await loop.run_in_executor(self._executor, self._named_choice, text, found)
        if found is not None and found.intent == "ambiguous" and timers_picked is not None:
            text, found = await loop.run_in_executor(self._executor, self._one_running_timer, text, found, timers_picked)
        if found is not None and found.intent == "ambiguous" and (first := self._one_timer_two_names(found)):
            # neither name is one people use ("clocky" or "cloaky"?): the name read among those that are
            named = await self.reread_name(audio, stt, stt_executor, session_id, first, names_known(COMMON_TIMER_NAMES))
            if named is not None:
                return named
        # a refused device name is not heard again: slower, a device nobody has may sound like one this has;
        # nor a word heard alone: its audio is too little ("Never." of "Never | mind" read as "Mute yourself")
        heard_slower = ""
        if (found is None and margin == MARGIN and reading.heard_words >= MIN_WORDS and worth_hearing_again(audio)
                and not plain_question):
            text, found, heard_slower = await self._hear_slower(audio, stt, stt_executor, heard, plausible,
                                                                refused=reading.text)
            # an alarm set as the slower hearing wrote it, which the command sentences do not hold ("Please wake me
            # up at quarter to eight on Friday." for "Police waked me up ...", seed 877); what only asks is a question
            timed = None if found is not None or not heard_slower else await loop.run_in_executor(
                self._executor, self._at_a_time, heard_slower)
            if timed is not None and timed.actions and all(call.name == SET_ALARM.name for call in timed.actions):
                log.info("an alarm heard again, slower", extra={"session": session_id, "heard": heard_slower})
                return heard_slower, timed
        if found is not None and margin == REFUSAL_MARGIN:
            # a name refused is read again to find a device this device has, or the device's own volume,
            # which the recogniser writes as a name ("Set the moleute at twenty-five percent.", "Sent the mile
            # to thirty percent."): not to leave the name out ("Turn the tactic lights off." read as "Turn the
            # lights off.", or "the light"), nor to move it to another room ("the bathroom fan", a room with no
            # device, read as "the bedroom fan")
            named = on_the_device_itself(found) or await loop.run_in_executor(self._executor, self._names_a_device, found)
            if not named or _room_replaced(heard, text):
                log.info("a refused name read again as no device of it", extra={"session": session_id, "read": text})
                found = None
        # a sum read from the audio is answered only from numbers the words heard say (respond/sums.py)
        answer = (None if found is None else sum_answer(found.slots, rephrased(heard)) if found.intent == SUM
                  else self._answers.answer(found))
        if answer is not None and (_name_read_freely(answer)
                                   or _name_doubted(found, answer, text, heard)):   # type: ignore[arg-type]
            # the commands' name slot takes any word that fits ("an end timer" for an egg timer): a name people
            # seldom give is read once more among those they do, and kept when none fits better; so is a name
            # the reading heard and dropped ("Set on neck, timer for six minutes.", an egg timer)
            answer = replace(answer, name_in_doubt=True, name_unheard=name_unheard(answer, heard))
        if answer is not None and _room_moved(heard, text):
            # "Placed her off the bathroom fan." read as "Please turn off the bedroom fan." (seed 823): the room
            # the recogniser wrote was said; a device of another room is no mishearing of it. With the room put
            # back, the reading may name a device this device does not have: refused by that name
            log.info("a reading moves the request to another room", extra={"session": session_id, "read": text})
            text, answer = await loop.run_in_executor(self._executor, self._room_put_back, heard, text)
        if answer is not None and _several_unheard(answer, heard):
            # "To turn the hallway lamp off." read as "Uh turn all my lamp off": every light off for one
            # unknown lamp. A reading may act on several devices only where several were heard asked for
            log.info("a reading acts on devices nobody asked for", extra={"session": session_id, "read": text})
            answer = None
        if answer is not None and self._opens_a_way_in_unheard(answer, f"{heard} {heard_slower}"):
            # "Loose and garage door." (the clipped "Close the garage door.") read as "Lift the garage door."
            log.info("a reading opens a way in nobody was heard asking to open", extra={"session": session_id, "read": text})
            answer = None
        if answer is not None and _rings_at_once(answer):
            log.info("a reading's timer too short to be meant", extra={"session": session_id, "read": text})
            answer = None
        if answer is not None and not heard_slower and reading.heard_score - reading.score > margin:
            answer = replace(answer, read_far=True)
        if answer is not None:
            log.debug("intent read again", extra={"intent": found.intent, "session": session_id})   # type: ignore[union-attr]
        return (text, answer) if answer is not None else None

    def _room_put_back(self, heard: str, read: str) -> tuple[str, Answer | None]:
        """The reading with the room heard in place of the one it read, and its refusal when that names a device
        this device does not have, as devices are named ("I don't know a device called bathroom fan"); else no
        answer."""
        said, read_rooms = rooms_in(heard), rooms_in(read)
        if len(said) != 1 or len(read_rooms) != 1:
            return read, None
        put_back = re.sub(rf"\b{read_rooms.pop()}\b", said.pop(), read, flags=re.I)
        found = self._matcher.match(put_back)
        if found is None or not found.unknown_name or not found.named_like_a_device or found.corrected:
            return read, None
        return put_back, self._answers.answer(found)

    def _opens_a_way_in_unheard(self, answer: Answer, heard: str) -> bool:
        """Does a reading open a door, a gate or a lock (`_guarded`) where no word heard said to open one? The
        verb that decides it was read from the audio alone, and a way into the home never opens on a guess."""
        said = set(re.findall(r"[a-z]+", heard.lower()))
        return not said & OPENING_WORDS and any(
            call.name == "open_cover" and (device := self._answers.find(str(call.arguments.get("device", "")))) is not None
            and _guarded(device) for call in answer.actions)

    def _names_a_device(self, found: IntentMatch) -> bool:
        """Does the match (each reading, for a question between two) name a device or a room ("here", the
        room the device is in, is none: "the lights")?"""
        readings = ([self._matcher.match(str(choice)) for choice in found.slots.get("choices", ())]
                    if found.intent == "ambiguous" else [found])
        return all(m is not None and bool(m.slots.get("name") or m.slots.get("area", "here") != "here") for m in readings)

    def _choices(self, asked: IntentMatch) -> list[tuple[str, IntentMatch, Answer | None]]:
        """The two readings a question is between, each matched and answered; [] when one matches nothing."""
        choices = [str(choice) for choice in asked.slots.get("choices", ())[:2]]
        matches = [self._matcher.match(choice) for choice in choices]
        if len(choices) < 2 or any(match is None for match in matches):
            return []
        return [(choice, match, self._answers.answer(match)) for choice, match in zip(choices, matches) if match]

    def _one_timer_two_names(self, asked: IntentMatch) -> Answer | None:
        """The first reading of a question between two that set the same timer under two names, else None."""
        return one_request_named_twice([answer for _, _, answer in self._choices(asked)], setting=True)

    def _named_choice(self, text: str, asked: IntentMatch) -> tuple[str, IntentMatch]:
        """A question between two readings that set the same timer under two names, when only one of the
        names is one people give timers (`the_named_one`): that reading, not a question."""
        choices = self._choices(asked)
        picked = the_named_one(choices[0][2], choices[1][2]) if choices else None
        if picked is None:
            return text, asked
        log.info("a timer's name chosen between two readings", extra={"read": choices[picked][0]})
        return choices[picked][0], choices[picked][1]

    def _one_running_timer(self, text: str, asked: IntentMatch,
                           timers_picked: Callable[[str], frozenset[str]]) -> tuple[str, IntentMatch]:
        """A question between two readings that do the same to a running timer by two names that both pick it
        ("Add one minute to her red timer" or "... her bed timer", with only a bread timer running): the
        first reading, not a question; the timer acted on is said back by its own name."""
        choices = self._choices(asked)
        if not choices or choices[0][2] is None or not same_but_name(choices[0][2], choices[1][2]):
            return text, asked
        if any(timer_call(answer).name == "set_timer" for _, _, answer in choices):   # type: ignore[union-attr]
            return text, asked   # two names for a timer being set: no running timer says which
        # (a reading whose name was dropped, "Stop and workout timer.", picks every running timer: with one
        # running, the one the other reading names)
        picked = [timers_picked(_running_timer_label(answer)) for _, _, answer in choices]
        if len(picked[0]) != 1 or picked[0] != picked[1]:
            return text, asked
        log.info("two names read for one running timer", extra={"read": choices[0][0], "rival": choices[1][0]})
        return choices[0][0], choices[0][1]

    async def _hear_slower(self, audio: np.ndarray, stt: RereadingStt, stt_executor: Executor, heard: str,
                           plausible: Callable[[IntentMatch], bool],
                           refused: str = "") -> tuple[str, IntentMatch | None, str]:
        """Fast, clipped speech heard once more, slower (speech/slowed.py): as written, else read within the
        command sentences; with what the slower hearing wrote. `heard`: what the first hearing wrote;
        `refused`: the sentence the first reading found and did not take, which the slower one does not take
        either: the same words from the same speech, judged against another baseline ("What's your name?" read
        as "What's the time?" 3.8 nats a word, refused; slowed, 3.4 a word beside "Walked your name.")."""
        loop = asyncio.get_running_loop()
        slower = await loop.run_in_executor(stt_executor, slowed, audio)   # an FFT: not on the event loop
        slower_heard = await loop.run_in_executor(stt_executor, partial(stt.transcribe, slower, hand_back=True))
        found = await loop.run_in_executor(self._executor, self.rereading.accept_heard, slower_heard)
        if found is not None:   # "And mute yourself.": a mute after a vowel sound is asked about, as when first heard
            asked = await loop.run_in_executor(self._executor, self._mute_asked, found, self._answers.answer(found),
                                               slower_heard)
            return slower_heard, asked or found, slower_heard
        reading = await loop.run_in_executor(stt_executor, self.rereading.read, slower, stt, MARGIN, SECOND_WIDTH)
        if reading is None or refused and same_words(reading.text, refused):
            return slower_heard, None, slower_heard
        accepted = await loop.run_in_executor(self._executor, self.rereading.accept, reading, heard, plausible)
        return reading.text, accepted, slower_heard

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def create_intent_responder(language: str, directory: DeviceDirectory, custom: tuple[CustomCommand, ...],
                            area: str = "", cache_dirs: list[Path] | None = None) -> IntentResponder:
    """`cache_dirs`: where the parsed sentence library is kept between starts (None: parsed at every start)."""
    matcher = IntentMatcher(language, directory, custom, area, cache_dirs)
    return IntentResponder(matcher, IntentAnswers(directory, custom, area))


def _room_replaced(heard: str, read: str) -> bool:
    """Was a room named in what was heard left out of the reading ("bathroom" read as "bedroom"), or does a room
    heard with "room" sound one sound from another such room and not from the one read ("the math room fan", seed
    1129's bathroom fan, read "the bedroom fan" 2.7 nats below: "math room" is one sound from "bathroom", two from
    "bedroom"; "the man room fan", two from both, and "from their room fair", a sound short of "bathroom", stay
    the bedroom's)?"""
    read_words = bare_words(read.lower().split())
    if rooms_in(heard) - set(read_words):
        return True
    spans = {"".join(read_words[start:start + length]) for start in range(len(read_words)) for length in (1, 2)}
    read_rooms = spans & ROOMS_SAID_WITH_ROOM
    return bool(read_rooms) and any(
        any(one_sound_swapped(room, other) for other in ROOMS_SAID_WITH_ROOM - read_rooms)
        and not any(room == read_room or one_sound_apart(room, read_room) for read_room in read_rooms)
        for room in _rooms_with_room(heard))


ROOMS_SAID_WITH_ROOM = frozenset({"bathroom", "bedroom", "livingroom", "diningroom", "guestroom", "laundryroom"})
"""The rooms of a home whose name ends in "room" (run together as `_rooms_with_room` runs what was heard); not
the short ones ("sunroom" is one sound from "man room")."""
NOT_A_ROOM_NAME = frozenset({"the", "a", "this", "that", "my", "our", "your", "every", "each", "whole", "other", "next",
                             "in", "of", "to", "for", "on", "at", "and", "room"})
"""Words before "room" that name no room ("the room", "every room", "believe in room")."""


def _rooms_with_room(heard: str) -> list[str]:
    """Rooms heard as a word and "room", run together ("math room": "mathroom"), but "the room" and the like."""
    words = [word.rsplit("-", 1)[-1] for word in bare_words(heard.lower().split())]
    return [words[at - 1] + "room" for at in range(1, len(words))
            if words[at] == "room" and words[at - 1] not in NOT_A_ROOM_NAME]


def _room_moved(heard: str, read: str) -> bool:
    """Does the reading name another room in place of one heard ("bathroom" read as "bedroom"), not only leave
    the room out ("Shout to the garage door." read as "Shut the door.") or name it otherwise ("hallway", "hall")?
    Not when other words heard sound out the room read: seed 1091's "Close the office blinds." heard "Closely off
    this lounge" (read "Close the office blind") said "office" as "off this"; its "lounge" was the blinds."""
    said = rooms_in(heard)
    added = [room for room in rooms_in(read) if not any(same_room(other, room) for other in said)]
    return bool(added) and not rooms_kept(heard, read) and not all(_sounded_out(room, heard) for room in added)


def _sounded_out(room: str, heard: str) -> bool:
    """Do a few words heard together, none of them a room, sound one sound from `room` ("off this", "office")?"""
    words = bare_words(heard.split())
    return any(one_sound_apart("".join(words[start:end]), room)
               for start in range(len(words)) for end in range(start + 1, min(start + 3, len(words)) + 1)
               if not set(words[start:end]) & ROOMS)


OPENING_WORDS = frozenset({"open", "opens", "opened", "opening", "lift", "lifts", "raise", "raises", "up"})
"""Words that say to open a cover, one of which a reading that opens a way in must have been heard saying."""
GROUP_WORDS = frozenset({"all", "every", "everything", "both"})
"""Words that ask for several devices at once; so does a plural device word ("the lights")."""
PRONOUNS = frozenset({"i", "we", "you", "he", "she", "they", "it"})


def _several_unheard(answer: Answer, heard: str) -> bool:
    """Does the answer act on more than one device when what was heard asked for no more than one?"""
    devices = {str(call.arguments["device"]) for call in answer.actions if "device" in call.arguments}
    if len(devices) < 2 or not heard:
        return False
    said = re.findall(r"[a-z]+", heard.lower())
    return not (_group_asked(said) or any(word != singular(word) and singular(word) in DEVICE_NOUNS for word in said))


def _group_asked(said: list[str]) -> bool:
    """Do these words ask for several things at once ("all", "every", "both")? Not "all" before a pronoun, which
    opens a clause: "Turn off the | hallway light." heard "Turn off, but. / All we like," (seed 1009) was read as
    "Turn off all the lights." and turned every light off."""
    groups = set(said) & GROUP_WORDS
    clause = all(after in PRONOUNS for before, after in zip(said, said[1:]) if before == "all") and said[-1:] != ["all"]
    return bool(groups - {"all"}) or "all" in groups and not clause


def _rings_at_once(answer: Answer) -> bool:
    return any(call.name == "set_timer" and float(call.arguments.get("seconds", SHORTEST_READ_TIMER_SECS))
               < SHORTEST_READ_TIMER_SECS for call in answer.actions)


def _running_timer_label(answer: Answer | None) -> str:
    """The name an answer's timer action picks a running timer by ("" for none, and for a timer being set)."""
    call = timer_call(answer)
    return str(call.arguments.get("label", "")) if call is not None and call.name != "set_timer" else ""
