"""A turn nobody claimed, read within the commands (scripted recogniser, real intent responder), never moves a
request to another room than the one heard: with the room heard put back, a device this device does not have
is refused by its name."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.command_reread import REFUSAL_MARGIN
from firmware_py.respond.intents import IntentResponder, create_intent_responder
from firmware_py.speech.stt import Rereading

DEVICES = [{"name": "bedroom fan", "area": "bedroom", "kind": "fan", "command_topic": "home/bedroom/fan/set"},
           {"name": "garage door", "area": "garage", "kind": "cover", "command_topic": "home/garage/door/set"},
           {"name": "hall light", "area": "hall", "kind": "light", "command_topic": "home/hall/light/set"},
           {"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "home/office/blinds/set"}]
AUDIO = np.zeros(2 * SAMPLE_RATE, np.float32)


@dataclass
class ReadsAs:
    """Reads the audio within the commands as `reading`, a nat below what it first wrote."""

    reading: str
    rivals: tuple[tuple[str, float], ...] = ()

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        return Rereading(self.reading, -4.0, -3.0, 5, self.rivals)

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        return ""


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    return create_intent_responder("en", DeviceDirectory(parse_devices(DEVICES)), ())


def reread(responder: IntentResponder, reading: str, heard: str, rivals: tuple[tuple[str, float], ...] = ()) -> Any:
    with ThreadPoolExecutor(1) as executor:
        return asyncio.run(responder.reread(AUDIO, ReadsAs(reading, rivals), executor, "test", heard=heard))


def test_a_reading_in_another_room_is_refused_by_the_room_heard(responder: IntentResponder) -> None:
    """Seed 823: "Please turn off the bathroom fan." heard "Placed her off the bathroom fan." was read "Please
    turn off the bedroom fan." 7.2 nats below, and the bedroom's fan went off."""
    found = reread(responder, "Please turn off the bedroom fan.", "Placed her off the bathroom fan.")
    assert found is not None
    text, answer = found
    assert not answer.actions or all(call.arguments.get("device") != "bedroom fan" for call in answer.actions)
    assert answer.unknown_device == "bathroom fan"


def test_a_reading_that_only_leaves_the_room_out_runs(responder: IntentResponder) -> None:
    found = reread(responder, "Shut the garage door.", "Shout to the garage door.")
    assert found is not None and [call.arguments.get("device") for call in found[1].actions] == ["garage door"]
    found = reread(responder, "Turn off the bedroom fan.", "Turned off the bed fan.")
    assert found is not None and [call.arguments.get("device") for call in found[1].actions] == ["bedroom fan"]


def test_a_reading_that_names_the_room_otherwise_runs(responder: IntentResponder) -> None:
    found = reread(responder, "Turn off the hall light.", "Turned off the hallway light.")
    assert found is not None and [call.arguments.get("device") for call in found[1].actions] == ["hall light"]


def test_a_rival_nearly_as_likely_that_keeps_the_room_heard_is_the_reading(responder: IntentResponder) -> None:
    """Seed 859: "Close the office blinds." heard "Close-knit office lines." was read "Close the door, please."
    0.24 nats above "Close the office blinds.", and the device asked which was meant."""
    found = reread(responder, "Close the door, please.", "Close-knit office lines.",
                   rivals=(("Close the office blinds.", -4.24), ("Close the office blind.", -4.47)))
    assert found is not None and [(call.name, call.arguments.get("device")) for call in found[1].actions] == [
        ("close_cover", "office blinds")]


def test_a_rival_that_leaves_out_the_room_heard_is_no_question(responder: IntentResponder) -> None:
    found = reread(responder, "Close the office blinds.", "Close-knit office lines.",
                   rivals=(("Close the door, please.", -4.3),))
    assert found is not None and [call.arguments.get("device") for call in found[1].actions] == ["office blinds"]


def test_readings_that_both_leave_the_rooms_heard_out_are_still_asked_about(responder: IntentResponder) -> None:
    found = reread(responder, "Close the door, please.", "Close-knit office lines.",
                   rivals=(("Open the door, please.", -4.3),))
    assert found is not None and not found[1].actions and "?" in found[1].text


def test_a_room_read_that_other_words_heard_sound_out_stays(responder: IntentResponder) -> None:
    """Seed 1091: "Close the office blinds." heard "Closely off this lounge" was read "Close the office blind", and
    "lounge" (the blinds heard wrong) put back: "I don't know a device called lounge blind"."""
    found = reread(responder, "Close the office blind", "Closely off this lounge")
    assert found is not None and [(call.name, call.arguments.get("device")) for call in found[1].actions] == [
        ("close_cover", "office blinds")]


@pytest.mark.parametrize("heard, runs", [
    ("Switch on the math room fan.", False),   # seed 1129: the bathroom fan, which this home lacks
    ("Switch on the bed room fan.", True),      # the bedroom, heard in two words
    ("Switch on the man room fan.", True),      # two sounds from the bedroom and from the bathroom alike
    ("Switch on from their room fair.", True),  # seed 1153: a sound short of the bathroom, not a sound swapped
    ("Switch on the bedroom fang.", True),
    ("Switch on the fan in the room.", True),   # no room named
])
def test_a_refused_room_heard_with_room_is_not_read_as_another(responder: IntentResponder, heard: str,
                                                               runs: bool) -> None:
    with ThreadPoolExecutor(1) as executor:
        found = asyncio.run(responder.reread(AUDIO, ReadsAs("Switch on the bedroom fan."), executor, "test",
                                             REFUSAL_MARGIN, heard=heard))
    ran = found is not None and [call.arguments.get("device") for call in found[1].actions] == ["bedroom fan"]
    assert ran == runs
