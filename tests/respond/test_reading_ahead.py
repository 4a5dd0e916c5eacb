"""A reading made at the pause answers the turn only for the same audio, words and timers; otherwise, and when a
responder claimed the words after all, the turn is read anew."""

from __future__ import annotations

import asyncio

import numpy as np

from firmware_py.respond.base import Answer
from firmware_py.respond.reading_ahead import ReadingAhead


class Reader:
    def __init__(self, claimed: bool = False) -> None:
        self.claimed, self.reads, self.state = claimed, [], ("tea", False)

    async def unclaimed(self, words: str) -> bool:
        return not self.claimed

    async def read(self, audio: np.ndarray, heard: str) -> tuple[str, Answer] | None:
        self.reads.append((audio, heard))
        return f"reading {len(self.reads)}", Answer("intent", text="done")

    def ahead(self) -> ReadingAhead:
        return ReadingAhead(self.unclaimed, self.read, lambda: self.state)


async def test_the_reading_made_ahead_answers_the_same_audio_and_words() -> None:
    reader, audio = Reader(), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    ahead.start("Sanctuary, lot.", audio)
    await asyncio.sleep(0)
    assert await ahead.read("sanctuary lot", audio) == ("reading 1", Answer("intent", text="done"))
    assert len(reader.reads) == 1


async def test_other_audio_words_or_timers_are_read_anew() -> None:
    reader, audio = Reader(), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    for words, heard_from, change in [("Sanctuary, lot.", audio.copy(), False), ("Sanctuary.", audio, False),
                                      ("Sanctuary, lot.", audio, True)]:
        reader.state = ("tea", False)
        ahead.start("Sanctuary, lot.", audio)
        await asyncio.sleep(0.01)
        if change:
            reader.state = ("tea", True)   # the tea timer was paused meanwhile
        reads = len(reader.reads)
        found = await ahead.read(words, heard_from)
        assert found is not None and found[0] == f"reading {reads + 1}" and reader.reads[-1][0] is heard_from


async def test_words_a_responder_claimed_are_not_read_ahead_but_read_when_asked() -> None:
    reader, audio = Reader(claimed=True), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    ahead.start("Turn on the light.", audio)
    await asyncio.sleep(0.01)
    assert reader.reads == []
    assert await ahead.read("Turn on the light.", audio) == ("reading 1", Answer("intent", text="done"))


async def test_a_dropped_reading_is_not_used() -> None:
    reader, audio = Reader(), np.zeros(1600, np.float32)
    ahead = reader.ahead()
    ahead.start("Sanctuary, lot.", audio)
    ahead.drop()
    await ahead.read("Sanctuary, lot.", audio)
    assert len(reader.reads) == 1
