"""An injectable sound device for the ALSA source/sink tests: scripted failures, recorded playback."""

from __future__ import annotations

import threading
import time

import numpy as np

from firmware_py.audio.devices import AudioDeviceInfo


class ScriptedDevice:
    """An `AudioBackend` with one device whose open/read/write fail on a script, then work again.

    `fail_opens` failed opens come first; each stream then fails after `fail_after` reads/writes
    (None: never). Capture delivers a 440 Hz tone on channel `tone_channel` and zeros elsewhere.
    """

    def __init__(self, rate: int = 48_000, channels: int = 2, fail_opens: int = 0,
                 fail_after: list[int | None] | None = None, tone_channel: int = 1) -> None:
        self.info = AudioDeviceInfo(index=3, name="Scripted USB Audio (hw:1,0)", max_input_channels=channels,
                                    max_output_channels=channels, default_rate=rate)
        self.rate, self.tone_channel = rate, tone_channel
        self.fail_opens = fail_opens
        self.fail_after = list(fail_after or [])
        self.opens = 0
        self.open_rates: list[tuple[int, int]] = []
        self.played: list[np.ndarray] = []
        self.flushes = 0
        self.lock = threading.Lock()

    # AudioBackend
    def devices(self) -> list[AudioDeviceInfo]:
        return [self.info]

    def default_index(self, is_input: bool) -> int | None:
        return self.info.index

    def supports(self, index: int, rate: int, channels: int, is_input: bool) -> bool:
        return index == self.info.index and rate == self.rate and channels <= self.info.max_input_channels

    def open_input(self, index: int, rate: int, channels: int, frames_per_buffer: int) -> "ScriptedStream":
        return self._open(rate, channels)

    def open_output(self, index: int, rate: int, channels: int, frames_per_buffer: int) -> "ScriptedStream":
        return self._open(rate, channels)

    def _open(self, rate: int, channels: int) -> "ScriptedStream":
        with self.lock:
            self.opens += 1
            if self.fail_opens > 0:
                self.fail_opens -= 1
                raise OSError(-9985, "Device unavailable")
            self.open_rates.append((rate, channels))
            budget = self.fail_after.pop(0) if self.fail_after else None
        return ScriptedStream(self, rate, channels, budget)


class ScriptedStream:
    def __init__(self, device: ScriptedDevice, rate: int, channels: int, budget: int | None) -> None:
        self.device, self.rate, self.channels, self.budget = device, rate, channels, budget
        self.position = 0
        self.closed = False

    def _spend(self) -> None:
        if self.budget is not None:
            if self.budget <= 0:
                raise OSError(-9999, "Unanticipated host error (device unplugged)")
            self.budget -= 1

    def read(self, frames: int) -> bytes:
        self._spend()
        time.sleep(0.002)  # a little pacing so the reader thread does not spin
        t = (self.position + np.arange(frames)) / self.rate
        self.position += frames
        block = np.zeros((frames, self.channels), dtype=np.int16)
        block[:, self.device.tone_channel] = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        return block.astype("<i2").tobytes()

    def write(self, pcm: bytes) -> None:
        self._spend()
        samples = np.frombuffer(pcm, dtype="<i2").reshape(-1, self.channels)[:, 0]
        time.sleep(len(samples) / self.rate)  # a device takes audio in real time
        with self.device.lock:
            self.device.played.append(samples.copy())

    def pause(self) -> None:
        pass

    def flush(self) -> None:
        self.device.flushes += 1

    def close(self) -> None:
        self.closed = True
