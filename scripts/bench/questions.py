"""The spoken questions: ~8 short questions in several synthetic voices and speeds, made once and cached."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16_000
LEVEL_WINDOW = 160
"""10 ms windows for finding where speech starts and ends."""


@dataclass(frozen=True)
class Question:
    text: str
    voice: str            # "hibari" or "espeak"
    speed: float = 1.0
    espeak_voice: str = "en-us"

    @property
    def label(self) -> str:
        name = self.voice if self.voice == "hibari" else f"espeak:{self.espeak_voice}"
        return f"{name}@{self.speed:g}"


QUESTIONS = (
    Question("What is the capital of France?", "hibari"),
    Question("How many legs does a spider have?", "espeak", 1.0, "en-us"),
    Question("What color is the sky on a clear day?", "hibari", 1.15),
    Question("Can you tell me a fun fact about the moon?", "espeak", 1.0, "en-gb"),
    Question("What should I cook for dinner tonight?", "hibari", 0.9),
    Question("Why do cats like to sleep so much?", "espeak", 1.2, "en-us+f3"),
    Question("What is the tallest mountain in the world?", "hibari", 1.0),
    Question("How do I make a good cup of tea?", "espeak", 0.9, "en-gb-x-rp"),
)
LONG_QUESTION = Question("Tell me a long story about a brave little robot.", "hibari")
"""One breath, no pause: a question split into two turns would test something else."""
INTERRUPTION = Question("Stop, stop. Tell me a joke instead.", "espeak", 1.0, "en-us")


@dataclass(frozen=True)
class Clip:
    question: Question
    samples: np.ndarray   # int16 mono 16 kHz
    first_voiced: int     # sample index of the first voiced sample
    last_voiced: int      # sample index of the last voiced sample

    @property
    def secs(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def float_samples(self) -> np.ndarray:
        return self.samples.astype(np.float32) / 32768.0


def voiced_bounds(samples: np.ndarray, floor_dbfs: float = -45.0, relative_db: float = -35.0) -> tuple[int, int]:
    """First and last sample of the 10 ms windows louder than the floor (absolute and relative to the peak).

    Raises ValueError for a clip with no voiced window at all.
    """
    usable = len(samples) - len(samples) % LEVEL_WINDOW
    windows = samples[:usable].astype(np.float32).reshape(-1, LEVEL_WINDOW) / 32768.0
    rms = np.sqrt(np.mean(np.square(windows), axis=1))
    if not len(rms) or rms.max() <= 0:
        raise ValueError("clip has no voiced samples")
    threshold = max(10 ** (floor_dbfs / 20), rms.max() * 10 ** (relative_db / 20))
    loud = np.flatnonzero(rms > threshold)
    if not len(loud):
        raise ValueError("clip has no voiced samples")
    return int(loud[0] * LEVEL_WINDOW), int((loud[-1] + 1) * LEVEL_WINDOW - 1)


def make_clip(question: Question) -> Clip:
    from tests.speechgen import speech  # the project's cached speech generator (hibari / espeak-ng)

    samples, rate = speech(question.text, voice=question.voice, rate=SAMPLE_RATE, speed=question.speed,
                           espeak_voice=question.espeak_voice)
    if rate != SAMPLE_RATE:
        raise ValueError(f"speech generator returned {rate} Hz, expected {SAMPLE_RATE}")
    first, last = voiced_bounds(samples)
    return Clip(question, samples.astype(np.int16), first, last)


def make_clips(count: int) -> list[Clip]:
    """The first `count` questions (cycling through the set when more are asked for)."""
    return [make_clip(QUESTIONS[index % len(QUESTIONS)]) for index in range(count)]
