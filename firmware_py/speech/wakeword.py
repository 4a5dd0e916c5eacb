"""Wake word: openWakeWord's three ONNX stages, run in 80 ms steps.

melspectrogram.onnx turns each 1280-sample step (plus 480 samples of history) into 8 mel frames,
scaled x/10 + 2 as openWakeWord does; embedding_model.onnx turns the last 76 mel frames into one
96-value embedding; the phrase model scores the last 16 embeddings (about 1.3 s of audio). The three
models are shared; each session's `WakeWordStream` holds its own buffers and refractory clock.

While the room is at its floor (wake_gate.py) a stream computes only the mel frames; when sound returns
it embeds the skipped steps from the kept mel frames, so every score it computes is the ungated one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ..audio.frames import SAMPLE_RATE
from ..config import ConfigError
from ..models import REINSTALL_HINT, ModelError
from .wake_runtime import ONNX, SUFFIX, WakeModel, open_model, pick_runtime
from .wake_gate import FRAMES_PER_STEP, QuietGate, hold_steps

log = logging.getLogger(__name__)

STEP = 1280            # 80 ms: one embedding per step
HISTORY = 480          # samples the mel model needs before a step to produce its 8 frames
MEL_FRAMES = 76        # mel frames per embedding
MEL_BINS = 32
EMBEDDINGS = 16        # embeddings per phrase score
WARM_STEPS = 5         # openWakeWord ignores the first scores while its buffers fill with real audio
KEPT_MEL = MEL_FRAMES + FRAMES_PER_STEP * (EMBEDDINGS - 1)  # the mel frames of a whole classifier window (196)


class WakeWordEngine:
    """The shared models for one wake phrase (e.g. "hey_jarvis"), on onnxruntime, or on LiteRT when
    `prefer_litert` and it is installed (wake_runtime.py)."""

    def __init__(self, model_dir: Path, phrase: str, threads: int = 1, prefer_litert: bool = False) -> None:
        self.model_dir = Path(model_dir)
        self.phrase = phrase
        self.runtime = pick_runtime(self.model_dir, prefer_litert)
        suffix, options = SUFFIX[self.runtime], (session_options(threads) if self.runtime == ONNX else None)
        self.mel = open_model(self.model_dir / f"melspectrogram{suffix}", self.runtime, options, "input")
        self.embedding = open_model(self.model_dir / f"embedding_model{suffix}", self.runtime, options, "input_1")
        phrase_path = phrase_model_path(self.model_dir, phrase, suffix)
        self.classifier: WakeModel = open_model(phrase_path, self.runtime, options)
        shape = self.classifier.input_shape
        if list(shape[1:]) != [EMBEDDINGS, 96]:
            raise ModelError(f"model file {phrase_path} takes {shape}, not 16 embeddings; fix: {REINSTALL_HINT} wakeword")
        self.initial_features = self._background_features()
        self.last_secs = 0.0

    def new_stream(self, threshold: float, refractory_secs: float, gated: bool = True) -> "WakeWordStream":
        return WakeWordStream(self, threshold, refractory_secs, gated)

    def mel_frames(self, samples: np.ndarray) -> np.ndarray:
        """(n, 32) scaled mel frames of int16-valued float samples (8 frames per 1280 new samples)."""
        output = self.mel(samples.astype(np.float32)[None, :])
        return output.reshape(-1, MEL_BINS) / 10.0 + 2.0

    def embed(self, mel_window: np.ndarray) -> np.ndarray:
        """One 96-value embedding of 76 mel frames."""
        return self.embedding(mel_window.astype(np.float32)[None, :, :, None]).reshape(96)

    def embed_steps(self, mel: np.ndarray, count: int) -> np.ndarray:
        """(count, 96): the embeddings of the last `count` steps, from their mel frames (`mel` ends with the
        newest step's 8 frames). One at a time: a batched run rounds differently."""
        ends = [len(mel) - FRAMES_PER_STEP * back for back in range(count - 1, -1, -1)]
        return np.stack([self.embed(mel[end - MEL_FRAMES:end]) for end in ends])

    def score(self, features: np.ndarray) -> float:
        return float(self.classifier(features.astype(np.float32)[None]).reshape(-1)[0])

    def _background_features(self) -> np.ndarray:
        """Embeddings of low noise, the starting context openWakeWord gives every stream (fixed seed)."""
        mel = self.mel_frames(low_noise(4 * SAMPLE_RATE))
        windows = [mel[i:i + MEL_FRAMES] for i in range(0, len(mel) - MEL_FRAMES + 1, 8)]
        return np.stack([self.embed(w) for w in windows])[-EMBEDDINGS:]


def low_noise(count: int) -> np.ndarray:
    """`count` fixed pseudo-random values in [-1000, 1000) as float32 (splitmix64 of 1..count).

    Not numpy.random: importing it costs a satellite on LiteRT ~2.5 MB resident for this one start-up call."""
    z = np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)   # uint64 wraps, as meant
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return ((z % np.uint64(2000)).astype(np.int64) - 1000).astype(np.float32)


def session_options(threads: int = 1) -> Any:
    """One SessionOptions for the three small models.

    Measured (docs/benchmarks.md, satellites): the CPU arena off keeps no pool sized by the start-up's
    4 s background run (with the heap freed by loading handed back, a listening satellite keeps ~1.5 MB
    less) at the same 1.5 ms per step and the same scores; the memory-pattern planner off; one thread
    that never spins waiting for work.
    """
    from .onnx import session_options as common_options

    return common_options(threads, arena=False, spin=False)


def phrase_model_path(model_dir: Path, phrase: str, suffix: str = ".onnx") -> Path:
    """`<phrase>_v<version><suffix>` in the wake word directory (the newest version when several)."""
    candidates = sorted(Path(model_dir).glob(f"{phrase}_v*{suffix}"))
    if not candidates:
        available = sorted(p.name.split("_v")[0] for p in Path(model_dir).glob(f"*_v*{suffix}"))
        if available:
            raise ConfigError(f"wakeword.phrase = {phrase!r}: installed phrases are {', '.join(available)}")
        raise ModelError(f"no wake word models in {model_dir}; fix: {REINSTALL_HINT} wakeword")
    return candidates[-1]


class WakeWordStream:
    """Per-session detector: feed int16 16 kHz audio of any length, get a score when the phrase fires.

    After a detection, further ones are ignored for `refractory_secs` (the phrase lasts several steps).
    `threshold` and `refractory_secs` may be changed while running.
    """

    def __init__(self, engine: WakeWordEngine, threshold: float, refractory_secs: float, gated: bool = True) -> None:
        self.engine = engine
        self.threshold = threshold
        self.refractory_secs = refractory_secs
        self.gated = gated
        self.reset()

    def reset(self) -> None:
        self._pending = np.zeros(0, np.float32)
        self._history = np.zeros(HISTORY, np.float32)
        self._mel = np.ones((KEPT_MEL, MEL_BINS), np.float32)
        self._features = self.engine.initial_features.copy()
        self._gate = QuietGate(hold_steps(MEL_FRAMES, EMBEDDINGS))
        self._behind = 0   # steps whose embedding the gate skipped since the last one computed
        self.skipped_steps = 0
        """Steps not scored: every step their score reads was at the room's floor (wake_gate.py)."""
        self._steps = 0
        self._quiet_until_step = 0
        self.last_score = 0.0
        self.max_score = 0.0
        """Highest score since the last reset (for diagnostics and tuning the threshold)."""

    def process(self, samples: np.ndarray) -> float | None:
        """Score of a detection that fired inside `samples`, else None."""
        data = np.asarray(samples).astype(np.float32).ravel()  # int16 values, unscaled, as the mel model wants
        if len(self._pending):
            data = np.concatenate([self._pending, data])
        fired: float | None = None
        count = len(data) // STEP
        for index in range(count):
            score = self._step(data[index * STEP:(index + 1) * STEP])
            if score is not None and fired is None:
                fired = score
        self._pending = data[count * STEP:]
        return fired

    def _step(self, chunk: np.ndarray) -> float | None:
        mel = self.engine.mel_frames(np.concatenate([self._history, chunk]))
        self._history = chunk[-HISTORY:]
        self._mel = np.concatenate([self._mel, mel])[-KEPT_MEL:]
        self._steps += 1
        if self.gated and not self._gate.open_for(mel):
            self._behind = min(self._behind + 1, EMBEDDINGS - 1)
            self.skipped_steps += 1
            self.last_score = 0.0
            return None
        count = self._behind + 1
        self._behind = 0
        self._features = np.concatenate([self._features[count:], self.engine.embed_steps(self._mel, count)])
        score = self.engine.score(self._features) if self._steps > WARM_STEPS else 0.0
        self.last_score = score
        self.max_score = max(self.max_score, score)
        if score < self.threshold or self._steps < self._quiet_until_step:
            return None
        self._quiet_until_step = self._steps + int(np.ceil(self.refractory_secs * SAMPLE_RATE / STEP))
        log.info("wake word", extra={"phrase": self.engine.phrase, "score": round(score, 3)})
        return score
