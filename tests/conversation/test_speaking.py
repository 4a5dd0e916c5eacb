"""BotSpeech on its own: event order, pacing into the sink, and an immediate, accurate stop."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from firmware_py.audio.io import CaptureSink
from firmware_py.events import EventBus
from firmware_py.speaking import BotSpeech, SpeechProgress


class ToneVoice:
    """A test voice: 0.1 s of tone per word, so durations are known exactly."""

    sample_rate = 16_000
    last_secs = 0.0

    def sentences(self, text: str) -> list[str]:
        return [text]

    def synthesize(self, text: str) -> np.ndarray:
        samples = int(0.1 * self.sample_rate * len(text.split()))
        return (0.3 * np.sin(np.arange(samples) * 0.1)).astype(np.float32)


@pytest.fixture
def executor():
    pool = ThreadPoolExecutor(1)
    yield pool
    pool.shutdown()


def test_progress_counts_whole_and_partial_sentences() -> None:
    progress = SpeechProgress(finished=["One two."], current="three four five six", current_fraction=0.5)
    assert progress.spoken_text() == "One two. three four"


async def test_events_in_order_and_all_audio_played(executor) -> None:
    bus, seen = EventBus(), []
    bus.subscribe(seen.append)
    sink = CaptureSink(sample_rate=24_000)
    speech = BotSpeech("s", ToneVoice(), executor, sink, bus)
    speech.feed("Hello there friend.")
    speech.feed("How are you?")
    speech.finish()
    await asyncio.wait_for(speech.wait(), 10)
    kinds = [e.kind for e in seen]
    assert kinds == ["bot-tts-started", "bot-started-speaking", "bot-output", "bot-tts-text", "bot-output",
                     "bot-tts-text", "bot-tts-stopped", "bot-stopped-speaking"]
    assert abs(len(sink.audio) / 24_000 - 0.6) < 0.01  # six words, resampled 16 -> 24 kHz
    assert speech.spoken_text == "Hello there friend. How are you?"


async def test_stop_silences_at_once_and_reports_what_was_heard(executor) -> None:
    bus, seen = EventBus(), []
    bus.subscribe(seen.append)
    sink = CaptureSink(sample_rate=24_000)
    speech = BotSpeech("s", ToneVoice(), executor, sink, bus)
    speech.feed("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.")
    speech.feed("This sentence is never heard.")
    speech.finish()
    while not speech.speaking:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)
    heard = await speech.stop()
    assert heard.startswith("one two") and "never" not in heard
    assert 2 <= len(heard.split()) <= 9
    played = len(sink.audio)
    await asyncio.sleep(0.3)
    assert len(sink.audio) == played, "nothing is written after stop"
    assert [e.kind for e in seen][-2:] == ["bot-tts-stopped", "bot-stopped-speaking"]
    assert played / 24_000 < 0.9


async def test_stop_returns_while_sentences_wait_to_be_played(executor) -> None:
    """A long answer: the voice runs ahead of playback until the queue between them is full. Stopping then
    (a barge-in, or a client that vanished) must not wait for room in a queue nobody reads any more."""
    sink = CaptureSink(sample_rate=24_000)
    speech = BotSpeech("s", ToneVoice(), executor, sink, EventBus())
    for number in range(6):
        speech.feed(f"Sentence {number} has quite a few words in it to play for a while.")
    speech.finish()
    while not speech.speaking:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)   # the voice is done with three sentences by now, and waits to queue the next
    heard = await asyncio.wait_for(speech.stop(), 2.0)
    assert heard.startswith("Sentence 0") and "Sentence 1" not in heard
    await asyncio.wait_for(speech.wait(), 1.0)


def test_the_voices_padding_is_trimmed_to_short_margins() -> None:
    import numpy as np

    from firmware_py.speaking import LEAD_SECS, TAIL_SECS, trim_silence

    rate = 24000
    sentence = np.zeros(2 * rate, np.int16)
    sentence[int(0.3 * rate):int(1.4 * rate)] = 4000   # 0.3 s of padding before, 0.6 s after
    trimmed = trim_silence(sentence, rate)
    assert abs(len(trimmed) / rate - (1.1 + LEAD_SECS + TAIL_SECS)) < 0.02
    assert np.all(trimmed[:int(LEAD_SECS * rate) - 1] == 0) and trimmed[int(LEAD_SECS * rate) + 5] == 4000
    assert len(trim_silence(np.zeros(rate, np.int16), rate)) == rate, "silence alone is left as it is"
