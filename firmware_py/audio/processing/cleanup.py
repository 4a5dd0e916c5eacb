"""Noise suppression and automatic gain control on their own, for a microphone that needs no echo cancelling.

With echo cancellation on, the same WebRTC pass does both (`EchoOptions`); this is the stage without it.
"""

from __future__ import annotations

import numpy as np

from ..frames import SAMPLE_RATE, AudioFrame
from .base import AudioProcessor


class SpeechCleanup(AudioProcessor):
    """WebRTC's noise suppressor (12 dB) and/or AGC2 on the microphone frames."""

    def __init__(self, noise_suppression: bool = True, gain_control: bool = False) -> None:
        from pywebrtc_audio import AudioProcessor as WebrtcProcessor  # native wheel: imported on first use

        self._webrtc = WebrtcProcessor(sample_rate=SAMPLE_RATE, high_pass_filter=True,
                                       noise_suppression=noise_suppression, auto_gain_control=gain_control)

    def process(self, frame: AudioFrame, capture_time: float) -> AudioFrame:
        return AudioFrame(np.asarray(self._webrtc.process(frame.samples.astype(np.int16)), np.int16), frame.sample_rate)

    def reset(self) -> None:
        self._webrtc.reset()
