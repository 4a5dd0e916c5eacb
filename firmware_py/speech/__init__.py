"""Speech engines on real models: VAD (Silero), end of turn (Smart Turn), STT (Moonshine), TTS (hibari or
Piper) and wake word (openWakeWord). Each engine loads once and is shared; per-session state lives in
stream objects (`SileroVad.new_stream()`, `WakeWordEngine.new_stream()`)."""

from .engines import SpeechEngines, load_speech_engines
from .stt import MoonshineStt
from .text import normalize_for_speech, split_sentences
from .tts import TtsEngine, create_tts
from .turn import SmartTurn
from .vad import SileroVad, VadEvent, VadStream, VadTracker
from .wakeword import WakeWordEngine, WakeWordStream

__all__ = ["MoonshineStt", "SileroVad", "SmartTurn", "SpeechEngines", "TtsEngine", "VadEvent", "VadStream",
           "VadTracker", "WakeWordEngine", "WakeWordStream", "create_tts", "load_speech_engines",
           "normalize_for_speech", "split_sentences"]
