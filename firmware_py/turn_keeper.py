"""What the device heard, kept for diagnosis: each turn's audio as it was decoded, with its words.

Off unless `RTVI_EDGE_KEEP_TURNS` names a directory (a maker asking "what did it hear?", a benchmark reading a
turn's audio again offline). Nothing spoken is ever kept otherwise.
"""

from __future__ import annotations

import json
import logging
import os
import time
import wave
from pathlib import Path

import numpy as np

from .audio.frames import SAMPLE_RATE

log = logging.getLogger(__name__)

KEEP_TURNS_ENV = "RTVI_EDGE_KEEP_TURNS"
INDEX = "turns.jsonl"


def keep_turn(session_id: str, audio: np.ndarray, text: str, directory: str | None = None) -> Path | None:
    """Write `audio` (int16 or float32, 16 kHz mono) as a WAV file and note it with `text` in the directory's
    index; None when keeping is off or the write failed (a full disk never costs a turn)."""
    where = directory if directory is not None else os.environ.get(KEEP_TURNS_ENV, "")
    if not where:
        return None
    try:
        folder = Path(where)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.time()
        path = folder / f"{stamp:.3f}-{session_id[:8]}.wav"
        samples = audio if audio.dtype == np.int16 else np.clip(audio * 32768.0, -32768, 32767).astype(np.int16)
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(samples.tobytes())
        with (folder / INDEX).open("a", encoding="utf-8") as index:
            index.write(json.dumps({"at": round(stamp, 3), "session": session_id, "file": path.name,
                                    "secs": round(len(samples) / SAMPLE_RATE, 2), "text": text}) + "\n")
        return path
    except OSError as err:
        log.warning("could not keep the turn's audio", extra={"error": str(err)})
        return None
