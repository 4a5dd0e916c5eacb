"""No growth across turns: the speech engines' resident memory stays flat once warm (the full 200-turn soak,
with the LLM, is `scripts/bench/memory.py --soak 200`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from firmware_py.audio.frames import to_float
from firmware_py.config import TtsSettings
from firmware_py.speech.stt import MoonshineStt
from firmware_py.speech.tts import TtsEngine, create_tts
from firmware_py.speech.turn import SmartTurn
from firmware_py.speech.vad import SileroVad
from tests.speechgen import speech

QUESTIONS = ("What is the weather like today?", "Set a timer for ten minutes.", "Turn on the kitchen light.",
             "Tell me a long story about a brave little robot.")
WARM_TURNS, SOAK_TURNS = 16, 32
"""Warm-up covers every clip twice: onnxruntime arenas reach their size on the longest inputs, then stay."""
MAX_GROWTH_MB = 8.0
LONG_ANSWERS = ("The capital of France is Paris, a city famous for its museums, its food and the Eiffel Tower.",
                "The moon is about three hundred and eighty four thousand kilometres away from the Earth, and it "
                "takes light a little over a second to travel that far.")
MAX_VOICE_HELD_MB = 15.0
"""Measured: 0-4 MB above the loaded voice when handed back, 25-40 MB when kept."""


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_speech_engines_stay_flat_over_many_turns(vad: SileroVad, turn: SmartTurn, stt: MoonshineStt,
                                                  hibari: TtsEngine) -> None:
    clips = [speech(text, voice=voice)[0] for text in QUESTIONS for voice in ("hibari", "espeak")]
    samples = []
    for index in range(SOAK_TURNS):
        clip = clips[index % len(clips)]
        stream = vad.new_stream()
        for start in range(0, len(clip), 320):
            stream.probability(clip[start:start + 320])
        turn.completion_probability(to_float(clip))
        heard = stt.transcribe(to_float(clip))
        hibari.synthesize(f"You said: {heard}")
        if index + 1 >= WARM_TURNS:
            samples.append(resident_mb())
    assert samples[-1] - samples[0] < MAX_GROWTH_MB, " ".join(f"{s:.1f}" for s in samples)


def test_the_voice_hands_its_working_memory_back_after_each_sentence(models_root: Path) -> None:
    """Without it the heap keeps each sentence's largest working set: ~40 MB more after a few long answers."""
    voice = create_tts(TtsSettings(engine="hibari"), models_root)  # fresh: a shared one's heap is already grown
    loaded = resident_mb()
    held = []
    for text in LONG_ANSWERS * 2:
        voice.synthesize(text)
        held.append(resident_mb() - loaded)
    assert max(held) < MAX_VOICE_HELD_MB, " ".join(f"{mb:.1f}" for mb in held)


LONG_SENTENCE = ("The sky looks blue because the molecules in the air scatter the short blue wavelengths of sunlight "
                 "much more than the longer red ones so blue light reaches your eyes from every direction at once.")
MAX_SENTENCE_PEAK_MB = 50.0
"""Measured: +65 MB for an 11 s sentence made at once, +35-40 MB in pieces of at most 100 phonemes."""


VOICE_PEAK = """
import sys
from pathlib import Path
from firmware_py.config import TtsSettings
from firmware_py.speech.tts import create_tts
from tests.speech.test_memory import LONG_SENTENCE, resident_mb
voice = create_tts(TtsSettings(engine="hibari"), Path(sys.argv[1]))
voice.synthesize("Hello there.")
Path("/proc/self/clear_refs").write_text("5")   # VmHWM starts again from what is resident now
before = resident_mb()
audio = voice.synthesize(LONG_SENTENCE)
peak = next(int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmHWM:"))
print(len(audio) / voice.sample_rate, peak - before)
"""
"""Measured in a process of its own: the test process's other threads (engines of earlier tests) would add
their own allocations to the peak."""


def test_a_long_sentence_is_voiced_in_pieces_that_bound_the_voices_peak(models_root: Path) -> None:
    done = subprocess.run([sys.executable, "-c", VOICE_PEAK, str(models_root)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2], check=True)
    secs, rise = (float(value) for value in done.stdout.split()[-2:])
    assert secs > 9.0                                     # all of it was said
    assert rise < MAX_SENTENCE_PEAK_MB, f"{rise:.1f} MB"
