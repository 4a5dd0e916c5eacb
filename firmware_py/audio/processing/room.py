"""A simulated room: what a microphone hears when a loudspeaker a few centimetres away plays the bot.

Used by the tests, `scripts/bench/echo.py` and `doctor --echo --simulate`. The echo path is a loudspeaker
that distorts a little near full volume, a delay, a reverberant impulse response (exponentially decaying
noise with early reflections, shaped by RT60), and a clock that drifts; the user's speech, background
noise and the echo are mixed at chosen levels. Everything is deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..frames import SAMPLE_RATE, to_float, to_int16


@dataclass(frozen=True)
class RoomConditions:
    """One acoustic setting of speaker, room and microphone."""

    delay_ms: float = 60.0
    """Echo path delay (playback buffers, air, capture buffers) at the start of the clip."""
    rt60_secs: float = 0.3
    """Reverberation time: how long the room's echo takes to decay by 60 dB."""
    echo_db: float = 0.0
    """Echo level relative to the user's speech at the microphone (+6: the bot is 6 dB louder)."""
    noise_db: float = -30.0
    """Background noise level relative to the user's speech."""
    distortion: float = 0.3
    """Loudspeaker non-linearity, 0 (clean) to 1 (strong soft clipping near full scale)."""
    drift_ms_per_min: float = 2.0
    """How fast the echo delay drifts (clock mismatch between playback and capture)."""
    seed: int = 0


def convolve(signal: np.ndarray, response: np.ndarray) -> np.ndarray:
    """Linear convolution by FFT, cut to the signal's length."""
    size = 1 << int(np.ceil(np.log2(len(signal) + len(response))))
    full = np.fft.irfft(np.fft.rfft(signal, size) * np.fft.rfft(response, size), size)
    return full[: len(signal)]


def impulse_response(rt60_secs: float, rng: np.random.Generator, rate: int = SAMPLE_RATE) -> np.ndarray:
    """The speaker-to-mic response: a small speaker's missing bass (high-pass around 80 Hz), a direct
    tap, early reflections and an exponential diffuse tail."""
    length = max(int(rt60_secs * rate), 64)
    t = np.arange(length) / rate
    decay = np.exp(-6.9 * t / rt60_secs)  # 60 dB = e^-6.9 in amplitude at t = RT60
    tail = rng.standard_normal(length) * decay * 0.25
    tail[: int(0.002 * rate)] = 0.0        # the diffuse field arrives after the first reflections
    response = tail
    response[0] = 1.0
    for _ in range(6):                     # early reflections off nearby surfaces (table, walls)
        at = int(rng.uniform(0.001, 0.02) * rate)
        response[at] += rng.uniform(-0.5, 0.5)
    high_pass = -0.03 * 0.97 ** np.arange(256)   # y[n] = x[n] - x[n-1] + 0.97 y[n-1], truncated
    high_pass[0] += 1.0
    response = convolve(np.pad(response, (0, len(high_pass))), high_pass)
    return response / np.sqrt(np.sum(response ** 2))


def loudspeaker(samples: np.ndarray, distortion: float) -> np.ndarray:
    """A small speaker driven near full scale: soft clipping that grows with the level."""
    if distortion <= 0:
        return samples
    drive = 1.0 + 3.0 * distortion
    return np.tanh(drive * samples) / drive


def delay_with_drift(samples: np.ndarray, delay_ms: float, drift_ms_per_min: float,
                     rate: int = SAMPLE_RATE) -> np.ndarray:
    """Delays the signal by a delay that changes linearly with time (fractional, interpolated)."""
    t = np.arange(len(samples)) / rate
    delay = delay_ms / 1000.0 + drift_ms_per_min / 1000.0 * t / 60.0
    return np.interp(t - delay, t, samples, left=0.0, right=0.0)


NOISE_SAMPLES = 1 << 20
"""About 65 s at 16 kHz: echo and noise are computed at this length at least, and cut."""


def rms(samples: np.ndarray) -> float:
    active = samples[np.abs(samples) > 1e-4]
    return float(np.sqrt(np.mean(active ** 2))) if len(active) else 0.0


def echo_path(far: np.ndarray, conditions: RoomConditions) -> np.ndarray:
    """What the microphone picks up of `far` (float, 16 kHz), before level scaling."""
    rng = np.random.default_rng(conditions.seed)
    # convolved at a fixed length and cut: the rounding, and so the take, then does not depend on how long
    # the take is (the echo benchmark replays a take with the bot paused or stopped and needs the same start)
    played = np.pad(loudspeaker(far, conditions.distortion), (0, max(0, NOISE_SAMPLES - len(far))))
    reverberant = convolve(played, impulse_response(conditions.rt60_secs, rng))[: len(far)]
    return delay_with_drift(reverberant, conditions.delay_ms, conditions.drift_ms_per_min)


def pink_noise(length: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(length))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    noise = np.fft.irfft(spectrum, n=length)
    return noise / max(float(np.sqrt(np.mean(noise ** 2))), 1e-9)


@dataclass
class RoomRecording:
    """The microphone signal of one simulated take and its parts (int16, 16 kHz, same length)."""

    mic: np.ndarray
    echo: np.ndarray
    user: np.ndarray
    noise: np.ndarray


def echo_scale(far: np.ndarray, conditions: RoomConditions, user_level: float = 0.05) -> float:
    """The gain that puts the echo of `far` at the conditions' level against a user at `user_level`."""
    return _gain_for(echo_path(to_float(far), conditions), conditions, user_level)


def _gain_for(echo: np.ndarray, conditions: RoomConditions, user_level: float) -> float:
    return user_level * 10 ** (conditions.echo_db / 20) / max(rms(echo), 1e-9)


def record(far: np.ndarray, user: np.ndarray, conditions: RoomConditions,
           user_level: float = 0.05, echo_gain: float | None = None) -> RoomRecording:
    """Mix the echo of `far` (what was played), the user's speech and noise as the microphone hears them.

    `far` and `user` are int16 at 16 kHz on the same timeline (the shorter one is padded with silence).
    `user_level` is the RMS of the user's active speech (0-1); the echo and noise follow from the conditions.
    `echo_gain` fixes the echo's scale (`echo_scale` of the whole answer), so that an answer paused or cut
    short is heard at the loudness it had before.
    """
    length = max(len(far), len(user))
    far_f = np.pad(to_float(far), (0, length - len(far)))
    user_f = np.pad(to_float(user), (0, length - len(user)))
    rng = np.random.default_rng(conditions.seed + 1)
    user_gain = user_level / max(rms(user_f), 1e-9) if rms(user_f) > 0 else 0.0
    user_f = user_f * user_gain
    echo = echo_path(far_f, conditions)
    echo *= echo_gain if echo_gain is not None else _gain_for(echo, conditions, user_level)
    # drawn at a fixed length and cut, so that a take's noise does not depend on how long the take is
    noise = pink_noise(max(NOISE_SAMPLES, length), rng)[:length] * user_level * 10 ** (conditions.noise_db / 20)
    return RoomRecording(mic=to_int16(echo + user_f + noise), echo=to_int16(echo), user=to_int16(user_f),
                         noise=to_int16(noise))
