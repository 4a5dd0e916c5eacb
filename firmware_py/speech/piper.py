"""A Piper voice (VITS, ONNX) as the alternative TTS engine, phonemized by the espeak-ng program.

Piper voices are trained on espeak-ng IPA: the voice's .onnx.json maps each IPA symbol to ids, and the
model reads `^ _ p1 _ p2 _ ... $` (start, a pad after every symbol, end). espeak-ng is run as a program
(argument list, text on stdin, no shell); `--ipa` without ties gives the symbol-per-character IPA Piper
was trained on. espeak-ng drops punctuation, so each clause's punctuation is put back after its phonemes,
which is what gives Piper its pauses and question intonation.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np

from ..config import ConfigError
from ..models import ModelError
from .onnx import REINSTALL_HINT, open_session, require_inputs, timed
from .text import normalize_for_speech, split_sentences

log = logging.getLogger(__name__)

PIPER_VOICES = {"joe": "piper/en_US-joe-medium.onnx"}
DEFAULT_VOICE = "joe"
ESPEAK_TIMEOUT_SECS = 10.0
_CLAUSE_PUNCTUATION = re.compile(r"[,;:.!?]+(?=\s|$)")


def piper_voice_path(voice: str, models_root: Path) -> Path:
    """The voice's model file; the hibari default voice name ("heart") means the default Piper voice."""
    name = DEFAULT_VOICE if voice in ("", "heart") else voice
    if name not in PIPER_VOICES:
        raise ConfigError(f"tts.voice = {voice!r}: installed Piper voices are {', '.join(map(repr, PIPER_VOICES))}")
    return Path(models_root) / PIPER_VOICES[name]


class EspeakPhonemizer:
    """Sentence -> Piper-ready IPA (stress marks kept, punctuation restored per clause)."""

    def __init__(self, voice: str = "en-us") -> None:
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise ConfigError("tts.engine = 'piper' needs the espeak-ng program for phonemes; "
                              "install it (apt install espeak-ng) or use tts.engine = 'hibari'")
        self.command = [binary, "-q", "--ipa", "-v", voice, "--stdin"]

    def phonemize(self, sentence: str) -> str:
        result = subprocess.run(self.command, input=sentence, capture_output=True, text=True,
                                timeout=ESPEAK_TIMEOUT_SECS, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"espeak-ng failed ({result.returncode}): {result.stderr.strip()[:200]}")
        clauses = [line.strip() for line in result.stdout.splitlines() if line.strip()]
        marks = [m.group(0)[-1] for m in _CLAUSE_PUNCTUATION.finditer(sentence)]
        if len(marks) < len(clauses):  # the last clause had no punctuation of its own
            marks.append("")
        if len(marks) != len(clauses):  # espeak split differently: keep only the sentence's own ending
            return " ".join(clauses) + (marks[-1] if marks else "")
        return " ".join(clause + mark for clause, mark in zip(clauses, marks))


class PiperTts:
    """One Piper voice: espeak-ng IPA -> ids -> onnxruntime -> float32 audio at the voice's rate."""

    def __init__(self, model_path: Path, speed: float = 1.0, threads: int = 1, warm: bool = True) -> None:
        self.model_path = Path(model_path)
        config_path = self.model_path.with_name(self.model_path.name + ".json")
        self.config = _read_voice_config(config_path)
        self.session = open_session(self.model_path, threads)
        require_inputs(self.session, self.model_path, ["input", "input_lengths", "scales"])
        self.phonemizer = EspeakPhonemizer(self.config.get("espeak", {}).get("voice", "en-us"))
        self.id_map: dict[str, list[int]] = self.config["phoneme_id_map"]
        inference = self.config.get("inference", {})
        self.noise_scale = float(inference.get("noise_scale", 0.667))
        self.length_scale = float(inference.get("length_scale", 1.0))
        self.noise_w = float(inference.get("noise_w", 0.8))
        self.sample_rate: int = int(self.config["audio"]["sample_rate"])
        self.speed = speed
        self.last_secs = 0.0
        self._lock = threading.Lock()
        if warm:
            self.synthesize("Hello there.")  # first onnxruntime run allocates; pay it now

    def sentences(self, text: str) -> list[str]:
        return split_sentences(text)

    def ids(self, phonemes: str) -> list[int]:
        """`^ _ p1 _ p2 ... _ $`: Piper's framing, unknown symbols skipped."""
        pad = self.id_map["_"]
        ids = list(self.id_map["^"]) + list(pad)
        for symbol in phonemes:
            if symbol in self.id_map:
                ids += self.id_map[symbol] + pad
        return ids + list(self.id_map["$"])

    def synthesize(self, text: str) -> np.ndarray:
        """float32 mono at `sample_rate`; empty for text with nothing to say."""
        parts = []
        with self._lock, timed(self):
            for sentence in split_sentences(normalize_for_speech(text)):
                ids = self.ids(self.phonemizer.phonemize(sentence))
                if len(ids) > 4:
                    parts.append(self._run(ids))
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        log.debug("synthesized", extra={"chars": len(text), "audio_secs": round(len(audio) / self.sample_rate, 2),
                                        "secs": round(self.last_secs, 4)})
        return audio

    def _run(self, ids: list[int]) -> np.ndarray:
        scales = np.array([self.noise_scale, self.length_scale / max(self.speed, 0.1), self.noise_w], np.float32)
        (audio,) = self.session.run(None, {"input": np.array([ids], np.int64),
                                           "input_lengths": np.array([len(ids)], np.int64), "scales": scales})
        return np.clip(audio.reshape(-1), -1.0, 1.0).astype(np.float32)


def _read_voice_config(path: Path) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
        for key in ("^", "_", "$"):
            config["phoneme_id_map"][key]
        int(config["audio"]["sample_rate"])
    except FileNotFoundError:
        raise ModelError(f"voice config {path} is missing; fix: {REINSTALL_HINT} piper") from None
    except (ValueError, KeyError, TypeError) as err:
        raise ModelError(f"voice config {path} is not a Piper voice config ({err}); "
                         f"fix: {REINSTALL_HINT} piper") from err
    return config
