"""A sum is answered only from numbers heard as numbers: one the recogniser lost ("What is by plus three?",
"What is I'm plus three?") is asked for, and the reply completes the sum; never a guess said with confidence
("8 plus 3 is 11" for five plus three, as a reading of the audio gave, or "5 plus 4 is 9" for "five-plus-free")."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.asked import AskedBack
from firmware_py.respond.intents import IntentResponder, create_intent_responder
from firmware_py.respond.sums import plain_sum, said_sum, unheard_sides
from firmware_py.speech.stt import Rereading


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    return create_intent_responder("en", DeviceDirectory(parse_devices([])), ())


def answered(responder: IntentResponder, text: str) -> str | None:
    answer = asyncio.run(responder.match(text, "s1"))
    return None if answer is None else answer.text


@pytest.mark.parametrize("text, said", [
    ("What is five plus three?", "5 plus 3 is 8."),
    ("what's 12 times 4", "12 times 4 is 48."),
    ("What is one hundred and five minus five?", "105 minus 5 is 100."),   # split at "minus", not at "and"
    ("How much is twenty divided by three?", "20 divided by 3 is 6.67."),
    # "three" with its "th" heard as "f" or "t" beside the operator (seeds 487 and 577 answered "5 plus 4 is 9")
    ("What is five-plus-free,", "5 plus 3 is 8."),
    ("What is tree times two?", "3 times 2 is 6."),
    ("What is what is five plus three?", "5 plus 3 is 8."),   # the question begun again
    ("Um, what's in five-plus-three?", "5 plus 3 is 8."),     # "is" heard as "in"
    ("Had his five-plus-three,", "5 plus 3 is 8."),           # "what is" with its first sounds lost (seed 839)
])
def test_a_sum_heard_whole_is_worked_out(responder: IntentResponder, text: str, said: str) -> None:
    assert answered(responder, text) == said


@pytest.mark.parametrize("text", ["Hurt in five plus three,", "Turn on five plus three."])
def test_a_sum_heard_as_a_device_name_is_worked_out(responder: IntentResponder, text: str) -> None:
    """ "What is five plus three?" heard "Hurt in five plus three," (seed 809) was refused as a device called
    "five plus three"; a name that is a sum is the sum said."""
    assert answered(responder, text) == "5 plus 3 is 8."
    assert answered(responder, "Turn on the garage heater.") != "5 plus 3 is 8."


@pytest.mark.parametrize("text, said", [
    ("What is by plus three?", "Sorry, I didn't catch the first number: what plus 3?"),
    ("What is I'm plus three?", "Sorry, I didn't catch the first number: what plus 3?"),
    ("What's in I plus 3?", "Sorry, I didn't catch the first number: what plus 3?"),
    ("So, what is seven times bye?", "Sorry, I didn't catch the second number: 7 times what?"),
])
def test_a_number_heard_as_no_number_is_asked_for(responder: IntentResponder, text: str, said: str) -> None:
    assert answered(responder, text) == said


def test_the_reply_completes_the_sum(responder: IntentResponder) -> None:
    asked = asyncio.run(responder.match("What is by plus three?", "s1"))
    assert asked is not None and asked.frame
    request = AskedBack(asked.frame, 0.0).request("Um, five.", 1.0)
    assert request is not None and answered(responder, request) == "5 plus 3 is 8."


@pytest.mark.parametrize("text", ["What is ten and the weather?", "What is the capital of France and Spain?",
                                  "What is love plus hate?", "What is the meaning of life plus everything else?",
                                  "Amy is five plus three years old."])
def test_words_that_are_no_sum_are_left_alone(responder: IntentResponder, text: str) -> None:
    assert answered(responder, text) is None


def test_a_mended_number_counts_as_unheard() -> None:
    slots = {"number_a": 9, "operator": "+", "number_b": 3}
    assert unheard_sides(slots, "So what is fine plus three?") == ["first"]
    assert unheard_sides(slots, "What is nine plus 3?") == []
    assert unheard_sides({**slots, "number_a": 105}, "what is one hundred and five plus three") == []
    assert unheard_sides(slots, "mumbled nine three") == []   # no sum's shape: each said somewhere counts
    assert unheard_sides(slots, "mumbled") == ["first", "second"]
    assert said_sum("Calculate 25 divided by 5.") == ("twenty five", "divided by", "five")
    assert plain_sum("What is and plus and?") is None


class ReadingStt:
    """Reads the audio within the commands as `read`, a little below what was heard."""

    def __init__(self, read: str) -> None:
        self.read = read

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        return Rereading(self.read, -5.0, -4.0, 4)

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        return ""


def reread(responder: IntentResponder, read: str, heard: str) -> str | None:
    audio = np.zeros(2 * SAMPLE_RATE, np.float32)
    with ThreadPoolExecutor(1) as executor:
        found = asyncio.run(responder.reread(audio, ReadingStt(read), executor, "s1", heard=heard))
    return None if found is None else found[1].text


def test_a_sum_read_from_the_audio_says_only_numbers_heard(responder: IntentResponder) -> None:
    """The audio of "What is five plus three?", heard as "What is a plus three?", read as eight plus three: the
    first number was read, not heard, so it is asked for; a reading that only gives words to numbers heard
    is worked out."""
    assert reread(responder, "What is eight plus three?", "What is a plus three?") == (
        "Sorry, I didn't catch the first number: what plus 3?")
    assert reread(responder, "What is five plus three?", "What is 5 plus 3") == "5 plus 3 is 8."
