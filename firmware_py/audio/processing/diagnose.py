"""`rtvi-edge doctor --echo`: play a test signal through the speaker, record it, and judge the echo path.

The signal is a logarithmic sweep (its cross-correlation with the recording gives the echo path delay)
followed by speech-shaped noise (on which the canceller converges and its cancellation is measured).
The report gives the delay as the canceller sees it (beyond what the sink's timing already accounts for),
the echo return loss (how much quieter the echo is than what was played), the cancellation achieved
(ERLE), and a verdict in plain words.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass

import numpy as np

from ...config import AudioSettings
from ..frames import SAMPLE_RATE, AudioFrame, to_int16
from ..io import AudioSink, AudioSource
from .echo import EchoCanceller, EchoOptions
from .reference import PlaybackReference
from .room import pink_noise

SWEEP_SECS = 1.0
SPEECHLIKE_SECS = 4.0
LEVEL = 0.3
MAX_DELAY_SECS = 0.4
"""The longest delay AEC3's estimator follows (measured: cancellation collapses beyond ~450 ms)."""


@dataclass(frozen=True)
class EchoReport:
    delay_ms: float | None
    """Echo path delay beyond the sink's own timing; None when no echo was found."""
    echo_return_loss_db: float
    """How much quieter the echo is at the microphone than what was played (higher: less echo)."""
    erle_db: float
    """Echo reduction by the canceller, on the second half of the speech-shaped signal."""
    clipped: bool
    """The microphone recording reached full scale."""
    verdict: str
    ok: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def test_signal(rate: int = SAMPLE_RATE) -> np.ndarray:
    """A 100 Hz - 7 kHz log sweep, then speech-shaped noise (syllable-rate bursts), int16 at `rate`."""
    t = np.arange(int(SWEEP_SECS * rate)) / rate
    low, high = 100.0, 7000.0
    k = np.log(high / low)
    sweep = np.sin(2 * np.pi * low * SWEEP_SECS / k * (np.exp(t / SWEEP_SECS * k) - 1)) * np.hanning(len(t)) ** 0.1
    rng = np.random.default_rng(3)
    noise = pink_noise(int(SPEECHLIKE_SECS * rate), rng)
    syllables = np.abs(np.sin(2 * np.pi * 2.5 * np.arange(len(noise)) / rate)) ** 2
    noise = noise * syllables / max(float(np.max(np.abs(noise * syllables))), 1e-9)
    return to_int16(np.concatenate([sweep, noise]) * LEVEL)


def echo_delay(reference: np.ndarray, recording: np.ndarray) -> tuple[float | None, float]:
    """Lag (s) of `reference` in `recording` by cross-correlation, and the peak's prominence (0-1)."""
    ref = reference.astype(np.float64)
    rec = recording.astype(np.float64)
    size = 1 << int(np.ceil(np.log2(len(rec) + len(ref))))
    corr = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)[: len(rec)]
    norm = float(np.sqrt(np.sum(ref ** 2) * np.sum(rec ** 2))) or 1.0
    lag = int(np.argmax(np.abs(corr)))
    prominence = float(np.abs(corr[lag]) / norm)
    return (lag / SAMPLE_RATE if prominence > 0.05 else None), prominence


async def measure_echo(source: AudioSource, sink: AudioSink, tail_secs: float = 0.6) -> EchoReport:
    """Play the test signal on `sink` while recording `source`; cancel it and judge the result."""
    reference = PlaybackReference(horizon_secs=SWEEP_SECS + SPEECHLIKE_SECS + 4.0)
    sink.tap = reference
    signal = test_signal(sink.sample_rate)
    recorded: list[tuple[float, np.ndarray]] = []
    started = time.monotonic()
    recorder = asyncio.create_task(_record(source, recorded, SWEEP_SECS + SPEECHLIKE_SECS + tail_secs))
    await asyncio.sleep(0.1)
    await sink.write(signal)
    await sink.drain()
    await recorder
    sink.tap = None
    return analyse(reference, recorded, started)


async def _record(source: AudioSource, into: list[tuple[float, np.ndarray]], secs: float) -> None:
    """`secs` of microphone audio, counted in samples (a device without a clock delivers them at once)."""
    wanted = int((secs + 0.1) * SAMPLE_RATE)

    async def collect() -> None:
        collected = 0
        async for frame in source.frames():
            into.append((time.monotonic(), frame.samples.copy()))
            collected += len(frame.samples)
            if collected >= wanted:
                return

    try:
        await asyncio.wait_for(collect(), secs + 3.0)
    except asyncio.TimeoutError:  # a microphone that delivers nothing: judged below
        pass


def analyse(reference: PlaybackReference, recorded: list[tuple[float, np.ndarray]], started: float) -> EchoReport:
    if not recorded:
        return EchoReport(None, 0.0, 0.0, False, "The microphone delivered no audio: check the capture device.", False)
    mic = np.concatenate([samples for _, samples in recorded])
    end_time = recorded[-1][0]
    if len(mic) / SAMPLE_RATE > 1.5 * (end_time - started) + 0.5:
        return EchoReport(None, 0.0, 0.0, False, "The microphone delivers audio faster than real time (a device "
                          "without a clock, such as a file): the echo cannot be measured.", False)
    far = reference.read(end_time, len(mic))
    canceller = EchoCanceller(reference, EchoOptions())
    cleaned = _cancel(canceller, recorded)
    delay, _ = echo_delay(far[: int(SWEEP_SECS * SAMPLE_RATE) + int(0.2 * SAMPLE_RATE)], mic)
    return judge(far, mic, cleaned, delay)


def _cancel(canceller: EchoCanceller, recorded: list[tuple[float, np.ndarray]]) -> np.ndarray:
    from .source import CaptureClock

    clock = CaptureClock()
    return np.concatenate([canceller.process(AudioFrame(samples), clock.stamp(len(samples), at)).samples
                           for at, samples in recorded])


def _db(value: float) -> float:
    return float(10 * np.log10(max(value, 1e-10)))


def judge(far: np.ndarray, mic: np.ndarray, cleaned: np.ndarray, delay: float | None) -> EchoReport:
    active = np.abs(far.astype(np.float32)) > 0
    far_e = float(np.mean(far[active].astype(np.float64) ** 2)) if active.any() else 0.0
    mic_e = float(np.mean(mic[active].astype(np.float64) ** 2)) if active.any() else 0.0
    erl = _db(far_e) - _db(mic_e)
    steady = np.zeros(len(mic), bool)
    speech_start = int((SWEEP_SECS + SPEECHLIKE_SECS / 2) * SAMPLE_RATE)
    steady[speech_start:] = True
    steady &= active
    erle = (_db(float(np.mean(mic[steady].astype(np.float64) ** 2)))
            - _db(float(np.mean(cleaned[steady].astype(np.float64) ** 2)))) if steady.any() else 0.0
    clipped = bool(np.max(np.abs(mic.astype(np.int32))) >= 32000) if len(mic) else False
    verdict, ok = _verdict(delay, erl, erle, clipped, far_e)
    return EchoReport(None if delay is None else round(delay * 1000, 1), round(erl, 1), round(erle, 1),
                      clipped, verdict, ok)


def _verdict(delay: float | None, erl: float, erle: float, clipped: bool, far_e: float) -> tuple[str, bool]:
    if far_e <= 0:
        return "Nothing was played: check the playback device.", False
    if delay is None:
        return ("No echo heard: the microphone does not pick up the speaker (muted, far away or another device). "
                "Nothing to cancel; barge-in will work."), True
    if delay > MAX_DELAY_SECS:
        return (f"The echo arrives {delay * 1000:.0f} ms late, longer than the canceller follows "
                f"({MAX_DELAY_SECS * 1000:.0f} ms): use smaller audio buffers."), False
    if clipped:
        return "The microphone clips on the speaker's sound: lower the volume or the capture gain.", False
    if erle < 10:
        return (f"Cancellation is weak ({erle:.0f} dB): the speaker may distort; lower the volume or move "
                "the microphone away from it."), False
    return f"Echo cancellation works: the bot's voice is {erle:.0f} dB quieter after cancellation.", True


def run_echo_check(settings: AudioSettings, simulate: bool = False) -> EchoReport:
    """Blocking: the device's speaker and microphone (or a simulated room) through `measure_echo`."""
    return asyncio.run(_check_device(settings, simulate))


async def _check_device(settings: AudioSettings, simulate: bool) -> EchoReport:
    if simulate:
        from .room_device import simulated_room

        source, sink = simulated_room()
    else:
        from ..alsa import open_local_audio
        from ...events import EventBus

        opened = await asyncio.to_thread(open_local_audio, settings, EventBus(), 16_000)
        if opened is None:
            return EchoReport(None, 0.0, 0.0, False, "No microphone or speaker: nothing to check.", False)
        source, sink = opened
    try:
        return await measure_echo(source, sink)
    finally:
        await source.close()
        await sink.close()
