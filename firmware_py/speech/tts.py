"""Text to speech behind one small interface: hibari (default, 24 kHz) or a Piper voice (22.05 kHz).

The conversation splits an answer with `sentences()` and synthesizes one sentence at a time, so the
first sentence plays while the next is made. Engines are shared by every session; calls are serialised.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..config import ConfigError, TtsSettings
from ..heap import release_freed_heap
from ..models import ModelError
from ..sentences import CLAUSE_END, packed
from .onnx import REINSTALL_HINT, open_session, timed
from .text import normalize_for_speech, split_sentences

log = logging.getLogger(__name__)

HIBARI_VOICES = ("heart",)
"""Voices whose model is installed offline (others would be downloaded by the hibari package: never)."""
WARM_UP_TEXT = "Hello there."
MAX_PIECE_PHONEMES = 100
"""Longest phoneme string the voice synthesizes at once (~6 s of speech). Its working memory grows with the
piece: +11 MB for 2.3 s, +65 MB for an 11 s sentence (184 phonemes); hibari itself splits only above 400
phonemes (~24 s, ~140 MB). A long answer sentence is made in pieces cut at its commas, else between words."""


class TtsEngine(Protocol):
    sample_rate: int
    last_secs: float

    def sentences(self, text: str) -> list[str]: ...

    def synthesize(self, text: str) -> np.ndarray: ...


def create_tts(settings: TtsSettings, models_root: Path, warm: bool = True) -> TtsEngine:
    """The configured voice, loaded and (with `warm`) warmed by a first sentence; ConfigError for a voice that
    is not offline, ModelError for missing model files. The daemon passes warm=False: its engines' warm-up
    speaks a longer sentence anyway."""
    if settings.engine == "piper":
        from .piper import PiperTts, piper_voice_path

        return PiperTts(piper_voice_path(settings.voice, Path(models_root)), settings.speed, settings.threads, warm)
    if settings.voice not in HIBARI_VOICES:
        raise ConfigError(f"tts.voice = {settings.voice!r}: hibari has only {', '.join(map(repr, HIBARI_VOICES))} "
                          "installed offline (other hibari voices would need a download, which this device never "
                          "does); use tts.voice = 'heart', or tts.engine = 'piper' with voice 'joe'")
    return HibariTts(Path(models_root) / "tts" / "hibari.onnx", settings.speed, settings.threads, warm)


class HibariTts:
    """hibari: G2P from the installed package (its big tables packed and memory-mapped, see g2p_tables), the
    acoustic model from our models directory."""

    def __init__(self, model_path: Path, speed: float = 1.0, threads: int = 1, warm: bool = True) -> None:
        if not Path(model_path).is_file():
            raise ModelError(f"model file {model_path} is missing; fix: {REINSTALL_HINT} tts")
        try:
            # our session options: without the arena the voice holds 30-40 MB less at the same speed
            self._model = _hibari_on(open_session(Path(model_path), threads, arena=False), Path(model_path),
                                     packed_voice_tables("heart", Path(model_path).parent))
        except Exception as err:  # onnxruntime raises several types for corrupt files
            raise ModelError(f"model file {model_path} cannot be loaded ({err}); fix: {REINSTALL_HINT} tts") from err
        self.sample_rate: int = int(self._model.sample_rate)
        self.speed = speed
        self.last_secs = 0.0
        self._rng = np.random.default_rng(0)  # fixed noise seed: the same text always sounds the same
        self._lock = threading.Lock()
        if warm:
            self.synthesize(WARM_UP_TEXT)  # loads the G2P tables and the OOV model now, not on the first answer

    def sentences(self, text: str) -> list[str]:
        return split_sentences(text)

    def synthesize(self, text: str) -> np.ndarray:
        """float32 mono at `sample_rate`; empty for text with nothing to say."""
        spoken = normalize_for_speech(text)
        if not any(ch.isalnum() for ch in spoken):
            spoken = ""  # punctuation alone would come out as a breath of silence
        with self._lock, timed(self):
            pieces = bounded_pieces(self._model.phonemize(spoken), MAX_PIECE_PHONEMES) if spoken else []
            parts = [self._model.from_ids(self._model.ids(phonemes), self.speed, self._rng) for phonemes in pieces]
            # the voice's working memory came from malloc (no arena): hand it back, or the heap keeps each
            # sentence's largest (~40 MB more after a few long answers; ~5 ms per sentence to take it again)
            release_freed_heap()
        audio = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
        log.debug("synthesized", extra={"chars": len(text), "audio_secs": round(len(audio) / self.sample_rate, 2),
                                        "secs": round(self.last_secs, 4)})
        return np.clip(audio, -1.0, 1.0)


def bounded_pieces(chunks: list[str], limit: int) -> list[str]:
    """`chunks` (phoneme strings) with every one longer than `limit` cut into pieces of at most `limit`:
    at clause punctuation where it can be, between words where a clause alone is longer."""
    pieces: list[str] = []
    for chunk in chunks:
        if len(chunk) <= limit:
            pieces.append(chunk)
            continue
        for clause in packed(CLAUSE_END.split(chunk), limit):
            pieces.extend(packed(clause.split(" "), limit) if len(clause) > limit else [clause])
    return pieces


def _hibari_on(session: Any, model_path: Path, g2p: Any) -> Any:
    """hibari's synthesizer on a session we opened: its own constructor would open the model a second time
    (with onnxruntime's defaults) only for us to replace it: ~0.12 s of start-up, holding the GIL."""
    from hibari.tts import ASSETS, Hibari

    model = Hibari.__new__(Hibari)
    model.voice, model.model_path, model.sess, model._g2p = "heart", str(model_path), session, g2p
    with open(Path(ASSETS) / "vocab.json", encoding="utf-8") as file:
        model.vocab = json.load(file)
    return model


def packed_voice_tables(voice: str, model_dir: Path):  # type: ignore[no-untyped-def]
    """The voice's G2P on packed tables (~10 MB instead of ~100 MB); None (hibari's own) if they cannot be made."""
    from hibari.voices import VOICES

    from .g2p_tables import packed_g2p
    from .prepare import cache_dirs

    try:
        return packed_g2p(VOICES[voice]["british"], cache_dirs(model_dir))
    except OSError as err:
        log.warning("voice tables cannot be packed; hibari's own G2P uses ~90 MB more", extra={"error": str(err)})
        return None
