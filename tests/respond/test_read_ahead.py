"""A reading started at the pause is used only for the same words from the very same audio."""

from __future__ import annotations

import asyncio

import numpy as np

from firmware_py.respond.read_ahead import ReadAhead


async def reading(result: str, started: asyncio.Event | None = None) -> str:
    if started is not None:
        started.set()
    await asyncio.sleep(0.05)
    return result


async def test_the_same_words_from_the_same_audio_take_the_reading() -> None:
    ahead, audio = ReadAhead(), np.zeros(160, np.float32)
    ahead.start("Turn off the light.", audio, reading("read"))
    task = ahead.take("turn off the light", audio)
    assert task is not None and await task == "read"
    assert ahead.take("turn off the light", audio) is None, "taken once"


async def test_other_words_or_other_audio_drop_it() -> None:
    ahead, audio = ReadAhead(), np.zeros(160, np.float32)
    for words, heard in (("Turn off the light in the hall.", audio), ("Turn off the light.", audio.copy())):
        ahead.start("Turn off the light.", audio, reading("read"))
        held = ahead._ahead
        assert ahead.take(words, heard) is None
        await asyncio.sleep(0)
        assert held is not None and held.task.cancelled()


async def test_going_on_or_a_new_pause_drops_the_last_one() -> None:
    ahead, audio = ReadAhead(), np.zeros(160, np.float32)
    ahead.start("Turn off", audio, reading("first"))
    first = ahead._ahead
    ahead.start("Turn off the light.", audio, reading("second"))
    await asyncio.sleep(0)
    assert first is not None and first.task.cancelled()
    ahead.drop()
    assert ahead.take("Turn off the light.", audio) is None
