"""A microphone source with the processing stage applied: what the listener hears instead of the raw mic."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

from ..frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame, Rechunker
from ..io import AudioSource, QueueSource
from .base import AudioProcessor

log = logging.getLogger(__name__)


class CaptureClock:
    """When each microphone sample was captured, from the sample count and the frames' arrival times.

    A microphone delivers samples at a steady rate, but frames reach the event loop with jitter and in
    bursts (a loaded loop, a network client). Arrival is never earlier than capture, so the clock follows
    the earliest arrivals (capture plus the shortest transport): the stamp stays at or after the true
    capture time, which keeps the reference ahead of its echo, as the canceller needs. The anchor creeps
    up by `creep` (a fraction of elapsed audio) to follow a microphone clock slower than the system's;
    a long stall (dropped or missing audio) re-anchors it.
    """

    def __init__(self, max_lag_secs: float = 0.3, creep: float = 2e-4) -> None:
        self._max_lag, self._creep = max_lag_secs, creep
        self._anchor: float | None = None
        self._samples = 0

    def stamp(self, count: int, arrived_at: float) -> float:
        """Capture time of the last of `count` new samples that arrived at `arrived_at`."""
        self._samples += count
        nominal = self._samples / SAMPLE_RATE
        if self._anchor is None or arrived_at - (self._anchor + nominal) > self._max_lag:
            self._anchor = arrived_at - nominal
        self._anchor = min(self._anchor + self._creep * count / SAMPLE_RATE, arrived_at - nominal)
        return self._anchor + nominal


class ProcessedSource(AudioSource):
    """Wraps a source; every frame goes through `processor` before anyone sees it.

    A processor failing on a frame is logged and that frame passes unprocessed: the user's turn
    is never lost to the processing stage. `push` feeds a wrapped `QueueSource` (RTVI clients).
    """

    def __init__(self, inner: AudioSource, processor: AudioProcessor) -> None:
        self.inner = inner
        self.processor = processor
        self.clock = CaptureClock()
        self._rechunker = Rechunker(FRAME_SAMPLES)
        self._failures = 0

    def push(self, frame: AudioFrame) -> None:
        if isinstance(self.inner, QueueSource):
            self.inner.push(frame)

    async def frames(self) -> AsyncIterator[AudioFrame]:
        async for frame in self.inner.frames():
            arrived = time.monotonic()
            for chunk in self._rechunker.push(frame.samples):
                yield self._process(AudioFrame(chunk), self.clock.stamp(len(chunk), arrived))

    def _process(self, frame: AudioFrame, capture_time: float) -> AudioFrame:
        try:
            return self.processor.process(frame, capture_time)
        except Exception as err:  # one bad block must not silence the microphone
            self._failures += 1
            if self._failures in (1, 100, 10_000):
                log.warning("audio processing failed; frame passed unprocessed",
                            extra={"error": str(err), "failures": self._failures})
            return frame

    async def close(self) -> None:
        await self.inner.close()
