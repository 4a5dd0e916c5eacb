"""Test audio made by the project's own tools: speech (hibari or espeak-ng), silence, noise, music-like tones.

    from tests.speechgen import speech, silence, noise, tones, with_pause
    samples, rate = speech("What time is it?")                 # int16 mono, 16 kHz, hibari voice
    samples, rate = speech("Hey Jarvis", voice="espeak", rate=48000)
    clip = with_pause([speech("I would like to")[0], speech("order a pizza.")[0]], pause_secs=1.0)

Speech is cached on disk (keyed by voice, text, rate and options) under $RTVI_EDGE_SPEECHGEN_CACHE, else
~/.cache/rtvi-edge/speechgen, so suites share it and a rerun costs nothing. Everything is deterministic.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from firmware_py.audio.frames import SAMPLE_RATE, resample, to_int16
from firmware_py.audio.io import read_wav, write_wav
from firmware_py.models import models_dir

CACHE_ENV = "RTVI_EDGE_SPEECHGEN_CACHE"
VOICES = ("hibari", "espeak")
HIBARI_SEED = 7
_VERSION = "1"  # bump when the generation changes, to invalidate old cache entries


def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rtvi-edge" / "speechgen"
    path = Path(os.environ.get(CACHE_ENV, default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def speech(text: str, voice: str = "hibari", rate: int = SAMPLE_RATE, speed: float = 1.0,
           espeak_voice: str = "en-us") -> tuple[np.ndarray, int]:
    """`text` spoken by `voice` ("hibari" or "espeak") as int16 mono at `rate`."""
    if voice not in VOICES:
        raise ValueError(f"voice {voice!r}: use one of {VOICES}")
    key = hashlib.sha1(f"{_VERSION}|{voice}|{espeak_voice}|{speed}|{rate}|{text}".encode()).hexdigest()[:20]
    path = cache_dir() / f"{voice}-{key}.wav"
    if path.exists():
        samples, stored_rate = read_wav(path)
        return samples, stored_rate
    if voice == "hibari":
        audio, native_rate = _hibari(text, speed)
    else:
        audio, native_rate = _espeak(text, speed, espeak_voice)
    samples = resample(audio, native_rate, rate) if rate != native_rate else audio
    _write_atomically(path, samples, rate)
    return samples, rate


@functools.lru_cache(maxsize=1)
def _hibari_model():  # type: ignore[no-untyped-def]
    from hibari.tts import Hibari

    return Hibari(model=str(models_dir() / "tts" / "hibari.onnx"), threads=1)


def _hibari(text: str, speed: float) -> tuple[np.ndarray, int]:
    model = _hibari_model()
    return to_int16(model(text, speed=speed, seed=HIBARI_SEED)), model.sample_rate


def _espeak(text: str, speed: float, espeak_voice: str) -> tuple[np.ndarray, int]:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed (apt install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        words_per_minute = str(int(175 * speed))
        subprocess.run([binary, "-v", espeak_voice, "-s", words_per_minute, "-w", str(out), "--stdin"],
                       input=text.encode(), check=True, capture_output=True, timeout=60)
        return read_wav(out)


def _write_atomically(path: Path, samples: np.ndarray, rate: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    write_wav(tmp, samples, rate)
    os.replace(tmp, path)


def silence(secs: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    return np.zeros(int(secs * rate), np.int16)


def noise(secs: float, level: float = 0.05, rate: int = SAMPLE_RATE, seed: int = 1) -> np.ndarray:
    """Steady pink-ish noise (fan, traffic hum) at RMS `level` (0-1 of full scale)."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(int(secs * rate))
    spectrum = np.fft.rfft(white)
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))  # 1/f power: more like real background noise
    pink = np.fft.irfft(spectrum, n=len(white))
    pink *= level / max(float(np.sqrt(np.mean(pink ** 2))), 1e-9)
    return to_int16(pink)


def tones(secs: float, level: float = 0.2, rate: int = SAMPLE_RATE) -> np.ndarray:
    """Music-like audio: a chord progression with harmonics and a plucked envelope, half a second a chord."""
    chords = [(261.63, 329.63, 392.00), (220.00, 261.63, 329.63), (174.61, 220.00, 261.63), (196.00, 246.94, 293.66)]
    chord_len = int(0.5 * rate)
    t = np.arange(chord_len) / rate
    envelope = np.exp(-3.0 * t) * np.minimum(1.0, t / 0.01)
    pieces = []
    for index in range(int(np.ceil(secs * rate / chord_len))):
        chord = chords[index % len(chords)]
        wave = sum(np.sin(2 * np.pi * f * h * t) / h for f in chord for h in (1, 2, 3))
        pieces.append(wave * envelope)
    audio = np.concatenate(pieces)[: int(secs * rate)]
    audio *= level / max(float(np.max(np.abs(audio))), 1e-9)
    return to_int16(audio)


def with_pause(parts: list[np.ndarray], pause_secs: float, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The parts (int16 at `rate`) one after another with `pause_secs` of silence between them."""
    gap = silence(pause_secs, rate)
    out: list[np.ndarray] = []
    for index, part in enumerate(parts):
        if index:
            out.append(gap)
        out.append(part.astype(np.int16))
    return np.concatenate(out) if out else np.zeros(0, np.int16)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance / reference words, after reading both the same way.

    Numbers, prices and times are spelled out with the product's own normaliser and punctuation and
    case are ignored, so "10 minutes" and "ten minutes" match.
    """
    ref, hyp = _wer_words(reference), _wer_words(hypothesis)
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, other in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1] / len(ref)


def _wer_words(text: str) -> list[str]:
    from firmware_py.speech.text import normalize_for_speech

    spoken = normalize_for_speech(text).lower().replace("-", " ")
    return ["".join(ch for ch in word if ch.isalnum() or ch == "'") for word in spoken.split()
            if any(ch.isalnum() for ch in word)]
