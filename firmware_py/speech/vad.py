"""Voice activity detection: Silero VAD v6 (ONNX) and the start/stop tracker that applies VadSettings.

The model scores 512-sample windows (32 ms at 16 kHz), each preceded by the last 64 samples of the
previous window as context, and carries a recurrent state tensor between windows. One model is shared;
each session owns a `VadStream` (state, context, leftover samples) and a `VadTracker` (speaking or not).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Literal

import numpy as np

from ..audio.frames import SAMPLE_RATE, AudioFrame, StreamResampler
from ..config import VadSettings
from .onnx import open_session, require_inputs

log = logging.getLogger(__name__)

WINDOW = 512
CONTEXT = 64
STATE_SHAPE = (2, 1, 128)


class SileroVad:
    """The shared Silero VAD model; a single window costs about 0.1 ms, so it runs on the caller's thread."""

    def __init__(self, model_path: Path, threads: int = 1) -> None:
        self.model_path = Path(model_path)
        self.session = open_session(self.model_path, threads)
        require_inputs(self.session, self.model_path, ["input", "state", "sr"])
        self._rate = np.array(SAMPLE_RATE, dtype=np.int64)
        self.last_secs = 0.0

    def new_stream(self) -> "VadStream":
        return VadStream(self)

    def score(self, window: np.ndarray, state: np.ndarray) -> tuple[float, np.ndarray]:
        """Speech probability of one context+window (float32, 576 samples) and the next state."""
        output, next_state = self.session.run(None, {"input": window[None, :], "state": state, "sr": self._rate})
        return float(output[0, 0]), next_state


class VadStream:
    """Per-session model state: feeds any number of samples, scores every complete window."""

    def __init__(self, model: SileroVad) -> None:
        self.model = model
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros(STATE_SHAPE, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)
        self.last_probability = 0.0

    def probability(self, samples: np.ndarray) -> float:
        """Probability of the latest complete window after adding `samples` (int16, 16 kHz, any length)."""
        data = _as_float(samples)
        if len(self._pending):
            data = np.concatenate([self._pending, data])
        count = len(data) // WINDOW
        for index in range(count):
            window = data[index * WINDOW:(index + 1) * WINDOW]
            self.last_probability, self._state = self.model.score(np.concatenate([self._context, window]), self._state)
            self._context = window[-CONTEXT:]
        self._pending = data[count * WINDOW:]
        return self.last_probability


def _as_float(samples: np.ndarray) -> np.ndarray:
    """int16 (or float already in [-1, 1]) as finite float32."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return np.nan_to_num(np.asarray(samples, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class VadEvent:
    kind: Literal["start", "stop"]
    at_sample: int
    """Index (in 16 kHz samples since the tracker started) where the speech began or the silence began."""


START_GAP_SECS = 0.08
"""The longest dip below the bar that speech which has begun may hold and still count towards its start
(`start_secs` counts only the speech): Silero dips for a window or two inside a short word."""


class _Phase(Enum):
    QUIET = "quiet"
    STARTING = "starting"
    SPEAKING = "speaking"
    STOPPING = "stopping"


class VadTracker:
    """Turns per-frame probabilities into start/stop events with hysteresis (start_secs, stop_secs).

    A frame counts as speech when the model's probability reaches `confidence` and its RMS level reaches
    `min_volume`. Speech must last `start_secs` to start a turn (a cough does not; a dip of up to
    `START_GAP_SECS` inside it is bridged, not counted), and silence must last `stop_secs` to stop it (a breath
    does not). `settings` may be replaced while running.
    """

    def __init__(self, stream: VadStream, settings: VadSettings) -> None:
        self.stream = stream
        self.settings = settings
        self._resamplers: dict[int, StreamResampler] = {}
        self.reset()

    def reset(self) -> None:
        self.stream.reset()
        self.speaking = False
        self.last_probability = 0.0
        self.samples_seen = 0
        self._phase = _Phase.QUIET
        self._run_start = 0      # where the current speech (or silence) run began
        self._run_samples = 0    # how long it has lasted
        self._start_gap = 0      # samples below the bar since the starting speech was last heard
        self._last_is_speech = False

    def process(self, frame: AudioFrame) -> VadEvent | None:
        samples = self._to_internal_rate(frame)
        if not len(samples):
            return None
        self.last_probability = self.stream.probability(samples)
        is_speech = (self.last_probability >= self.settings.confidence
                     and AudioFrame(samples).rms() >= self.settings.min_volume)
        position = self.samples_seen
        self.samples_seen += len(samples)
        self._last_is_speech = is_speech
        return self._advance(is_speech, position, len(samples))

    def _to_internal_rate(self, frame: AudioFrame) -> np.ndarray:
        if frame.sample_rate == SAMPLE_RATE:
            return frame.samples
        resampler = self._resamplers.get(frame.sample_rate)
        if resampler is None:
            resampler = self._resamplers[frame.sample_rate] = StreamResampler(frame.sample_rate, SAMPLE_RATE)
        return resampler.process(frame.samples.astype(np.int16, copy=False))

    def _advance(self, is_speech: bool, position: int, length: int) -> VadEvent | None:
        phase = self._phase
        if phase is _Phase.QUIET and is_speech:
            self._begin_run(_Phase.STARTING, position)
        elif phase is _Phase.STARTING and not is_speech:
            # a dip of a window or two inside a word ("down": 160 ms, a dip, 180 ms) does not undo its start
            self._start_gap += length
            if self._start_gap > START_GAP_SECS * SAMPLE_RATE:
                self._phase = _Phase.QUIET
            return None
        elif phase is _Phase.SPEAKING and not is_speech:
            self._begin_run(_Phase.STOPPING, position)
        elif phase is _Phase.STOPPING and is_speech:
            self._phase = _Phase.SPEAKING
            return None
        elif phase is _Phase.QUIET or phase is _Phase.SPEAKING:
            return None
        elif phase is _Phase.STARTING:
            self._start_gap = 0
        self._run_samples += length
        return self._maybe_switch()

    @property
    def starting(self) -> bool:
        """Speech is being heard that has not yet lasted `start_secs`: it may be the start of words."""
        return self._phase is _Phase.STARTING

    @property
    def starting_secs(self) -> float:
        """How much speech has counted towards a start so far (0 unless `starting`)."""
        return self._run_samples / SAMPLE_RATE if self._phase is _Phase.STARTING else 0.0

    @property
    def starting_from(self) -> int:
        """Where the speech being counted towards a start began (a position in samples seen)."""
        return self._run_start

    @property
    def heard_speech(self) -> bool:
        """The last frame counted as speech."""
        return self._last_is_speech

    def _begin_run(self, phase: _Phase, position: int) -> None:
        self._phase, self._run_start, self._run_samples, self._start_gap = phase, position, 0, 0

    def _maybe_switch(self) -> VadEvent | None:
        run_secs = self._run_samples / SAMPLE_RATE
        if self._phase is _Phase.STARTING and run_secs >= self.settings.start_secs:
            self._phase, self.speaking = _Phase.SPEAKING, True
            log.debug("speech started", extra={"at_sample": self._run_start})
            return VadEvent("start", self._run_start)
        if self._phase is _Phase.STOPPING and run_secs >= self.settings.stop_secs:
            self._phase, self.speaking = _Phase.QUIET, False
            log.debug("speech stopped", extra={"at_sample": self._run_start})
            return VadEvent("stop", self._run_start)
        return None
