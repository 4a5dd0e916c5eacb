"""End-of-turn detection: Smart Turn v3.2, a Whisper-tiny encoder with a classifier over the last 8 s.

VAD says the user went quiet; Smart Turn says whether what they said sounds finished ("what's the
weather today?") or not ("I would like to ..."), from intonation and wording together.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from ..models import ModelError
from .onnx import open_session, require_inputs, timed
from .whisper_mel import RATE, fit_to_window, log_mel

log = logging.getLogger(__name__)

WINDOW_SECS = 8
INPUT = "input_features"


class SmartTurn:
    """Shared model; calls are serialised (one at a time keeps a 2-core device responsive)."""

    def __init__(self, model_path: Path, threads: int = 1) -> None:
        self.model_path = Path(model_path)
        self.session = open_session(self.model_path, threads)
        require_inputs(self.session, self.model_path, [INPUT])
        frames = self.session.get_inputs()[0].shape[2]
        if frames != WINDOW_SECS * RATE // 160:
            raise ModelError(f"model file {self.model_path} expects {frames} feature frames, not the 8 s "
                             f"this engine provides; reinstall it with `rtvi-edge models install turn`")
        self._lock = threading.Lock()
        self.last_secs = 0.0

    def completion_probability(self, audio: np.ndarray) -> float:
        """Probability (0-1) that the turn in `audio` (float32 16 kHz mono, the turn so far) is complete."""
        audio = np.nan_to_num(np.asarray(audio, dtype=np.float32).ravel(), nan=0.0, posinf=0.0, neginf=0.0)
        if not len(audio) or not np.any(audio):
            return 0.0  # nothing said: nothing to complete
        features = log_mel(fit_to_window(audio, WINDOW_SECS * RATE))[None]
        with self._lock, timed(self):
            (output,) = self.session.run(None, {INPUT: features})
        probability = float(np.clip(output.reshape(-1)[0], 0.0, 1.0))
        log.debug("turn scored", extra={"probability": round(probability, 3), "secs": round(self.last_secs, 4)})
        return probability
