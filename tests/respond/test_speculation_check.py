"""A command claimed at the pause has its check on the audio started there, and the turn's end takes the
result only for the same words read from the same audio: anything else is checked again, never guessed."""

from __future__ import annotations

import asyncio

import numpy as np

from firmware_py.respond.base import ActionCall, Answer
from firmware_py.respond.speculation import Checked, Speculator, result_of
from firmware_py.respond.early_llm import EarlyLlmAnswer


class Commands:
    """A chain that claims every text as a command."""

    async def match(self, text: str, session_id: str) -> Answer | None:
        return Answer("intent", actions=(ActionCall("set_mute", {"muted": True}),))


def no_llm(text: str) -> EarlyLlmAnswer:
    raise AssertionError("a claimed command never starts the LLM")


def speculator(checks: list[tuple[str, int]]) -> Speculator:
    async def check(audio: np.ndarray, text: str, claim: Answer) -> Checked:
        checks.append((text, len(audio)))
        await asyncio.sleep(0)
        return text, Answer("intent", text="Sorry, did you say mute or unmute?")
    return Speculator(Commands(), "s", no_llm, check)   # type: ignore[arg-type]


async def claimed_at_the_pause(checks: list[tuple[str, int]]) -> tuple[Speculator, np.ndarray]:
    """"mute" guessed at the pause with its audio, and "Mute." claimed when the turn ends."""
    ahead = speculator(checks)
    audio = np.zeros(16000, np.float32)
    ahead.guess("mute", audio=audio)
    claim, early = await ahead.claim("Mute.")
    assert claim is not None and early is None
    return ahead, audio


async def test_the_check_started_at_the_pause_is_taken_for_the_same_words_and_audio() -> None:
    checks: list[tuple[str, int]] = []
    ahead, audio = await claimed_at_the_pause(checks)
    task = ahead.checked("Mute.", audio)
    assert task is not None
    found = await result_of(task)
    assert found is not None and found[1].text.startswith("Sorry, did you say")
    assert checks == [("mute", 16000)], "checked once, at the pause"
    assert ahead.checked("Mute.", audio) is None, "taken once"


async def test_other_audio_or_other_words_are_checked_again() -> None:
    ahead, audio = await claimed_at_the_pause([])
    assert ahead.checked("Mute.", np.zeros(16000, np.float32)) is None, "the turn's words came from other audio"
    ahead.guess("mute", audio=audio)
    await ahead.claim("Mute.")
    assert ahead.checked("Unmute.", audio) is None


async def test_words_that_changed_drop_the_check_and_no_audio_starts_none() -> None:
    checks: list[tuple[str, int]] = []
    ahead = speculator(checks)
    ahead.guess("mute", audio=np.zeros(8000, np.float32))
    await ahead.claim("Mute the kitchen.")
    assert ahead.checked("Mute the kitchen.", np.zeros(8000, np.float32)) is None
    ahead.guess("mute")
    await ahead.claim("Mute.")
    await asyncio.sleep(0.01)
    assert ahead.checked("Mute.", np.zeros(8000, np.float32)) is None
    assert len(checks) <= 1 and all(text == "mute" for text, _ in checks)


async def test_a_cancelled_check_reads_as_none_for_the_answer_waiting_on_it() -> None:
    ahead, audio = await claimed_at_the_pause([])
    task = ahead.checked("Mute.", audio)
    assert task is not None
    task.cancel()
    assert await result_of(task) is None


async def test_a_claim_not_checked_ahead_is_left_to_the_turns_end() -> None:
    """(a timer whose name is read again first when the turn ends: that reading may change the claim)"""
    ahead = Speculator(Commands(), "s", no_llm, lambda audio, text, claim: None)   # type: ignore[arg-type]
    audio = np.zeros(16000, np.float32)
    ahead.guess("stop the lurkey timer", audio=audio)
    await ahead.claim("Stop the lurkey timer.")
    assert ahead.checked("Stop the lurkey timer.", audio) is None
