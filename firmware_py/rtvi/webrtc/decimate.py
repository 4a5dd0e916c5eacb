"""48 kHz -> 16 kHz for a WebRTC microphone aiortc decoded (libopus itself decodes straight to 16 kHz:
`opus.py`), with well under a millisecond of delay.

soxr's streaming resampler (what the conversation uses for other rates) holds back 7-27 ms of each 20 ms
frame while its filter fills, and the end of every user turn would wait for that. Here: a windowed-sinc
low-pass below 8 kHz, then every third sample; its group delay is 31 samples at 48 kHz (0.65 ms).
"""

from __future__ import annotations

import numpy as np

IN_RATE, OUT_RATE = 48_000, 16_000
FACTOR = IN_RATE // OUT_RATE
TAPS = 63
CUTOFF_HZ = 7_200.0
"""Below the 8 kHz Nyquist of the output with room for the filter's transition band."""


def lowpass_taps() -> np.ndarray:
    centre = np.arange(TAPS) - (TAPS - 1) / 2
    cutoff = CUTOFF_HZ / IN_RATE
    taps = 2 * cutoff * np.sinc(2 * cutoff * centre) * np.blackman(TAPS)
    return (taps / taps.sum()).astype(np.float32)


class Decimator:
    """Mono int16 at 48 kHz in, frames of any length; mono int16 at 16 kHz out, continuous across frames."""

    def __init__(self) -> None:
        self._taps = lowpass_taps()
        self._history = np.zeros(TAPS - 1, np.float32)
        self._phase = 0  # index, in the next frame, of the next input sample to keep

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        signal = np.concatenate([self._history, samples.astype(np.float32)])
        self._history = signal[len(signal) - (TAPS - 1):]
        # only the outputs that are kept are computed (the taps are symmetric: no flip needed)
        windows = np.lib.stride_tricks.sliding_window_view(signal, TAPS)[self._phase::FACTOR]
        self._phase = (self._phase - len(samples)) % FACTOR
        return np.clip(np.rint(windows @ self._taps), -32768, 32767).astype(np.int16)
