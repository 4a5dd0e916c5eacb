"""A corpus case as microphone audio: the voice, then the case's acoustic condition.

Speech comes from the project's cached generator (hibari, espeak-ng) or, for the Piper voice, from the
product's own Piper engine, cached the same way. Every clip carries a faint noise floor, as a real
microphone never delivers exact zeros; `lead_zeros` then puts 0.3 s of exact zeros right before the
speech, `noise` mixes steady room noise at a fixed speech-to-noise ratio, `pause` joins the two halves of
the request with a silence of 0.6-0.9 s. Voiced bounds are measured on the clean speech.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from dataclasses import dataclass

import numpy as np

from .command_corpus import Case
from .questions import SAMPLE_RATE, voiced_bounds

FLOOR_LEVEL = 0.0004          # ~-68 dBFS: an idle microphone's hiss
ROOM_SNR_DB = 12.0            # room noise: speech RMS over noise RMS
LEAD_SECS = 0.5               # microphone open before the request starts
LEAD_ZEROS_SECS = 0.3
QUIET_DB = -24.0              # a talker across the room: the voice this much quieter, the microphone's hiss as ever
_PIPER_VERSION = "1"          # bump when the Piper rendering changes, to invalidate cached clips


@dataclass(frozen=True)
class CaseClip:
    case: Case
    samples: np.ndarray   # int16 mono 16 kHz: lead, speech, nothing after
    first_voiced: int
    last_voiced: int
    ambient_level: float  # level of the noise to keep streaming after the clip

    @property
    def secs(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def spoken(text: str, voice: str, speed: float) -> np.ndarray:
    """`text` in `voice` ("hibari", "piper:joe", "espeak:<variant>") as int16 at 16 kHz."""
    if voice.startswith("piper:"):
        return _piper(text, voice.split(":", 1)[1], speed)
    from tests.speechgen import speech

    name, _, variant = voice.partition(":")
    samples, _ = speech(text, voice=name, rate=SAMPLE_RATE, speed=speed, espeak_voice=variant or "en-us")
    return samples.astype(np.int16)


def _piper(text: str, voice: str, speed: float) -> np.ndarray:
    from firmware_py.audio.frames import resample, to_int16
    from firmware_py.audio.io import read_wav
    from tests.speechgen import _write_atomically, cache_dir

    key = hashlib.sha1(f"{_PIPER_VERSION}|{voice}|{speed}|{SAMPLE_RATE}|{text}".encode()).hexdigest()[:20]
    path = cache_dir() / f"piper-{key}.wav"
    if path.exists():
        return read_wav(path)[0].astype(np.int16)
    engine = _piper_engine(voice)
    engine.speed = speed
    audio = to_int16(engine.synthesize(text))
    samples = resample(audio, engine.sample_rate, SAMPLE_RATE)
    _write_atomically(path, samples, SAMPLE_RATE)
    return samples.astype(np.int16)


@functools.lru_cache(maxsize=2)
def _piper_engine(voice: str):  # type: ignore[no-untyped-def]
    from firmware_py.models import models_dir
    from firmware_py.speech.piper import PiperTts, piper_voice_path

    return PiperTts(piper_voice_path(voice, models_dir()), threads=1)


def noise(secs: float, level: float, seed: int) -> np.ndarray:
    from tests.speechgen import noise as pink_noise

    if secs <= 0 or level <= 0:
        return np.zeros(max(0, int(secs * SAMPLE_RATE)), np.int16)
    return pink_noise(secs, level=level, seed=seed)


def render(case: Case) -> CaseClip:
    """The case's microphone audio (lead + speech), deterministic for a given case."""
    parts = [p.strip() for p in case.text.split("|")]
    pieces = [spoken(part, case.voice, case.speed) for part in parts if part]
    speech = pieces[0]
    for piece in pieces[1:]:
        speech = np.concatenate([speech, np.zeros(int(case.pause_secs * SAMPLE_RATE), np.int16), piece])
    first, last = voiced_bounds(speech)
    seed = zlib.crc32(case.case_id.encode())
    if case.condition == "lead_zeros":
        speech = np.concatenate([np.zeros(int(LEAD_ZEROS_SECS * SAMPLE_RATE), np.int16), speech[first:]])
        last, first = last - first + int(LEAD_ZEROS_SECS * SAMPLE_RATE), int(LEAD_ZEROS_SECS * SAMPLE_RATE)
    lead = int(LEAD_SECS * SAMPLE_RATE)
    level = room_level(speech[first:last + 1]) if case.condition == "noise" else FLOOR_LEVEL
    background = noise((lead + len(speech)) / SAMPLE_RATE + 0.01, level, seed)[: lead + len(speech)]
    mixed = background.astype(np.int32)
    voice_part = speech.astype(np.int32)
    if case.condition == "quiet":
        voice_part = np.round(voice_part * 10 ** (QUIET_DB / 20)).astype(np.int32)
    if case.condition == "lead_zeros":  # exact digital silence right before the speech, as the report saw
        mixed[lead:lead + first] = 0
        voice_part[:first] = 0
    mixed[lead:] += voice_part
    samples = np.clip(mixed, -32768, 32767).astype(np.int16)
    return CaseClip(case, samples, lead + first, lead + last, level)


def room_level(voiced: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.square(voiced.astype(np.float64) / 32768.0)))) if len(voiced) else 0.05
    return max(FLOOR_LEVEL, rms / 10 ** (ROOM_SNR_DB / 20))
