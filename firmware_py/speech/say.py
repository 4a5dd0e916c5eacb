"""`rtvi-edge say TEXT [--out F.wav]`: speak with the configured voice, to a WAV file or the speaker."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import numpy as np

from ..audio.frames import resample, to_int16
from ..audio.io import write_wav
from ..config import ConfigError, Settings
from ..models import ModelError, models_dir, resolve_models
from .tts import TtsEngine, create_tts

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE = 0, 1


def say_command(settings: Settings, text: str, out: Path | None) -> int:
    """Synthesize `text`; write a WAV at the voice's rate to `out`, else play it on the default speaker."""
    if not text.strip():
        return _fail("nothing to say: give the text to speak, e.g. rtvi-edge say \"Hello there.\"")
    try:
        tts = load_voice(settings)
        audio = speak_all(tts, text)
    except (ModelError, ConfigError) as err:
        return _fail(str(err))
    if not len(audio):
        return _fail(f"the voice produced no audio for {text!r} (no speakable words)")
    samples = to_int16(audio)
    if out is not None:
        if not out.parent.is_dir():  # checked first: wave.open on a bad path leaves a noisy half-made writer
            return _fail(f"cannot write {out}: folder {out.parent} does not exist")
        try:
            write_wav(out, samples, tts.sample_rate)
        except OSError as err:
            return _fail(f"cannot write {out}: {err.strerror or err}")
        print(f"wrote {out} ({len(samples) / tts.sample_rate:.2f} s at {tts.sample_rate} Hz)", file=sys.stderr)
        return EXIT_OK
    return play(settings, samples, tts.sample_rate)


def load_voice(settings: Settings) -> TtsEngine:
    root = models_dir(settings.models.dir)
    resolve_models(root, ["piper" if settings.tts.engine == "piper" else "tts"])
    return create_tts(settings.tts, root)


def speak_all(tts: TtsEngine, text: str) -> np.ndarray:
    """Every sentence of `text`, synthesized one by one (as the conversation does) and joined."""
    parts = [tts.synthesize(sentence) for sentence in tts.sentences(text)]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def play(settings: Settings, samples: np.ndarray, rate: int) -> int:
    from ..audio.alsa import AlsaSink
    from ..audio.devices import AudioDeviceError
    from ..events import EventBus

    async def run() -> None:
        sink = AlsaSink(settings.audio, EventBus(), rate)
        try:
            await sink.write(resample(samples, rate, sink.sample_rate))
            await sink.drain()
        finally:
            await sink.close()

    try:
        asyncio.run(run())
    except (AudioDeviceError, ImportError, OSError) as err:
        return _fail(f"no audio output device ({err}); write a file instead: rtvi-edge say TEXT --out speech.wav")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"rtvi-edge say: {message}", file=sys.stderr)
    return EXIT_FAILURE
