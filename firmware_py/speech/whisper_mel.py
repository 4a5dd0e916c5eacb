"""Whisper-style log-mel features in numpy (what Smart Turn's Whisper encoder was trained on).

Semantics of the Whisper feature extractor: waveform scaled to zero mean and unit variance, centred
400-point STFT (periodic Hann, reflect padding) every 160 samples, power spectrum, 80 Slaney mel bands
(Slaney area normalisation), log10 with a 1e-10 floor, the last frame dropped, values clamped to
(max - 8), then (x + 4) / 4.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

N_FFT = 400
HOP = 160
N_MELS = 80
RATE = 16_000


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = 3.0 * hz / 200.0
    log_part = 15.0 + np.log(np.maximum(hz, 1e-9) / 1000.0) * (27.0 / np.log(6.4))
    return np.where(hz >= 1000.0, log_part, linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = 200.0 * mel / 3.0
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """(N_MELS, N_FFT // 2 + 1) triangular filters from 0 Hz to Nyquist, Slaney-normalised."""
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(RATE / 2), N_MELS + 2))
    bins = np.linspace(0, RATE // 2, N_FFT // 2 + 1)
    rising = (bins[None, :] - edges[:-2, None]) / np.diff(edges)[:-1, None]
    falling = (edges[2:, None] - bins[None, :]) / np.diff(edges)[1:, None]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    filters *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return filters


@lru_cache(maxsize=1)
def _window() -> np.ndarray:
    return np.hanning(N_FFT + 1)[:-1]  # periodic Hann, as torch.hann_window


def log_mel(audio: np.ndarray) -> np.ndarray:
    """(N_MELS, len(audio) // HOP) features of float audio at 16 kHz."""
    x = np.asarray(audio, dtype=np.float32)
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _window(), axis=-1)) ** 2
    mel = np.log10(np.maximum(mel_filters() @ power.T, 1e-10))[:, :-1]
    mel = np.maximum(mel, mel.max() - 8.0)
    return ((mel + 4.0) / 4.0).astype(np.float32)


def fit_to_window(audio: np.ndarray, samples: int) -> np.ndarray:
    """The last `samples` of `audio`, zero-padded at the start when shorter (the model reads the end)."""
    audio = np.asarray(audio, dtype=np.float32)
    if len(audio) >= samples:
        return audio[-samples:]
    return np.concatenate([np.zeros(samples - len(audio), np.float32), audio])
