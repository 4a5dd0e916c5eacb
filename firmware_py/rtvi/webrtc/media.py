"""Audio over WebRTC: the bot's voice as an outgoing track, the client's microphone into the session.

Opus runs at 48 kHz, so the bot's voice is produced at 48 kHz mono (the conversation resamples once, at
its edge) and the microphone is handed on at the rate the decoder gives; the session turns both into the
internal 16 kHz frames as it does for every client.
"""

from __future__ import annotations

import asyncio
import collections
import fractions
import logging
import time
from typing import TYPE_CHECKING

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

if TYPE_CHECKING:
    from ..session import RtviSession

log = logging.getLogger(__name__)

OPUS_RATE = 48_000
FRAME_SAMPLES = OPUS_RATE // 50  # 20 ms, what the Opus encoder packs per packet
MAX_BUFFERED_SECS = 1.0
"""The sink paces in real time with a small lead; more than this means the track fell behind: drop the oldest."""


class BotVoiceTrack(MediaStreamTrack):
    """Plays whatever the session's audio sink hands it, and silence in between, at real-time pace."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._chunks: collections.deque[np.ndarray] = collections.deque()
        self._buffered = 0
        self._start: float | None = None
        self._pts = 0
        self._time_base = fractions.Fraction(1, OPUS_RATE)

    def push(self, samples: np.ndarray) -> None:
        self._chunks.append(samples.astype(np.int16, copy=False))
        self._buffered += len(samples)
        while self._buffered > MAX_BUFFERED_SECS * OPUS_RATE and len(self._chunks) > 1:
            self._buffered -= len(self._chunks.popleft())

    def clear(self) -> None:
        self._chunks.clear()
        self._buffered = 0

    @property
    def buffered_secs(self) -> float:
        return self._buffered / OPUS_RATE

    def _take(self, count: int) -> np.ndarray:
        out = np.zeros(count, np.int16)
        filled = 0
        while filled < count and self._chunks:
            head = self._chunks[0]
            used = min(count - filled, len(head))
            out[filled:filled + used] = head[:used]
            filled += used
            if used == len(head):
                self._chunks.popleft()
            else:
                self._chunks[0] = head[used:]
        self._buffered -= filled
        return out

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += FRAME_SAMPLES
            wait = self._start + self._pts / OPUS_RATE - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        frame = av.AudioFrame.from_ndarray(self._take(FRAME_SAMPLES).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = OPUS_RATE
        frame.pts = self._pts
        frame.time_base = self._time_base
        return frame


async def forward_microphone(track: MediaStreamTrack, session: "RtviSession") -> None:
    """Decoded client audio -> `session.on_audio`, until the track ends."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        session.heard()
        channels = len(frame.layout.channels)
        pcm = frame.to_ndarray()
        if frame.format.is_planar:  # (channels, samples) -> interleaved, as on_audio expects
            pcm = pcm.T
        if pcm.dtype != np.int16:  # the Opus decoder gives packed s16; anything else is converted
            pcm = (np.clip(pcm, -1.0, 1.0) * 32767).astype(np.int16)
        await session.on_audio(pcm.tobytes(), frame.sample_rate, channels)
