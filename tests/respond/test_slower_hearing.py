"""A turn nobody claimed, not found by reading it within the commands, is heard once more slower (scripted
recogniser, real intent responder): what it writes runs when it is a command (or is refused, when it plainly
names a device this device does not have); a word heard alone, a refused
device name, a question, and a turn the recogniser was sure of are not heard again or not taken."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.command_reread import QUESTION_WIDTH, REFUSAL_MARGIN, WIDTH
from firmware_py.respond.intents import IntentResponder, create_intent_responder
from firmware_py.speech.slowed import SLOWER
from firmware_py.speech.stt import Rereading

DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"}]
AUDIO = np.zeros(2 * SAMPLE_RATE, np.float32)


@dataclass
class SlowerStt:
    """Reads nothing within the commands; hears `slower` when given the audio made longer."""

    slower: str
    heard_words: int = 4
    sure: bool = False
    slower_reading: str = ""
    """What the slowed audio reads as within the commands ("": nothing)."""
    first_reading: str = ""
    """What the audio itself reads as within the commands, far below what was heard ("": nothing)."""
    transcribed: list[int] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        self.widths.append(width)
        if self.sure:
            return None
        if len(audio) > len(AUDIO) and self.slower_reading:   # the slowed audio, read within the commands
            return Rereading(self.slower_reading, -4.0, -3.0, self.heard_words)
        if self.first_reading:   # 11.3 nats below the free reading: 3.8 a word for three words
            return Rereading(self.first_reading, -14.3, -3.0, self.heard_words)
        return Rereading("", float("-inf"), -3.0, self.heard_words)

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        assert hand_back, "a longer clip's memory is handed back"
        self.transcribed.append(len(audio))
        return self.slower


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    return create_intent_responder("en", DeviceDirectory(parse_devices(DEVICES)), ())


def reread(responder: IntentResponder, stt: SlowerStt, margin: float | None = None, heard: str = "") -> Any:
    with ThreadPoolExecutor(1) as executor:
        extra = {} if margin is None else {"margin": margin}
        return asyncio.run(responder.reread(AUDIO, stt, executor, "test", heard=heard, **extra))


def test_a_command_heard_slower_runs(responder: IntentResponder) -> None:
    stt = SlowerStt("Turn on the kitchen light.")
    text, answer = reread(responder, stt)
    assert text == "Turn on the kitchen light."
    assert [(call.name, call.arguments) for call in answer.actions] == [("turn_on", {"device": "kitchen light"})]
    assert stt.transcribed == [round(len(AUDIO) * SLOWER)]


def test_an_alarm_heard_slower_is_set(responder: IntentResponder) -> None:
    """Seed 877: "Police waked me up at quarter to 8 on Friday." was heard slower "Please wake me up at quarter to
    eight on Friday.", which the command sentences (no alarms among them) did not take: "Sorry, I didn't catch that"."""
    text, answer = reread(responder, SlowerStt("Please wake me up at quarter to eight on Friday."),
                          heard="Pole ease weighed me at quarter to 8 on Friday.")
    assert text == "Please wake me up at quarter to eight on Friday."
    assert [(call.name, call.arguments) for call in answer.actions] == [
        ("set_alarm", {"hour": 7, "minute": 45, "command": "wake me up", "day": "friday"})]


def test_a_mute_heard_slower_after_a_vowel_sound_is_asked_about(responder: IntentResponder) -> None:
    """"And mute yourself." may be an "unmute" that lost its "un", heard slower as first: ask, never guess."""
    text, answer = reread(responder, SlowerStt("And mute yourself."), heard="And new to yourself.")
    assert answer.actions == () and answer.text == 'Sorry, did you say "mute yourself" or "unmute yourself"?'


@pytest.mark.parametrize("stt, margin", [
    (SlowerStt("Mute yourself.", heard_words=1), None),          # a word alone: too little audio
    (SlowerStt("Turn on the kitchen light.", sure=True), None),  # the recogniser was sure of what it wrote
    (SlowerStt("Turn on the kitchen light."), REFUSAL_MARGIN),   # a refused name is not heard again
])
def test_no_second_hearing(responder: IntentResponder, stt: SlowerStt, margin: float | None) -> None:
    assert reread(responder, stt, margin) is None
    assert stt.transcribed == []


def test_a_turn_heard_as_a_plain_question_is_read_with_a_narrower_beam(responder: IntentResponder) -> None:
    """Its answer waits for the reading: a beam of QUESTION_WIDTH took the same commands on the kept audio."""
    question, command = SlowerStt("Turn on the kitchen light."), SlowerStt("Turn on the kitchen light.")
    reread(responder, question, heard="How far away is the moon?")
    reread(responder, command, heard="Turned the mile.")
    assert question.widths == [QUESTION_WIDTH] and command.widths[0] == WIDTH


@pytest.mark.parametrize(("heard", "heard_again"), [
    ("What is the capital of Canada?", False),   # a question heard plainly: its answer waits for no second hearing
    ("How many legs does a spider have?", False),
    ("Okay, so why is the sky blue?", False),     # seed 881: fillers before it, read slowed as "what is the time"
    ("Um, what do bees make?", False),
    ("Um, what time?", True),
    ("What time?", True),                        # too short to be sure it was asked
    ("Do not from the fall-away light,", True),  # "do" and "which" open commands heard wrong too
    ("Which, on the garage heater,", True),
    ("You know what time it is.", True),
])
def test_a_turn_heard_as_a_plain_question_is_not_heard_again(responder: IntentResponder, heard: str,
                                                              heard_again: bool) -> None:
    stt = SlowerStt("Turn on the kitchen light.")
    reread(responder, stt, heard=heard)
    assert bool(stt.transcribed) is heard_again


@pytest.mark.parametrize("slower", ["What is the capital of France?", "Turn off the", "Said mamaishment light to for me.",
                                    "I have a long day at work.", "When is my alarm set for?"])
def test_what_is_no_command_heard_slower_is_not_taken(responder: IntentResponder, slower: str) -> None:
    stt = SlowerStt(slower)
    assert reread(responder, stt) is None
    assert len(stt.transcribed) == 1


def test_a_device_it_does_not_have_plainly_named_slower_is_refused(responder: IntentResponder) -> None:
    """"Do not from the fall-away light," heard slower as "Turn off the hallway light,": the device says it has no
    such device, where the LLM had answered "I'm sorry for your loss."."""
    text, answer = reread(responder, SlowerStt("Turn off the hallway light,"), heard="Do not from the fall-away light,")
    assert text == "Turn off the hallway light,"
    assert answer.unknown_device == "hallway light"
    assert [(call.name, call.arguments) for call in answer.actions] == [("turn_off", {"device": "hallway light"})]


def test_the_slower_reading_is_asked_about_when_the_first_hearing_may_hold_a_lost_un(responder: IntentResponder) -> None:
    """What the first hearing wrote decides, not what the slower one did: "And mutinously go." then, slower,
    "Emmured the speaker.", read within the commands as "Mute the speaker.": mute or unmute?"""
    stt = SlowerStt("Emmured the speaker.", slower_reading="Mute the speaker.")
    text, answer = reread(responder, stt, heard="And mutinously go.")
    assert answer.actions == () and "Unmute the speaker" in answer.text


def test_the_slower_reading_does_not_take_what_the_first_one_refused(responder: IntentResponder) -> None:
    """"Watts your name?" read as "What's the time?" at 3.8 nats a word is refused; heard slower ("Walked your
    name.") the same sentence reads nearer its baseline. The same words from the same speech: still refused,
    while another sentence found in the slowed audio is still taken. (Heard as "What's your name?", a plain
    question, it is not heard again at all.)"""
    heard = "Watts your name?"
    refused = SlowerStt("Walked your name.", heard_words=3, first_reading="What's the time?",
                        slower_reading="What's the time?")
    assert reread(responder, refused, heard=heard) is None and len(refused.transcribed) == 1
    other = SlowerStt("Walked your name.", heard_words=3, first_reading="What's the time?",
                      slower_reading="What's the date?")
    found = reread(responder, other, heard=heard)
    assert found is not None and found[0] == "What's the date?"


@dataclass
class WithinStt:
    """Reads `within` inside the commands."""

    within: str

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        return Rereading(self.within, -4.0, -3.5, len(self.within.split()))

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        return ""


@pytest.mark.parametrize(("read", "in_doubt"), [("Set an end timer for six minutes.", True),
                                                ("Set an egg timer for six minutes.", False),
                                                ("Set on neck, timer for six minutes.", True),   # "on neck" dropped
                                                # "any" heard before "time", read as no name (seed 1093)
                                                ("Set a timer for six minutes.", True)])
def test_a_name_read_within_the_commands_that_people_seldom_give_is_read_again(responder: IntentResponder, read: str,
                                                                               in_doubt: bool) -> None:
    """The commands' name slot takes any word that fits: "end" for an egg timer is read once more among the
    names people give timers."""
    found = reread(responder, WithinStt(read), heard="Sent on any time or for six minutes.")
    assert found is not None and found[1].actions[0].name == "set_timer" and found[1].name_in_doubt is in_doubt


def test_a_reading_never_opens_a_way_in_nobody_was_heard_asking_to_open() -> None:
    """Seed 631: "Lose the garage door." (a clipped "Close"), heard "Loose and garage door.", was read "Lift the
    garage door." and the garage door opened. The verb was the reading's alone: a door opens only when a word
    heard said to open it; closing needs no such word."""
    garage = [{"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"}]
    doors = create_intent_responder("en", DeviceDirectory(parse_devices(garage)), ())
    assert reread(doors, WithinStt("Lift the garage door."), heard="Loose and garage door.") is None
    opened = reread(doors, WithinStt("Open the garage door."), heard="Opened the garage floor.")
    assert opened is not None and [call.name for call in opened[1].actions] == ["open_cover"]
    closed = reread(doors, WithinStt("Close the garage door."), heard="Loose and garage door.")
    assert closed is not None and [call.name for call in closed[1].actions] == ["close_cover"]
