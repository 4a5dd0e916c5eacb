"""ALSA source/sink: device choice, channel pick and resampling, failure recovery, volume and barge-in."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
import pytest

from firmware_py.audio.alsa import AlsaSink, AlsaSource, list_devices, open_local_audio
from firmware_py.audio.devices import AudioDeviceError, AudioDeviceInfo, find_device
from firmware_py.audio.frames import FRAME_SAMPLES, SAMPLE_RATE
from firmware_py.config import AudioSettings
from firmware_py.events import DeviceStatus, EventBus

from .fake_devices import ScriptedDevice


async def eventually(predicate, timeout: float = 10.0) -> None:
    """Wait until `predicate()` holds (polling); fail with a clear message otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def statuses(bus: EventBus) -> list[DeviceStatus]:
    seen: list[DeviceStatus] = []
    bus.subscribe(seen.append, DeviceStatus)
    return seen


def test_find_device_by_name_index_and_default() -> None:
    devices = [AudioDeviceInfo(0, "HDMI out", 0, 8, 48000), AudioDeviceInfo(1, "USB PnP Sound Device: Audio", 1, 2, 44100),
               AudioDeviceInfo(2, "default", 128, 128, 44100)]
    assert find_device(devices, "usb pnp", True, None).index == 1
    assert find_device(devices, "2", True, None).name == "default"
    assert find_device(devices, "", True, None).name == "default"
    assert find_device(devices, "", False, 0).index == 0
    with pytest.raises(AudioDeviceError, match="'respeaker' not found; available: 1: USB PnP"):
        find_device(devices, "respeaker", True, None)


def test_no_sound_card_means_no_local_audio(caplog: pytest.LogCaptureFixture) -> None:
    if list_devices():
        pytest.skip("this machine has sound devices")
    with caplog.at_level(logging.WARNING):
        assert open_local_audio(AudioSettings(), EventBus()) is None
    assert [r.getMessage() for r in caplog.records] == ["local audio off: no sound devices found"]


def test_missing_channel_is_a_clear_refusal(caplog: pytest.LogCaptureFixture) -> None:
    device = ScriptedDevice(channels=2)
    with caplog.at_level(logging.WARNING):
        assert open_local_audio(AudioSettings(input_channel=4), EventBus(), backend=device) is None
    assert "channel 4 does not exist" in caplog.text


async def test_source_picks_channel_resamples_and_recovers_from_failures() -> None:
    # opens twice unsuccessfully, then the stream dies after 30 reads, then it works for good
    device = ScriptedDevice(rate=48_000, channels=2, fail_opens=2, fail_after=[30, None], tone_channel=1)
    bus = EventBus()
    seen = statuses(bus)
    source = AlsaSource(AudioSettings(input_channel=1, reopen_backoff_secs=0.1), bus, backend=device)
    assert (source.device_rate, source.channels) == (48_000, 2)
    frames = []

    async def consume() -> None:
        async for frame in source.frames():
            frames.append(frame)

    task = asyncio.create_task(consume())
    await eventually(lambda: [s.ok for s in seen] == [False, True, False, True] and len(frames) > 60)
    await source.close()
    await asyncio.wait_for(task, 5)

    assert [s.part for s in seen] == ["audio-in"] * 4
    assert "Device unavailable" in seen[0].detail and "unplugged" in seen[2].detail
    assert device.opens >= 4 and device.open_rates[0] == (48_000, 2)
    assert all(f.sample_rate == SAMPLE_RATE and len(f.samples) == FRAME_SAMPLES for f in frames)
    # channel 1 carries the tone: a 440 Hz sine at amplitude 8000 survives 48 -> 16 kHz
    steady = np.concatenate([f.samples for f in frames[5:25]])
    assert 7000 < np.abs(steady).max() < 9000
    spectrum = np.abs(np.fft.rfft(steady))
    assert abs(np.argmax(spectrum) * SAMPLE_RATE / len(steady) - 440) < 20


async def test_sink_plays_at_device_rate_with_volume_and_clear() -> None:
    device = ScriptedDevice(rate=24_000, channels=2)
    bus = EventBus()
    sink = AlsaSink(AudioSettings(volume=1.0), bus, source_rate=24_000, backend=device)
    assert sink.sample_rate == 24_000  # the voice's rate when the device takes it: no resampling

    tone = np.full(2400, 10000, np.int16)
    await sink.write(tone)
    await eventually(lambda: sum(len(c) for c in device.played) >= 2400)
    sink.set_volume(0.5)
    await sink.write(tone)
    await eventually(lambda: sum(len(c) for c in device.played) >= 4800)
    played = np.concatenate(device.played)
    assert set(np.unique(played[:2400])) == {10000} and set(np.unique(played[2400:4800])) == {5000}

    # barge-in: a long answer is queued, clear() drops the rest and flushes the device
    writer = asyncio.create_task(sink.write(np.full(24_000 * 3, 7, np.int16)))
    await eventually(lambda: len(device.played) > 25)
    sink.clear()
    await asyncio.wait_for(writer, 5)
    await asyncio.sleep(0.3)
    heard = sum(len(c) for c in device.played) - 4800
    assert heard < 24_000 and device.flushes >= 1
    await sink.close()


async def test_sink_survives_a_dying_device() -> None:
    device = ScriptedDevice(rate=48_000, channels=1, fail_after=[3, None])
    bus = EventBus()
    seen = statuses(bus)
    sink = AlsaSink(AudioSettings(reopen_backoff_secs=0.1), bus, source_rate=22_050, backend=device)
    assert sink.sample_rate == 48_000  # the device does not take the voice's rate: the writer resamples
    await sink.write(np.ones(48_000 // 5, np.int16))  # 10 chunks: the stream dies after 3
    await eventually(lambda: [s.ok for s in seen] == [True, False, True])
    await sink.write(np.full(960, 3, np.int16))
    await eventually(lambda: any(c[0] == 3 for c in device.played))
    await sink.close()
