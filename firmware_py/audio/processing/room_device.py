"""A simulated speaker and microphone in one room, in real time, behind the AudioSink/AudioSource seam.

What the speaker plays comes back in the microphone through `RoomConditions`' echo path (delay, speaker
distortion, reverberation) with noise; `say()` adds a user's voice. Tests and `doctor --echo --simulate`
run the real conversation and canceller against it. The delay does not drift here (the offline
benchmark covers drift).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import numpy as np

from ..frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame, to_float, to_int16
from ..io import AudioSink, AudioSource, RealtimeClock
from .reference import PlaybackReference
from .room import RoomConditions, convolve, impulse_response, loudspeaker, pink_noise


class RoomSpeaker(AudioSink):
    """Plays into the room: the room's own record of what was heard, and when."""

    def __init__(self, sample_rate: int = 24_000) -> None:
        self.sample_rate = sample_rate
        self.clock = RealtimeClock()
        self.air = PlaybackReference(horizon_secs=8.0)
        self.samples_written = 0

    async def write(self, samples: np.ndarray) -> None:
        start = time.monotonic() + self.clock.ahead()
        self.air.played(samples, self.sample_rate, start)
        self._tap_played(samples, start)
        self.samples_written += len(samples)
        await self.clock.advance(len(samples) / self.sample_rate)

    def clear(self) -> None:
        now = time.monotonic()
        self.air.cleared(now)
        self.clock.reset()
        self._tap_cleared()

    async def drain(self) -> None:
        await asyncio.sleep(self.clock.ahead())


class RoomMicrophone(AudioSource):
    """Hears the speaker's echo, the user's voice (`say`) and background noise, 20 ms at a time."""

    def __init__(self, speaker: RoomSpeaker, conditions: RoomConditions, echo_gain: float = 0.3,
                 noise_level: float = 0.001) -> None:
        self.speaker, self.conditions = speaker, conditions
        rng = np.random.default_rng(conditions.seed)
        self._response = impulse_response(conditions.rt60_secs, rng) * echo_gain
        self._noise = pink_noise(SAMPLE_RATE * 10, rng) * noise_level
        self._user: list[tuple[float, np.ndarray]] = []
        self._closed = False
        self.frames_delivered = 0

    def say(self, samples: np.ndarray, at_time: float | None = None) -> float:
        """The user speaks `samples` (int16, 16 kHz) from `at_time` (default now); returns that time."""
        start = time.monotonic() if at_time is None else at_time
        self._user.append((start, to_float(samples)))
        return start

    def hear(self, end_time: float) -> np.ndarray:
        """The FRAME_SAMPLES samples the microphone captured just before `end_time`."""
        delay = self.conditions.delay_ms / 1000.0
        history = len(self._response) + FRAME_SAMPLES
        played = to_float(self.speaker.air.read(end_time - delay, history))
        echo = convolve(loudspeaker(played, self.conditions.distortion), self._response)[-FRAME_SAMPLES:]
        start_index = PlaybackReference.index(end_time) - FRAME_SAMPLES
        offset = start_index % (len(self._noise) - FRAME_SAMPLES)
        return to_int16(echo + self._user_audio(start_index) + self._noise[offset:offset + FRAME_SAMPLES])

    def _user_audio(self, start_index: int) -> np.ndarray:
        out = np.zeros(FRAME_SAMPLES, np.float32)
        for at, audio in self._user:
            first = start_index - PlaybackReference.index(at)
            lo, hi = max(first, 0), min(first + FRAME_SAMPLES, len(audio))
            if hi > lo:
                out[lo - first:hi - first] += audio[lo:hi]
        return out

    async def frames(self) -> AsyncIterator[AudioFrame]:
        frame_secs = FRAME_SAMPLES / SAMPLE_RATE
        next_end = time.monotonic() + frame_secs
        while not self._closed:
            await asyncio.sleep(max(0.0, next_end - time.monotonic()))
            self.frames_delivered += 1
            yield AudioFrame(self.hear(next_end))
            next_end += frame_secs

    async def close(self) -> None:
        self._closed = True


def simulated_room(conditions: RoomConditions | None = None, sample_rate: int = 24_000,
                   echo_gain: float = 0.3) -> tuple[RoomMicrophone, RoomSpeaker]:
    """A microphone and a speaker in the same simulated room."""
    speaker = RoomSpeaker(sample_rate)
    return RoomMicrophone(speaker, conditions or RoomConditions(), echo_gain), speaker
