"""Feeding test audio through per-session streams the way a session does (20 ms frames)."""

from __future__ import annotations

import numpy as np

from firmware_py.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame
from firmware_py.speech.vad import VadEvent, VadTracker
from firmware_py.speech.wakeword import WakeWordStream


def vad_events(tracker: VadTracker, samples: np.ndarray, frame: int = FRAME_SAMPLES,
               rate: int = SAMPLE_RATE) -> list[VadEvent]:
    """Feed `samples` in frames of `frame` samples; the events in order."""
    events = []
    for start in range(0, len(samples) - frame + 1, frame):
        event = tracker.process(AudioFrame(samples[start:start + frame], rate))
        if event is not None:
            events.append(event)
    return events


def detections(stream: WakeWordStream, samples: np.ndarray, chunk: int = FRAME_SAMPLES) -> list[float]:
    """Scores of the detections that fire while `samples` are fed in chunks of `chunk`."""
    fired = []
    for start in range(0, len(samples), chunk):
        score = stream.process(samples[start:start + chunk])
        if score is not None:
            fired.append(score)
    return fired
