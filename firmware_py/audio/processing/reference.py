"""The far-end reference: what the bot actually played, on the wall clock, for the echo canceller.

Sinks report each piece of audio with the moment its first sample reaches the listener's ears
(`audio.io.PlaybackTap.played`), and report a flush (`PlaybackTap.cleared`) when barge-in drops what was queued.
The canceller then reads, for each microphone block, the audio that was playing when that block was
captured. Sinks write from their own threads (ALSA), so the buffer is locked.
"""

from __future__ import annotations

import threading
import time
import numpy as np

from ..frames import SAMPLE_RATE, StreamResampler


class PlaybackReference:
    """The `PlaybackTap` of a session's sink: a ring of the last `horizon_secs` of played audio at 16 kHz, indexed by absolute sample time.

    Consecutive pieces that arrive within `snap_secs` of where the previous one ended are laid end to end,
    so the scheduling jitter of a sink thread does not tear the reference (the canceller's linear filter
    needs a continuous signal); a larger gap or overlap starts a new run at the reported time.
    """

    def __init__(self, horizon_secs: float = 4.0, snap_secs: float = 0.03) -> None:
        self._size = int(horizon_secs * SAMPLE_RATE)
        self._ring = np.zeros(self._size, np.int16)
        self._written_until = 0          # absolute sample index after the last written sample
        self._run_end: int | None = None  # where the current continuous run ends
        self._snap = int(snap_secs * SAMPLE_RATE)
        self._resamplers: dict[int, StreamResampler] = {}
        self._lock = threading.Lock()
        self.last_played_at = 0.0
        """time.monotonic() at which the last reported audio ends (0: nothing played yet)."""

    @staticmethod
    def index(at_time: float) -> int:
        return int(round(at_time * SAMPLE_RATE))

    def played(self, samples: np.ndarray, sample_rate: int, start_time: float) -> None:
        audio = self._to_internal_rate(samples, sample_rate)
        if not len(audio):
            return
        with self._lock:
            start = self.index(start_time)
            if self._run_end is not None and abs(start - self._run_end) <= self._snap:
                start = self._run_end
            self._zero_gap(start)
            self._put(start, audio)
            self._run_end = start + len(audio)
            self._written_until = max(self._written_until, self._run_end)
            self.last_played_at = max(self.last_played_at, self._run_end / SAMPLE_RATE)

    def cleared(self, at_time: float) -> None:
        with self._lock:
            start = self.index(at_time)
            if start < self._written_until:
                self._put(start, np.zeros(min(self._written_until - start, self._size), np.int16))
                self._written_until = start
            self._run_end = None
            self.last_played_at = min(self.last_played_at, at_time)
            for resampler in self._resamplers.values():
                resampler.process(np.zeros(0, np.int16), last=True)
            self._resamplers.clear()

    def read(self, end_time: float, count: int) -> np.ndarray:
        """The `count` samples heard just before `end_time`; silence where nothing was playing."""
        end = self.index(end_time)
        start = end - count
        out = np.zeros(count, np.int16)
        with self._lock:
            oldest = self._written_until - self._size
            lo, hi = max(start, oldest), min(end, self._written_until)
            if hi > lo:
                out[lo - start:hi - start] = self._take(lo, hi - lo)
        return out

    def active(self, now: float | None = None, hangover_secs: float = 0.5) -> bool:
        """Whether the bot's audio is being heard now or was until `hangover_secs` ago (room reverb)."""
        now = time.monotonic() if now is None else now
        return self.last_played_at + hangover_secs > now

    # --- ring arithmetic ---------------------------------------------------------------------------

    def _to_internal_rate(self, samples: np.ndarray, rate: int) -> np.ndarray:
        samples = samples.astype(np.int16, copy=False)
        if rate == SAMPLE_RATE:
            return samples
        resampler = self._resamplers.get(rate)
        if resampler is None:
            resampler = self._resamplers[rate] = StreamResampler(rate, SAMPLE_RATE)
        return np.asarray(resampler.process(samples), dtype=np.int16)

    def _zero_gap(self, start: int) -> None:
        if start > self._written_until and self._written_until:
            gap = min(start - self._written_until, self._size)
            self._put(start - gap, np.zeros(gap, np.int16))

    def _put(self, start: int, audio: np.ndarray) -> None:
        if len(audio) > self._size:  # only the newest horizon fits
            start, audio = start + len(audio) - self._size, audio[-self._size:]
        positions = (start + np.arange(len(audio))) % self._size
        self._ring[positions] = audio

    def _take(self, start: int, count: int) -> np.ndarray:
        return self._ring[(start + np.arange(count)) % self._size]
