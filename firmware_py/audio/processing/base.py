"""The processing seam on the microphone path: frames in, frames out, one processor after another."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from ..frames import AudioFrame

BLOCK_SAMPLES = 160
"""10 ms at 16 kHz: the block WebRTC's processing works on."""


class AudioProcessor(ABC):
    """Transforms 16 kHz mono int16 frames of the microphone stream, in order.

    `capture_time` is when the frame's last sample was captured (time.monotonic), so a processor that
    needs the bot's playback (the echo canceller) can look up what was being played then.
    """

    @abstractmethod
    def process(self, frame: AudioFrame, capture_time: float) -> AudioFrame: ...

    def reset(self) -> None:
        """Forget adaptive state (after a gap in the stream)."""


class ProcessingChain(AudioProcessor):
    """Processors applied in order; an empty chain passes frames through untouched."""

    def __init__(self, processors: Sequence[AudioProcessor] = ()) -> None:
        self.processors = list(processors)

    def process(self, frame: AudioFrame, capture_time: float) -> AudioFrame:
        for processor in self.processors:
            frame = processor.process(frame, capture_time)
        return frame

    def reset(self) -> None:
        for processor in self.processors:
            processor.reset()


def blocks(samples: np.ndarray, size: int = BLOCK_SAMPLES) -> list[np.ndarray]:
    """Whole blocks of `size` samples (callers keep frames a multiple of it)."""
    return [samples[i:i + size] for i in range(0, len(samples) - size + 1, size)]
