"""Acoustic echo cancellation: WebRTC's AEC3 with the bot's playback as the far end, and a residual guard.

AEC3 (through pywebrtc-audio) works on 10 ms blocks: each microphone block is paired with the reference
that was being heard when it was captured, and AEC3's own delay estimator finds the acoustic and buffer
delay left over (it follows up to about 400 ms). Alignment therefore only has to be roughly right, but
on the causal side: the reference may lead the echo, never trail it.

What AEC3 leaves behind in a reverberant room with a distorting speaker can still sound like speech to
the VAD. `ResidualEchoGuard` keeps a safety margin: while the bot's voice is heard, blocks whose level
stays within reach of the expected residual echo are attenuated, while the user's voice, louder than
that, passes, so barge-in needs no level guard.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import numpy as np

from ..frames import SAMPLE_RATE, AudioFrame
from .base import BLOCK_SAMPLES, AudioProcessor, blocks
from .linear_echo import linear_echo_filter
from .reference import PlaybackReference

log = logging.getLogger(__name__)

BLOCK_SECS = BLOCK_SAMPLES / SAMPLE_RATE


@dataclass(frozen=True)
class EchoOptions:
    """Tuning of the canceller; the defaults are the measured ones (docs/benchmarks.md)."""

    residual_margin_db: float = 12.0
    """A block within this many dB above the expected residual echo counts as echo and is attenuated."""
    residual_attenuation_db: float = 30.0
    """How far such a block is turned down."""
    echo_window_secs: float = 0.6
    """How far back the reference is searched for the echo still in the air (delay plus reverb)."""
    linear_tail_secs: float = 0.4
    """Echo path (delay plus reverberation) the linear filter for recognition covers."""
    noise_suppression: bool = False
    """Also run WebRTC's noise suppressor (level 1, 12 dB) in the same pass."""
    gain_control: bool = False
    """Also run WebRTC's automatic gain control (AGC2) in the same pass."""


class ResidualEchoGuard:
    """Attenuates what is left of the echo while the bot's voice may be in the room.

    The expected residual is the recent peak energy of the reference times the echo coupling (how loud
    the speaker is at the mic, learned on blocks where the bot is plainly alone) times what AEC3 leaves
    (learned the same way). Blocks below that plus a margin are echo; louder ones are the user.
    """

    def __init__(self, options: EchoOptions) -> None:
        self._options = options
        self._far_energy: deque[float] = deque(maxlen=max(1, int(options.echo_window_secs / BLOCK_SECS)))
        self._coupling = 1.0      # mic echo energy / reference energy (starts pessimistic)
        self._leak = 0.1          # AEC output energy / mic energy when the bot is alone
        self._margin = 10 ** (options.residual_margin_db / 10)
        self._floor = 10 ** (-options.residual_attenuation_db / 20)
        self.attenuated_blocks = 0

    def reset(self) -> None:
        self._far_energy.clear()

    def process(self, near: np.ndarray, far: np.ndarray, cleaned: np.ndarray) -> np.ndarray:
        self._far_energy.append(_energy(far))
        far_peak = max(self._far_energy)
        if far_peak < 1.0:                     # nothing played lately: nothing to guard against
            return cleaned
        near_e, out_e = _energy(near), _energy(cleaned)
        self._learn(near_e, out_e, far_peak)
        expected = far_peak * self._coupling * self._leak
        if out_e > expected * self._margin:
            return cleaned
        self.attenuated_blocks += 1
        return (cleaned.astype(np.float32) * self._floor).astype(np.int16)

    def _learn(self, near_e: float, out_e: float, far_peak: float) -> None:
        """On blocks AEC3 clearly took for echo (it removed most of them), learn coupling and leak."""
        if near_e < 1.0 or out_e > 0.1 * near_e:
            return
        self._coupling = 0.95 * self._coupling + 0.05 * (near_e / far_peak)
        self._leak = max(0.98 * self._leak + 0.02 * (out_e / near_e), 1e-4)


def _energy(samples: np.ndarray) -> float:
    values = samples.astype(np.float32)
    return float(np.dot(values, values) / max(len(values), 1))


def _new_webrtc(options: EchoOptions):  # type: ignore[no-untyped-def]
    from pywebrtc_audio import AudioProcessor as WebrtcProcessor  # native wheel: imported on first use

    return WebrtcProcessor(sample_rate=SAMPLE_RATE, echo_cancellation=True, high_pass_filter=True,
                           noise_suppression=options.noise_suppression, auto_gain_control=options.gain_control)


class EchoCanceller(AudioProcessor):
    """Removes the bot's voice (read from `reference`) from the microphone frames.

    Each frame comes out twice: AEC3 plus the guard as `samples` (for the VAD and wake word, which must
    not hear the bot) and the linear filter's output as `for_recognition` (for STT, which must hear all
    of the user even while the bot talks; see linear_echo.py).
    """

    def __init__(self, reference: PlaybackReference, options: EchoOptions | None = None) -> None:
        self.reference = reference
        self.options = options or EchoOptions()
        self._webrtc = _new_webrtc(self.options)
        self._linear = linear_echo_filter(self.options.linear_tail_secs)
        self.guard = ResidualEchoGuard(self.options)

    def process(self, frame: AudioFrame, capture_time: float) -> AudioFrame:
        samples = frame.samples
        whole = len(samples) - len(samples) % BLOCK_SAMPLES
        out = samples.copy()
        recognition = samples.copy() if self._linear is not None else None
        for index, near in enumerate(blocks(samples[:whole])):
            block_end = capture_time - (len(samples) - (index + 1) * BLOCK_SAMPLES) / SAMPLE_RATE
            at = slice(index * BLOCK_SAMPLES, (index + 1) * BLOCK_SAMPLES)
            out[at], linear = self.cancel_block(near, block_end)
            if recognition is not None:
                recognition[at] = linear
        return AudioFrame(out, frame.sample_rate, recognition)

    def cancel_block(self, near: np.ndarray, block_end: float) -> tuple[np.ndarray, np.ndarray]:
        """One 10 ms block: (for detection, for recognition)."""
        far = self.reference.read(block_end, BLOCK_SAMPLES)
        near = np.ascontiguousarray(near, dtype=np.int16)
        cleaned = self.guard.process(near, far, self._webrtc.process(near, far))
        return cleaned, (self._linear.process(near, far) if self._linear is not None else cleaned)

    def reset(self) -> None:
        self._webrtc.reset()
        self.guard.reset()
        if self._linear is not None:
            self._linear.reset()
