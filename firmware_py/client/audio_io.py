"""Audio ends of a client: a microphone (the device's, or a WAV file in real time) and a speaker.

Both speak 16 kHz mono int16 PCM bytes toward the client and take the bot's voice as `BotAudio` events.
The speaker plays from its own task, so a callback never holds up the client's reader, and `clear()`
drops what is queued at once (barge-in).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import events as ev

if TYPE_CHECKING:
    from ..audio.io import AudioSink
    from ..config import AudioSettings
    from ..events import EventBus

log = logging.getLogger(__name__)

MIC_RATE = 16_000
CHUNK_SECS = 0.02
SPEECH_LEVEL = 0.02
"""RMS (0-1) above which a WAV sample counts as speech when finding where the speech ends."""


class WavMicrophone:
    """A WAV file as a microphone: 20 ms chunks paced to real time, then silence for `tail_secs`
    (None: silence until closed), after `lead_secs` of silence."""

    def __init__(self, path: Path | str, tail_secs: float | None = 3.0, realtime: bool = True,
                 lead_secs: float = 0.0) -> None:
        from ..audio.frames import resample
        from ..audio.io import read_wav

        samples, rate = read_wav(path)  # mono int16, channels averaged
        self.samples = resample(samples, rate, MIC_RATE)
        self.samples = np.concatenate([np.zeros(int(lead_secs * MIC_RATE), np.int16), self.samples])
        self.tail_secs, self.realtime = tail_secs, realtime
        self.speech_end_secs = speech_end(self.samples, MIC_RATE)
        self.started_at: float | None = None

    @property
    def speech_end_at(self) -> float | None:
        """`time.monotonic()` at which the file's last speech left the microphone (None before start)."""
        return None if self.started_at is None else self.started_at + self.speech_end_secs

    async def chunks(self) -> AsyncIterator[bytes]:
        step = int(MIC_RATE * CHUNK_SECS)
        pcm = self.samples.astype("<i2").tobytes()
        silence = bytes(2 * step)
        tail = None if self.tail_secs is None else int(self.tail_secs / CHUNK_SECS)
        self.started_at = time.monotonic()
        index = 0
        while index * 2 * step < len(pcm) or tail is None or index - len(pcm) // (2 * step) < tail:
            if self.realtime:
                await asyncio.sleep(max(0.0, self.started_at + index * CHUNK_SECS - time.monotonic()))
            chunk = pcm[index * 2 * step:(index + 1) * 2 * step]
            yield chunk + silence[len(chunk):] if chunk else silence
            index += 1


def speech_end(samples: np.ndarray, rate: int) -> float:
    """Seconds into `samples` where the last 20 ms window louder than SPEECH_LEVEL ends."""
    step = int(rate * CHUNK_SECS)
    windows = len(samples) // step
    if not windows:
        return 0.0
    frames = samples[: windows * step].astype(np.float32).reshape(windows, step) / 32768.0
    loud = np.flatnonzero(np.sqrt(np.mean(frames * frames, axis=1)) > SPEECH_LEVEL)
    return float((loud[-1] + 1) * CHUNK_SECS) if len(loud) else 0.0


def level_dbfs(pcm: bytes) -> float:
    """RMS level of int16 PCM in dBFS (-100 for silence)."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32) / 32768.0
    if not len(samples):
        return -100.0
    rms = float(np.sqrt(np.mean(samples * samples)))
    return max(-100.0, 20 * float(np.log10(rms))) if rms > 0 else -100.0


class DeviceMicrophone:
    """The local microphone (ALSA through PyAudio), as 20 ms chunks of 16 kHz PCM."""

    def __init__(self, settings: "AudioSettings", bus: "EventBus") -> None:
        from ..audio.alsa import AlsaSource

        self._source = AlsaSource(settings, bus)

    async def chunks(self) -> AsyncIterator[bytes]:
        async for frame in self._source.frames():
            yield frame.pcm

    async def close(self) -> None:
        await self._source.close()


class Speaker:
    """Plays `BotAudio` through a sink from its own task; `clear()` silences it at once."""

    def __init__(self, sink: "AudioSink") -> None:
        self.sink = sink
        self._queue: asyncio.Queue[ev.BotAudio] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.playing_until = 0.0

    def play(self, audio: ev.BotAudio) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="speaker")
        self._queue.put_nowait(audio)

    def clear(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
        self.sink.clear()
        self.playing_until = 0.0

    @property
    def busy(self) -> bool:
        return not self._queue.empty() or time.monotonic() < self.playing_until

    async def _run(self) -> None:
        from ..audio.frames import downmix, resample

        while True:
            audio = await self._queue.get()
            samples = np.frombuffer(audio.pcm[: len(audio.pcm) - len(audio.pcm) % 2], dtype="<i2").astype(np.int16)
            if audio.num_channels > 1:
                samples = downmix(samples, audio.num_channels)
            if audio.sample_rate != self.sink.sample_rate:
                samples = resample(samples, audio.sample_rate, self.sink.sample_rate)
            try:
                await self.sink.write(samples)
            except Exception as err:  # a speaker failure must not end the client
                log.warning("playback failed", extra={"error": repr(err)})
            self.playing_until = time.monotonic() + 0.1

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.sink.close()


def device_speaker(settings: "AudioSettings", bus: "EventBus") -> Speaker:
    from ..audio.alsa import AlsaSink

    return Speaker(AlsaSink(settings, bus, 24_000))
