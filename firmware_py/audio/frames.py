"""The one internal audio format (16 kHz mono int16), conversions, and resampling at the edges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import soxr

SAMPLE_RATE = 16_000
"""Internal capture rate: every source delivers this, every speech engine consumes it."""
FRAME_SAMPLES = 320
"""20 ms at 16 kHz: the unit sources deliver."""


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """Mono int16 samples at `sample_rate`.

    `for_recognition`, when a processing stage sets it, is the same stretch of audio processed for speech
    recognition rather than for detection (echo removed without suppressing the user's voice); the
    listener hands it to STT and turn detection, and `samples` to the VAD and wake word.
    """

    samples: np.ndarray
    sample_rate: int = SAMPLE_RATE
    for_recognition: np.ndarray | None = None

    @property
    def recognition_samples(self) -> np.ndarray:
        return self.samples if self.for_recognition is None else self.for_recognition

    @classmethod
    def from_pcm(cls, pcm: bytes, sample_rate: int = SAMPLE_RATE) -> "AudioFrame":
        usable = len(pcm) - len(pcm) % 2  # an odd trailing byte cannot be a sample
        return cls(np.frombuffer(pcm[:usable], dtype="<i2").astype(np.int16, copy=False), sample_rate)

    @property
    def pcm(self) -> bytes:
        return self.samples.astype("<i2", copy=False).tobytes()

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def rms(self) -> float:
        """Level from 0 (silence) to 1 (full scale)."""
        if not len(self.samples):
            return 0.0
        return float(np.sqrt(np.mean(np.square(self.samples.astype(np.float32)))) / 32768.0)


def to_float(samples: np.ndarray) -> np.ndarray:
    return samples.astype(np.float32) / 32768.0


def to_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)


def downmix(interleaved: np.ndarray, channels: int, channel: int | None = None) -> np.ndarray:
    """Mono from interleaved int16: one `channel`, or the average of all when None."""
    if channels == 1:
        return interleaved
    frames = interleaved.reshape(-1, channels)
    if channel is not None:
        return np.ascontiguousarray(frames[:, channel])
    return frames.mean(axis=1).astype(np.int16)


def resample(samples: np.ndarray, in_rate: int, out_rate: int) -> np.ndarray:
    """One-shot resampling of a whole clip (int16 or float32 in, same dtype out)."""
    if in_rate == out_rate or not len(samples):
        return samples
    import soxr  # here: a device whose rates all match (a satellite listening) never loads it

    return soxr.resample(samples, in_rate, out_rate, quality="HQ")


class StreamResampler:
    """Resamples a stream chunk by chunk without clicks at chunk edges (keeps filter state)."""

    def __init__(self, in_rate: int, out_rate: int, dtype: str = "int16") -> None:
        self.in_rate, self.out_rate = in_rate, out_rate
        self._stream: soxr.ResampleStream | None = None
        if in_rate != out_rate:
            import soxr

            self._stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype=dtype, quality="HQ")

    def process(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=last)


class Rechunker:
    """Cuts a stream of arbitrarily sized sample arrays into fixed-size frames."""

    def __init__(self, size: int = FRAME_SAMPLES, dtype: type = np.int16) -> None:
        self.size = size
        self._pending = np.zeros(0, dtype=dtype)

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        data = np.concatenate([self._pending, samples]) if len(self._pending) else samples
        count = len(data) // self.size
        frames = [data[i * self.size:(i + 1) * self.size] for i in range(count)]
        self._pending = data[count * self.size:]
        return frames

    def flush(self) -> np.ndarray:
        rest, self._pending = self._pending, self._pending[:0]
        return rest
