"""Speech engines on real models: VAD (Silero), end of turn (Smart Turn), STT (Moonshine), TTS (hibari or
Piper) and wake word (openWakeWord). Each engine loads once and is shared; per-session state lives in
stream objects (`SileroVad.new_stream()`, `WakeWordEngine.new_stream()`)."""

import importlib
from typing import Any

_HOMES = {"SpeechEngines": "engines", "load_speech_engines": "engines", "MoonshineStt": "stt",
          "normalize_for_speech": "text", "split_sentences": "text", "TtsEngine": "tts", "create_tts": "tts",
          "SmartTurn": "turn", "SileroVad": "vad", "VadEvent": "vad", "VadStream": "vad", "VadTracker": "vad",
          "WakeWordEngine": "wakeword", "WakeWordStream": "wakeword"}


def __getattr__(name: str) -> Any:
    """Imported on first use: a satellite needs the wake word alone, not the STT and TTS runtimes."""
    if name not in _HOMES:
        raise AttributeError(name)
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)


__all__ = ["MoonshineStt", "SileroVad", "SmartTurn", "SpeechEngines", "TtsEngine", "VadEvent", "VadStream",
           "VadTracker", "WakeWordEngine", "WakeWordStream", "create_tts", "load_speech_engines",
           "normalize_for_speech", "split_sentences"]
