"""The far-end reference (what the bot played, on the wall clock) and the microphone's capture clock."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from firmware_py.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, AudioFrame
from firmware_py.audio.io import CaptureSink, NullSink, QueueSource
from firmware_py.audio.processing import ProcessedSource, ProcessingChain
from firmware_py.audio.processing.base import AudioProcessor
from firmware_py.audio.processing.reference import PlaybackReference
from firmware_py.audio.processing.source import CaptureClock

T0 = 1000.0


def ramp(count: int, start: int = 1) -> np.ndarray:
    return (np.arange(count) + start).astype(np.int16)


def test_read_returns_what_played_at_that_time_and_silence_around_it() -> None:
    reference = PlaybackReference()
    reference.played(ramp(1600), SAMPLE_RATE, T0)
    assert np.array_equal(reference.read(T0 + 0.1, 1600), ramp(1600))
    before = reference.read(T0, 160)
    after = reference.read(T0 + 0.2, 160)
    assert not before.any() and not after.any()
    half = reference.read(T0 + 0.01, 320)
    assert not half[:160].any() and np.array_equal(half[160:], ramp(160))


def test_jittered_pieces_are_laid_end_to_end_and_a_real_gap_stays_silent() -> None:
    reference = PlaybackReference(snap_secs=0.03)
    reference.played(ramp(320), SAMPLE_RATE, T0)
    reference.played(ramp(320, 321), SAMPLE_RATE, T0 + 0.02 + 0.004)   # 4 ms late: scheduling jitter
    assert np.array_equal(reference.read(T0 + 0.04, 640), ramp(640))
    reference.played(ramp(320, 1000), SAMPLE_RATE, T0 + 0.5)            # a pause between sentences
    gap = reference.read(T0 + 0.5, 160)
    assert not gap.any()
    assert np.array_equal(reference.read(T0 + 0.52, 320), ramp(320, 1000))


def test_clear_silences_what_was_scheduled_after_the_barge_in() -> None:
    reference = PlaybackReference()
    reference.played(ramp(16000), SAMPLE_RATE, T0)
    reference.cleared(T0 + 0.5)
    assert np.array_equal(reference.read(T0 + 0.5, 8000), ramp(8000))
    assert not reference.read(T0 + 1.0, 8000).any()
    assert not reference.active(now=T0 + 1.1)
    assert reference.active(now=T0 + 0.9)


def test_other_rates_are_resampled_to_16k() -> None:
    reference = PlaybackReference()
    tone = (np.sin(2 * np.pi * 440 * np.arange(24000) / 24000) * 8000).astype(np.int16)
    reference.played(tone, 24000, T0)
    heard = reference.read(T0 + 1.0, SAMPLE_RATE)
    assert 7000 < np.max(np.abs(heard[2000:-2000])) < 9000
    middle = heard[1000:13000]   # the stream resampler holds back its last few ms until more comes
    peak_hz = np.argmax(np.abs(np.fft.rfft(middle))) * SAMPLE_RATE / len(middle)
    assert abs(peak_hz - 440) < 3


def test_the_ring_keeps_only_its_horizon() -> None:
    reference = PlaybackReference(horizon_secs=1.0)
    reference.played(ramp(32000), SAMPLE_RATE, T0)
    old = reference.read(T0 + 0.5, 160)
    assert not old.any()
    assert np.array_equal(reference.read(T0 + 2.0, 160), ramp(160, 32000 - 160 + 1))


def test_capture_clock_follows_the_earliest_arrivals_and_reanchors_after_a_stall() -> None:
    clock = CaptureClock(max_lag_secs=0.3)
    frame = FRAME_SAMPLES / SAMPLE_RATE
    stamps = [clock.stamp(FRAME_SAMPLES, T0 + (i + 1) * frame + (0.015 if i % 3 else 0.0)) for i in range(50)]
    assert all(b - a == pytest.approx(frame, abs=1e-5) for a, b in zip(stamps, stamps[1:]))
    assert stamps[-1] == pytest.approx(T0 + 50 * frame, abs=1e-3)   # the jitter-free arrivals set the clock
    burst = [clock.stamp(FRAME_SAMPLES, T0 + 50 * frame + 0.001) for _ in range(5)]  # a burst: all at once
    assert all(stamp <= T0 + 50 * frame + 0.001 + 1e-9 for stamp in burst)        # never after arrival
    late = clock.stamp(FRAME_SAMPLES, T0 + 10.0)                                  # after a stall
    assert late == pytest.approx(T0 + 10.0)


def test_sinks_report_playback_and_flushes_to_their_tap() -> None:
    async def scenario() -> tuple[PlaybackReference, float]:
        sink = CaptureSink(sample_rate=24000)
        sink.tap = reference = PlaybackReference()
        await sink.write(np.full(2400, 1000, np.int16))
        await sink.write(np.full(2400, 1000, np.int16))
        sink.clear()
        return reference, asyncio.get_running_loop().time()

    reference, _ = asyncio.run(scenario())
    assert reference.last_played_at > 0
    assert not reference.active(now=reference.last_played_at + 0.6)


def test_a_null_sink_reports_too() -> None:
    async def scenario() -> PlaybackReference:
        sink = NullSink(sample_rate=16000)
        sink.tap = reference = PlaybackReference()
        await sink.write(np.full(1600, 500, np.int16))
        return reference

    assert asyncio.run(scenario()).active()


class Failing(AudioProcessor):
    def __init__(self) -> None:
        self.calls = 0

    def process(self, frame: AudioFrame, capture_time: float) -> AudioFrame:
        self.calls += 1
        if self.calls == 2:
            raise ValueError("bad block")
        return AudioFrame(frame.samples // 2)


def test_processed_source_feeds_pushed_audio_through_the_chain_and_survives_a_failure() -> None:
    async def scenario() -> list[np.ndarray]:
        failing = Failing()
        source = ProcessedSource(QueueSource(), ProcessingChain([failing]))
        for _ in range(3):
            source.push(AudioFrame(np.full(FRAME_SAMPLES, 100, np.int16)))
        await source.close()
        return [frame.samples async for frame in source.frames()]

    frames = asyncio.run(scenario())
    assert [int(f[0]) for f in frames] == [50, 100, 50]   # the failing frame passes unprocessed


def test_the_client_sink_reports_what_it_sent_and_keeps_what_the_client_already_has() -> None:
    from firmware_py.rtvi.audio import ClientAudioSink

    sent: list[np.ndarray] = []

    async def send(chunk: np.ndarray) -> None:
        sent.append(chunk)

    async def scenario() -> tuple[PlaybackReference, float]:
        sink = ClientAudioSink(send, sample_rate=24000)
        sink.tap = reference = PlaybackReference()
        await sink.write(np.full(24000 // 5, 3000, np.int16))   # 200 ms: sent paced, the last 80 ms ahead
        before = reference.last_played_at
        sink.clear()
        return reference, before

    reference, before = asyncio.run(scenario())
    assert sent and before > 0
    # the ~80 ms lead already sent still plays at the client: the reference keeps it
    assert reference.last_played_at == pytest.approx(before, abs=0.03)
    heard = reference.read(reference.last_played_at, 1600)
    assert np.abs(heard[200:1400]).min() > 2500
