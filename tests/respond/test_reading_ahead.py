"""A reading made at the pause answers the turn only for the same audio, words, claim and timers; otherwise, and
when nothing was read ahead, the turn is read anew."""

from __future__ import annotations

import asyncio

import numpy as np

from firmware_py.respond.base import Answer
from firmware_py.respond.reading_ahead import ReadingAhead

CLAIM = Answer("intent", text="The kitchen light is on.")


class Reader:
    def __init__(self, claim: Answer | None = None, matched: bool = True) -> None:
        self.claim, self.matched, self.reads, self.state = claim, matched, [], ("tea", False)

    async def guessed(self, words: str) -> tuple[bool, Answer | None]:
        return self.matched, self.claim

    async def read(self, audio: np.ndarray, heard: str, claim: Answer | None = None) -> tuple[str, Answer] | None:
        self.reads.append((audio, heard, claim))
        return f"reading {len(self.reads)}", Answer("intent", text="done")

    def ahead(self) -> ReadingAhead:
        return ReadingAhead(self.guessed, self.read, self.read, lambda: self.state)

    async def now(self, audio: np.ndarray, heard: str) -> tuple[str, Answer] | None:
        return await self.read(audio, heard)


async def test_the_reading_made_ahead_answers_the_same_audio_words_and_claim() -> None:
    for claim in (None, CLAIM):
        reader, audio = Reader(claim), np.zeros(1600, np.float32)
        ahead = reader.ahead()
        ahead.start("Sanctuary, lot.", audio)
        await asyncio.sleep(0)
        found = await ahead.reading("Sanctuary, lot.", audio, claim, lambda: reader.now(audio, "Sanctuary, lot."))
        assert found is not None and found[0] == "reading 1" and len(reader.reads) == 1
        assert reader.reads[0][2] is claim, "a claimed turn is read for its claim"


async def test_other_audio_words_claim_or_timers_are_read_anew() -> None:
    reader, audio = Reader(), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    for words, heard_from, claim, paused in [("Sanctuary, lot.", audio.copy(), None, False),
                                             ("Sanctuary.", audio, None, False),
                                             ("Sanctuary, lot.", audio, CLAIM, False),
                                             ("Sanctuary, lot.", audio, None, True)]:
        reader.state = ("tea", False)
        ahead.start("Sanctuary, lot.", audio)
        await asyncio.sleep(0.01)
        reader.state = ("tea", paused)   # the tea timer paused meanwhile, or not
        reads = len(reader.reads)
        found = await ahead.reading(words, heard_from, claim, lambda: reader.now(heard_from, words))
        assert found is not None and found[0] == f"reading {reads + 1}" and reader.reads[-1][0] is heard_from


async def test_words_not_yet_matched_at_the_pause_are_read_at_the_end() -> None:
    reader, audio = Reader(matched=False), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    ahead.start("Turn on the light.", audio)
    await asyncio.sleep(0.01)
    assert reader.reads == []
    found = await ahead.reading("Turn on the light.", audio, None, lambda: reader.now(audio, "Turn on the light."))
    assert found is not None and found[0] == "reading 1"


async def test_a_dropped_reading_is_not_used() -> None:
    reader, audio = Reader(), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    ahead.start("Sanctuary, lot.", audio)
    ahead.drop()
    await ahead.reading("Sanctuary, lot.", audio, None, lambda: reader.now(audio, "Sanctuary, lot."))
    assert len(reader.reads) == 1
