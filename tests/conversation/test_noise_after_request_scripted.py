"""A knock or a breath right after a request, while it is being answered, stops that answer as the start of
more words would; when it brings no words, the request is still answered (it was lost: seed 991's "Switch off
the kitchen lights, please." in a noisy room got no answer and no feedback)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from firmware_py.audio.frames import SAMPLE_RATE
from firmware_py.config import Settings
from firmware_py.events import BotAnswered, StateChanged
from firmware_py.llm.base import LlmDelta

from .scripted import ScriptedLlm, ScriptedStt, feed, recorded_conversation, settle, tone, zeros

QUESTION = "What is the capital of France?"
ANSWER = "Paris is the capital of France, on the Seine."


@dataclass
class WordsOrNoise(ScriptedStt):
    """The request for a second of speech; no words for a short sound."""

    def transcribe(self, audio: np.ndarray) -> str:
        self.heard.append(audio)
        return QUESTION if np.count_nonzero(np.abs(audio) > 0.01) / SAMPLE_RATE > 0.6 else ""


class SlowLlm(ScriptedLlm):
    """Writes a word every 50 ms, so the answer is still being written when the noise comes."""

    async def stream(self, messages: list[dict[str, Any]], tools: Any, cancel: asyncio.Event,
                     **_: Any) -> AsyncIterator[LlmDelta]:
        self.asked.append(list(messages))
        for word in self.answer.split(" "):
            await asyncio.sleep(0.05)
            if cancel.is_set():
                return
            yield LlmDelta(text=word + " ")


def settings() -> Settings:
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False), intents=replace(base.intents, reread=False),
                   knowledge=replace(base.knowledge, enabled=False))


async def test_a_request_whose_answer_a_short_noise_stopped_is_still_answered() -> None:
    llm = SlowLlm(ANSWER)
    async with recorded_conversation(settings(), WordsOrNoise(), llm) as (conversation, events):
        await feed(conversation.listener, zeros(0.2) + tone(1.0) + zeros(0.7), pace=0.01)
        await settle(lambda: bool(llm.asked))
        await feed(conversation.listener, tone(0.3) + zeros(1.6), pace=0.01)   # a knock: speech for the VAD, no words
        await settle(lambda: any(isinstance(e, BotAnswered) and e.text == ANSWER for e in events))
        await settle(lambda: [e for e in events if isinstance(e, StateChanged)][-1].state == "listening")
    assert [m["content"] for m in llm.asked[-1] if m["role"] == "user"] == [QUESTION], "asked once, not twice"
