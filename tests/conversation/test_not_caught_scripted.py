"""Words the recogniser was unsure of, which nothing claimed, are not answered as said (respond/not_caught.py):
"Sorry, I didn't catch that." and an error for the client, no LLM answer and its context untouched.
Scripted recogniser (its confidence scripted too), real listener, conversation and intents."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py import conversation as conversation_module
from firmware_py.config import Settings
from firmware_py.conversation import Conversation
from firmware_py.events import BotAnswered, ErrorEvent
from firmware_py.respond.not_caught import UNSURE_COMMAND_PER_TOKEN, UNSURE_PER_TOKEN

from .scripted import ScriptedLlm, feed, recorded_conversation, settle, tone, zeros
from .test_reread_scripted import RereadingScriptedStt, one_spoken_turn
from .test_reread_scripted import settings as reread_settings


@dataclass
class UnsureStt(RereadingScriptedStt):
    confidence: float = -0.3
    """Nats a token of the free reading, for the text it last wrote."""
    written: str = ""

    def transcribe(self, audio: np.ndarray) -> str:
        self.written = super().transcribe(audio)
        return self.written

    def heard_confidence(self, audio: np.ndarray, text: str) -> float | None:
        return self.confidence if text == self.written else None


def settings(reply: str = "Sorry, I didn't catch that.") -> Settings:
    base = reread_settings()
    return replace(base, intents=replace(base.intents, not_heard_reply=reply))


@pytest.fixture
async def world(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Conversation, list[Any], ScriptedLlm, UnsureStt]]:
    llm, stt = ScriptedLlm("Seth is a loyal and protective feline."), UnsureStt(default="Seth mammal")
    async with recorded_conversation(settings(*getattr(request, "param", ())), stt, llm) as (conversation, events):
        yield conversation, events, llm, stt


async def test_words_heard_unsure_are_not_answered_as_said(world: Any) -> None:
    """Seed 1061: "Set the volume to eighty." heard "Seth mammal" was answered "Seth is a loyal and protective
    feline."."""
    conversation, events, llm, stt = world
    stt.confidence = UNSURE_PER_TOKEN - 0.5
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "Sorry, I didn't catch that."
    assert [e.text for e in events if isinstance(e, BotAnswered)] == [answer.text], "an answer begun meanwhile is dropped"
    assert any(isinstance(e, ErrorEvent) and "didn't catch" in e.message for e in events)
    assert not any("Seth" in str(message.get("content")) for message in conversation.context.messages())


async def test_words_heard_surely_go_to_the_llm(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.confidence = UNSURE_PER_TOKEN + 0.4
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "Seth is a loyal and protective feline." and len(llm.asked) == 1


@pytest.mark.parametrize(("heard", "asked_again"), [
    ("Close me off this line", True),        # seed 1201's "Close the office blinds.", -0.63 a token
    ("Youth speaker,", True),                # a command's thing named
    ("How many lends done us I to have?", False),   # a question misheard: the LLM's, above UNSURE_PER_TOKEN
])
async def test_words_shaped_like_a_command_are_held_to_a_stricter_limit(world: Any, heard: str,
                                                                       asked_again: bool) -> None:
    """Words nothing claimed that open with a command verb or name a command's thing are a command misheard:
    between UNSURE_COMMAND_PER_TOKEN and UNSURE_PER_TOKEN they are asked again, other words go to the LLM."""
    conversation, events, llm, stt = world
    stt.default, stt.confidence = heard, (UNSURE_COMMAND_PER_TOKEN + UNSURE_PER_TOKEN) / 2
    answer = await one_spoken_turn(conversation, events)
    assert (answer.text == "Sorry, I didn't catch that.") == asked_again
    said = [e.text for e in events if isinstance(e, BotAnswered)]
    assert said == [answer.text] and (llm.answer in said) != asked_again, "an answer begun meanwhile is dropped"


async def test_a_command_heard_unsure_still_runs(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.default, stt.confidence = "Turn on the kitchen light.", UNSURE_PER_TOKEN - 0.5
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "The kitchen light is on." and llm.asked == []


@pytest.mark.parametrize("world", [("",)], indirect=True)
async def test_with_the_reply_turned_off_unsure_words_go_to_the_llm(world: Any) -> None:
    conversation, events, llm, stt = world
    stt.confidence = UNSURE_PER_TOKEN - 0.5
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "Seth is a loyal and protective feline." and len(llm.asked) == 1


@dataclass
class UnsureByLength(UnsureStt):
    """The first piece (1 s of speech) heard unsure, the rest (0.6 s) and both decoded as one heard surely."""

    first: str = "Enter the volume."
    second: str = "To eighty."
    whole: str = "Set the volume to eighty."
    whole_confidence: float = -0.2

    def transcribe(self, audio: np.ndarray) -> str:
        self.heard.append(audio)
        loud = np.count_nonzero(np.abs(audio) > 0.01) / SAMPLE_RATE
        self.written = self.second if loud < 0.8 else self.first if loud < 1.3 else self.whole
        return self.written

    def heard_confidence(self, audio: np.ndarray, text: str) -> float | None:
        return self.whole_confidence if text == self.whole else self.confidence


@pytest.fixture
async def pieces() -> AsyncIterator[tuple[Conversation, list[Any], ScriptedLlm, UnsureByLength]]:
    llm, stt = ScriptedLlm("Enter the volume is a button."), UnsureByLength(confidence=UNSURE_PER_TOKEN - 0.3)
    async with recorded_conversation(settings(), stt, llm) as (conversation, events):
        yield conversation, events, llm, stt


def said(events: list[Any]) -> list[str]:
    return [e.text for e in events if isinstance(e, BotAnswered)]


async def held_then_its_rest(conversation: Conversation, events: list[Any]) -> None:
    """The first piece, held for its rest; the rest; and the answer (and a moment for any second one)."""
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(0.5), pace=0.01)
    await settle(lambda: conversation._held == "Enter the volume.")
    await feed(conversation.listener, tone(0.6) + zeros(1.2), pace=0.01)
    await settle(lambda: bool(said(events)))
    await asyncio.sleep(0.5)


async def test_a_short_turn_heard_unsure_waits_for_its_rest(pieces: Any) -> None:
    """Seed 1091: "Set the volume | to eighty." heard "Enter the volume." was apologised for in the pause, and
    its rest, heard alone, apologised for again."""
    conversation, events, llm, stt = pieces
    await held_then_its_rest(conversation, events)
    assert said(events) == ["The volume is 80 percent."]


async def test_a_rest_still_heard_unsure_is_apologised_for_once(pieces: Any) -> None:
    conversation, events, llm, stt = pieces
    stt.whole_confidence = UNSURE_PER_TOKEN - 0.3
    stt.whole = "Santa, the mile you, daddy."
    await held_then_its_rest(conversation, events)
    assert said(events) == ["Sorry, I didn't catch that."]


async def test_with_no_rest_the_apology_comes_after_the_wait(pieces: Any) -> None:
    conversation, events, llm, stt = pieces
    await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(0.5), pace=0.01)
    await settle(lambda: conversation._held is not None)
    await settle(lambda: bool(said(events)))
    assert said(events) == ["Sorry, I didn't catch that."] and conversation._held is None


async def test_words_heard_unsure_that_name_no_command_thing_are_apologised_for_at_once(
        world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed 1103's "What is five plus three?" heard "What in time plus free?" waited for a rest that no question
    has: 2.4 s to the apology."""
    monkeypatch.setattr(conversation_module, "hold_secs", lambda *_: 30.0)   # longer than the turn is waited for
    conversation, events, llm, stt = world
    stt.confidence = UNSURE_PER_TOKEN - 0.5
    answer = await one_spoken_turn(conversation, events)
    assert answer.text == "Sorry, I didn't catch that."
