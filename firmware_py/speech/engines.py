"""Loading every speech engine once, from checked model files, for all sessions to share."""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..heap import release_freed_heap
from ..models import load_manifest, resolve_models
from .stt import MoonshineStt
from .tts import TtsEngine, create_tts
from .turn import SmartTurn
from .vad import SileroVad
from .wakeword import WakeWordEngine

log = logging.getLogger(__name__)

STT_WEIGHTS_ENV = "RTVI_EDGE_STT_WEIGHTS"
"""For benchmarks only: "folded" or "original" loads Moonshine as it ran before the prepared copies."""


@dataclass
class SpeechEngines:
    vad: SileroVad
    turn: SmartTurn
    stt: MoonshineStt
    tts: TtsEngine
    wakeword: WakeWordEngine | None


def load_speech_engines(settings: Settings, models_root: Path, with_wakeword: bool) -> SpeechEngines:
    """Check the model files (size, then sha256 unless already verified) and load the engines.

    Raises ModelError naming the missing or corrupt file and the command that fixes it, and ConfigError
    for a voice or phrase that is not installed. Takes about 2-3 s; run it off the event loop.
    """
    root = Path(models_root)
    started = time.monotonic()
    manifest = load_manifest()
    stt = manifest.entry_for("stt", settings.models.profile)  # the small profile swaps in tiny-en
    names = ["vad", "turn", stt, "piper" if settings.tts.engine == "piper" else "tts"]
    paths = resolve_models(root, names + (["wakeword"] if with_wakeword else []), manifest)
    with ThreadPoolExecutor(1, "tts-load") as pool:  # the two slowest loads (~2 s and ~1 s) side by side
        tts = pool.submit(create_tts, settings.tts, root, warm=False)  # SharedEngines.warm_up speaks first
        engines = SpeechEngines(
            vad=SileroVad(paths["vad/silero_vad.onnx"]),
            turn=SmartTurn(paths["turn/smart-turn-v3.2-cpu.onnx"]),
            stt=MoonshineStt(paths[f"{stt}/encoder_model.ort"].parent, settings.stt.threads,
                             weights=os.environ.get(STT_WEIGHTS_ENV, "prepared")),
            tts=tts.result(),
            wakeword=(WakeWordEngine(root / "wakeword", settings.wakeword.phrase) if with_wakeword else None),
        )
    release_freed_heap()  # the parsed model files and JSON that loading freed
    log.info("speech engines loaded", extra={"secs": round(time.monotonic() - started, 2),
                                             "tts": settings.tts.engine, "wakeword": with_wakeword})
    return engines

