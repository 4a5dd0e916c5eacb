"""Audio between a conversation and an RTVI client: the bot's voice out, a rate guard on the mic in."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable, Optional

import numpy as np

from ..audio.io import AudioSink, RealtimeClock
from ..audio.frames import Rechunker
from .limits import TokenBucket

CLIENT_RATE = 24_000
"""The official web client plays everything at 24 kHz mono, whatever the frame says."""
CHUNK_SECS = 0.04
"""40 ms per frame, as the reference server sends: small enough that little piles up in the client."""

SendAudio = Callable[[np.ndarray], Awaitable[None]]


class ClientAudioSink(AudioSink):
    """Sends int16 mono audio to one client as 40 ms frames, paced in real time.

    `clear` (barge-in) drops everything not yet sent at once: the frame being written stops after its
    current chunk, the partial chunk is discarded and the pacing clock restarts, so the next answer
    starts without delay. The client keeps only the ~80 ms lead already sent.
    """

    def __init__(self, send: SendAudio, sample_rate: int = CLIENT_RATE, chunk_secs: float = CHUNK_SECS,
                 on_clear: Optional[Callable[[], None]] = None) -> None:
        self.sample_rate = sample_rate
        self._send = send
        self._on_clear = on_clear
        """Tells the transport to drop what it still holds (a WebRTC track buffers a few frames)."""
        self._chunk = int(sample_rate * chunk_secs)
        self._rechunker = Rechunker(self._chunk)
        self.clock = RealtimeClock()
        self._generation = 0
        self.frames_sent = 0

    async def write(self, samples: np.ndarray) -> None:
        generation = self._generation
        for chunk in self._rechunker.push(samples.astype(np.int16, copy=False)):
            if generation != self._generation:
                return
            await self._send_chunk(chunk)

    async def _send_chunk(self, chunk: np.ndarray) -> None:
        # heard no earlier than the paced clock says (the client's buffer only adds delay)
        self._tap_played(chunk, time.monotonic() + self.clock.ahead())
        await self._send(chunk)
        self.frames_sent += 1
        await self.clock.advance(len(chunk) / self.sample_rate)

    def clear(self) -> None:
        self._generation += 1
        self._rechunker.flush()
        sent_ahead = self.clock.ahead()  # already with the client: it still plays
        self.clock.reset()
        self._tap_cleared(sent_ahead)
        if self._on_clear is not None:
            self._on_clear()

    async def drain(self) -> None:
        rest = self._rechunker.flush()
        if len(rest):
            await self._send_chunk(rest)
        await asyncio.sleep(self.clock.ahead())


class AudioRateGuard:
    """Lets a client's microphone run at up to `speedup` x real time after a `burst_secs` allowance.

    The official client queues audio until the session is ready and then sends the queue at once, so a
    burst is normal; a client that keeps sending faster than real time has the excess dropped, and once
    `abuse_secs` of audio have been dropped, `abusive` tells the connection to close it.
    """

    def __init__(self, burst_secs: float = 5.0, speedup: float = 1.5, abuse_secs: float = 20.0) -> None:
        self._bucket = TokenBucket(burst_secs, speedup)
        self.abuse_secs = abuse_secs
        self.dropped_secs = 0.0

    def admit(self, seconds: float, now: float | None = None) -> bool:
        if self._bucket.take(seconds, now):
            return True
        self.dropped_secs += seconds
        return False

    @property
    def abusive(self) -> bool:
        return self.dropped_secs > self.abuse_secs
