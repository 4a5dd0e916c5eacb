"""A command whose first sound was clipped ("Ute yourself." for "Mute yourself.", "Pen the office blinds."): the
turn is read within the command sentences whose first word lost its first letter, once a reading of the whole
sentences found nothing to take, and the reading is given that letter back (scripted recogniser, real grammar
and intent responder)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.command_grammar import CommandGrammar, FirstSoundLost
from firmware_py.respond.command_reread import CommandReread
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import UNSUPPORTED, IntentResponder, create_intent_responder
from firmware_py.speech.stt import Rereading

DEVICES = [
    {"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "home/office/blinds/set"},
    {"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
]
AUDIO = np.zeros(2 * SAMPLE_RATE, np.float32)


@pytest.fixture(scope="module")
def grammar() -> CommandGrammar:
    return CommandReread(IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES))), UNSUPPORTED).prepare()


def reads(grammar: Any, text: str) -> bool:
    state = grammar.start
    for word in text.split(" "):
        state = grammar.advance(state, " " + word)
    return bool(grammar.accepts(state))


@pytest.mark.parametrize(("clipped", "whole"), [
    ("Ute yourself.", ["Mute yourself."]), ("Pen the office blinds,", ["Open the office blinds,"]),
    ("Ever mind.", ["Never mind."]), ("Urn on the kitchen light.", ["Turn on the kitchen light."]),
    ("Ancel the timer.", ["Cancel the timer."]),
])
def test_a_clipped_command_reads_within_the_clipped_sentences_and_is_given_its_letter_back(
        grammar: CommandGrammar, clipped: str, whole: list[str]) -> None:
    assert reads(FirstSoundLost(grammar), clipped) and not reads(grammar, clipped)
    assert grammar.restored(clipped) == whole


@pytest.mark.parametrize("text", ["Mute yourself.", "Close me off his lines.", "Um, ute yourself."])
def test_whole_words_fillers_and_other_words_are_no_clipped_command(grammar: CommandGrammar, text: str) -> None:
    """Only the turn's very first word lost a letter (a filler was heard, so its onset was not clipped)."""
    assert not reads(FirstSoundLost(grammar), text)


def test_a_first_word_of_one_letter_is_never_given_one_back(grammar: CommandGrammar) -> None:
    """"P the volume." reads within the clipped sentences ("Up the volume"), but a letter alone is no word heard."""
    assert reads(FirstSoundLost(grammar), "P the volume.")
    assert grammar.restored("P the volume.") == []


@dataclass
class ClippedStt:
    """Reads `whole` within the command sentences and `clipped` within the clipped ones ("": nothing)."""

    whole: str = ""
    clipped: str = ""
    grammars: list[str] = field(default_factory=list)

    def read_within(self, audio: np.ndarray, grammar: Any, margin: float, width: int,
                    trusted: float = 0.0, heard_within: bool = False) -> Rereading | None:
        clipped = isinstance(grammar, FirstSoundLost)
        self.grammars.append("clipped" if clipped else "whole")
        text = self.clipped if clipped else self.whole
        return Rereading(text, -4.0 if text else float("-inf"), -3.5, 2)

    def transcribe(self, audio: np.ndarray, hand_back: bool = False) -> str:
        return ""


@pytest.fixture(scope="module")
def responder() -> IntentResponder:
    return create_intent_responder("en", DeviceDirectory(parse_devices(DEVICES)), ())


def reread(responder: IntentResponder, stt: ClippedStt, heard: str) -> Any:
    with ThreadPoolExecutor(1) as executor:
        return asyncio.run(responder.reread(AUDIO, stt, executor, "test", heard=heard))


@pytest.mark.parametrize(("heard", "clipped", "read", "action"), [
    ("You, yourself,", "Ute yourself,", "Mute yourself,", "set_mute"),   # hibari's clipped "Mute yourself."
    ("And then off his shades,", "Pen the office blinds,", "Open the office blinds,", "open_cover"),
])
def test_a_turn_nothing_whole_was_read_in_is_read_as_a_clipped_command(responder: IntentResponder, heard: str,
                                                                        clipped: str, read: str, action: str) -> None:
    stt = ClippedStt(clipped=clipped)
    found = reread(responder, stt, heard)
    assert stt.grammars[:2] == ["whole", "clipped"]
    assert found is not None and found[0] == read and [call.name for call in found[1].actions] == [action]


def test_a_whole_reading_taken_is_not_read_again_clipped(responder: IntentResponder) -> None:
    stt = ClippedStt(whole="Mute yourself.", clipped="Ute yourself.")
    found = reread(responder, stt, "Newt yourself.")
    assert found is not None and found[0] == "Mute yourself." and stt.grammars == ["whole"]


def test_a_plainly_asked_question_is_not_read_as_a_clipped_command(responder: IntentResponder) -> None:
    stt = ClippedStt(clipped="Ute yourself.")
    assert reread(responder, stt, "What is the capital of France?") is None
    assert "clipped" not in stt.grammars
