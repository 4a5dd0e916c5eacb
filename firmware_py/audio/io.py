"""The audio seam: sources deliver 16 kHz mono int16 frames, sinks take int16 at their own rate.

A conversation only knows these two interfaces, so the device (ALSA), an RTVI client, a WAV file and
nothing at all are interchangeable. Tests and benchmarks drive the engine through WAV sources and
capturing sinks.
"""

from __future__ import annotations

import asyncio
import time
import wave
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import numpy as np

from .frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame, Rechunker, StreamResampler, downmix, resample


class AudioSource(ABC):
    """Yields 20 ms frames of 16 kHz mono int16 until the source ends or is closed."""

    @abstractmethod
    def frames(self) -> AsyncIterator[AudioFrame]: ...

    async def close(self) -> None:
        """Stop delivering frames."""


class PlaybackTap(Protocol):
    """Listens to what a sink plays: the echo canceller's far-end reference."""

    def played(self, samples: np.ndarray, sample_rate: int, start_time: float) -> None:
        """`samples` (int16 mono at `sample_rate`) are heard from `start_time` (time.monotonic) on."""

    def cleared(self, at_time: float) -> None:
        """Nothing scheduled to be heard after `at_time` will be heard (barge-in flushed it)."""


class AudioSink(ABC):
    """Plays int16 mono at `sample_rate`, paced in real time.

    `write` returns once the sink can take more (so a producer is held to real time plus a small lead);
    `clear` drops everything not yet played, at once: it is how barge-in silences the bot.
    A sink whose output we control tells its `tap` what it plays and when; a playback time may be
    early (the canceller copes) but never late.
    """

    sample_rate: int = 24_000
    tap: PlaybackTap | None = None

    def _tap_played(self, samples: np.ndarray, start_time: float) -> None:
        if self.tap is not None:
            self.tap.played(samples, self.sample_rate, start_time)

    def _tap_cleared(self, after_secs: float = 0.0) -> None:
        """Playback was flushed; what was already sent on and plays for `after_secs` more still counts."""
        if self.tap is not None:
            self.tap.cleared(time.monotonic() + after_secs)

    @abstractmethod
    async def write(self, samples: np.ndarray) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    async def drain(self) -> None:
        """Wait until what was written has been played."""

    async def close(self) -> None:
        """Release the device."""


class RealtimeClock:
    """Tracks how far ahead of the wall clock a paced stream is, to hold a producer to real time."""

    def __init__(self, lead_secs: float = 0.08) -> None:
        self.lead = lead_secs
        self.reset()

    def reset(self) -> None:
        self._start: float | None = None
        self._queued = 0.0

    def ahead(self) -> float:
        """Seconds of audio written but not yet played."""
        if self._start is None:
            return 0.0
        return max(0.0, self._start + self._queued - time.monotonic())

    async def advance(self, seconds: float) -> None:
        now = time.monotonic()
        if self._start is None or self._start + self._queued < now:  # idle gap: restart the clock
            self._start, self._queued = now, 0.0
        self._queued += seconds
        wait = self._start + self._queued - now - self.lead
        if wait > 0:
            await asyncio.sleep(wait)


# --- sources ----------------------------------------------------------------------------------------


def read_wav(path: Path | str) -> tuple[np.ndarray, int]:
    """Mono int16 samples and rate of a 16-bit PCM WAV (channels averaged)."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM WAV is supported (sample width {wav.getsampwidth()})")
        channels, rate = wav.getnchannels(), wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int16)
    return downmix(samples, channels), rate


def write_wav(path: Path | str, samples: np.ndarray, sample_rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(samples.astype("<i2").tobytes())


class ArraySource(AudioSource):
    """Plays a clip (any rate) as 16 kHz frames, in real time or as fast as possible, then silence or end."""

    def __init__(self, samples: np.ndarray, sample_rate: int, realtime: bool = True,
                 tail_silence_secs: float = 0.0) -> None:
        clip = resample(samples.astype(np.int16), sample_rate, SAMPLE_RATE)
        tail = np.zeros(int(tail_silence_secs * SAMPLE_RATE), np.int16)
        self._samples = np.concatenate([clip, tail])
        self.realtime = realtime
        self._closed = False

    async def frames(self) -> AsyncIterator[AudioFrame]:
        start = time.monotonic()
        for index in range(0, len(self._samples) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            if self._closed:
                return
            if self.realtime:
                due = start + index / SAMPLE_RATE
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)
            yield AudioFrame(self._samples[index:index + FRAME_SAMPLES])

    async def close(self) -> None:
        self._closed = True


class WavSource(ArraySource):
    """A WAV file as a microphone."""

    def __init__(self, path: Path | str, realtime: bool = True, tail_silence_secs: float = 0.0) -> None:
        samples, rate = read_wav(path)
        super().__init__(samples, rate, realtime, tail_silence_secs)


class LoopingWavSource(AudioSource):
    """A WAV file as the device microphone, played once or every `period` seconds, silence in between
    and after, so the session's clock keeps running like a real microphone's."""

    def __init__(self, path: Path | str, period: float = 0.0) -> None:
        self._clip = WavSource(path, realtime=True)
        self.period = period
        self._closed = False

    async def frames(self) -> AsyncIterator[AudioFrame]:
        silence = np.zeros(FRAME_SAMPLES, np.int16)
        frame_secs = FRAME_SAMPLES / SAMPLE_RATE
        play_next = time.monotonic()
        while not self._closed:
            if time.monotonic() >= play_next:
                started = time.monotonic()
                async for frame in self._clip.frames():
                    yield frame
                play_next = started + self.period if self.period > 0 else float("inf")
            await asyncio.sleep(frame_secs)
            yield AudioFrame(silence)

    async def close(self) -> None:
        self._closed = True
        await self._clip.close()


class QueueSource(AudioSource):
    """Frames pushed by someone else (an RTVI client's microphone), any chunk size and rate.

    Pushes never block: when the consumer falls behind by more than `max_backlog_secs`, the oldest
    audio is dropped and counted, so a stalled pipeline cannot grow memory.
    """

    def __init__(self, max_backlog_secs: float = 2.0) -> None:
        self._queue: asyncio.Queue[AudioFrame | None] = asyncio.Queue()
        self._rechunker = Rechunker(FRAME_SAMPLES)
        self._resamplers: dict[int, StreamResampler] = {}
        self._max_frames = int(max_backlog_secs * SAMPLE_RATE / FRAME_SAMPLES)
        self.dropped_frames = 0

    def push(self, frame: AudioFrame) -> None:
        samples = frame.samples
        if frame.sample_rate != SAMPLE_RATE:
            resampler = self._resamplers.setdefault(frame.sample_rate, StreamResampler(frame.sample_rate, SAMPLE_RATE))
            samples = resampler.process(samples)
        for chunk in self._rechunker.push(samples):
            if self._queue.qsize() >= self._max_frames:
                self._queue.get_nowait()
                self.dropped_frames += 1
            self._queue.put_nowait(AudioFrame(chunk))

    async def frames(self) -> AsyncIterator[AudioFrame]:
        while (frame := await self._queue.get()) is not None:
            yield frame

    async def close(self) -> None:
        self._queue.put_nowait(None)


# --- sinks ------------------------------------------------------------------------------------------


class CaptureSink(AudioSink):
    """Keeps everything played (for tests, benchmarks and `say --out`), paced in real time or not.

    `clear` drops the audio that is still 'playing' according to the real-time clock, just as a device
    buffer would be flushed, so a test can check what a listener actually heard.
    """

    def __init__(self, sample_rate: int = 24_000, realtime: bool = True) -> None:
        self.sample_rate = sample_rate
        self.realtime = realtime
        self.clock = RealtimeClock()
        self.chunks: list[np.ndarray] = []
        self.first_write_at: float | None = None
        self.last_write_at: float | None = None

    async def write(self, samples: np.ndarray) -> None:
        now = time.monotonic()
        self.first_write_at = self.first_write_at or now
        self.last_write_at = now
        self.chunks.append(samples.astype(np.int16))
        self._tap_played(samples, now + self.clock.ahead())
        if self.realtime:
            await self.clock.advance(len(samples) / self.sample_rate)

    def clear(self) -> None:
        unplayed = int(self.clock.ahead() * self.sample_rate)
        while unplayed > 0 and self.chunks:
            last = self.chunks[-1]
            if len(last) <= unplayed:
                self.chunks.pop()
                unplayed -= len(last)
            else:
                self.chunks[-1] = last[: len(last) - unplayed]
                unplayed = 0
        self.clock.reset()
        self._tap_cleared()

    async def drain(self) -> None:
        if self.realtime:
            await asyncio.sleep(self.clock.ahead())

    @property
    def audio(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)

    def save(self, path: Path | str) -> None:
        write_wav(path, self.audio, self.sample_rate)


class NullSink(AudioSink):
    """Discards audio but keeps real-time pacing, so timing behaves as with a speaker."""

    def __init__(self, sample_rate: int = 24_000) -> None:
        self.sample_rate = sample_rate
        self.clock = RealtimeClock()

    async def write(self, samples: np.ndarray) -> None:
        self._tap_played(samples, time.monotonic() + self.clock.ahead())
        await self.clock.advance(len(samples) / self.sample_rate)

    def clear(self) -> None:
        self.clock.reset()
        self._tap_cleared()

    async def drain(self) -> None:
        await asyncio.sleep(self.clock.ahead())
