"""The device's own microphone and speaker (ALSA through PyAudio) behind the AudioSource/AudioSink seam.

Each stream lives in its own thread that blocks on the device, so the event loop never waits on ALSA.
When a device fails (unplugged, busy, an unrecoverable xrun) the thread reports it as a `DeviceStatus`,
reopens it with a doubling back-off, and reports the recovery; meanwhile the source simply yields nothing
and the sink discards what it is given, so the conversation carries on.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

import numpy as np

from ..config import AudioSettings
from ..events import DeviceStatus, EventBus
from .devices import (AudioBackend, AudioDeviceError, AudioDeviceInfo, InputStream, OutputStream, PyAudioBackend,
                      choose_format, find_device)
from .frames import SAMPLE_RATE, AudioFrame, StreamResampler, downmix
from .io import AudioSink, AudioSource, QueueSource, RealtimeClock

log = logging.getLogger(__name__)

MAX_BACKOFF_SECS = 30.0
CHUNK_SECS = 0.02
"""Device I/O unit: small, so a barge-in or a close waits at most this long on a blocking call."""
SINK_IDLE_SECS = 0.3
"""Pause the playback stream after this long without audio (no underrun noise, no busy device)."""

S = TypeVar("S", InputStream, OutputStream)


@functools.lru_cache(maxsize=1)
def default_backend() -> AudioBackend:
    """One PortAudio instance per process (its device list is fixed at initialisation anyway)."""
    return PyAudioBackend()


def list_devices() -> list[AudioDeviceInfo]:
    """Sound devices (index, name, channels, default rate); [] when there is no ALSA or no card."""
    try:
        return default_backend().devices()
    except (ImportError, OSError) as err:
        log.info("no sound devices", extra={"reason": str(err)})
        return []


class DeviceKeeper(Generic[S]):
    """Keeps one device stream open in a thread: open, serve, on failure report and reopen with back-off."""

    def __init__(self, part: str, bus: EventBus, loop: asyncio.AbstractEventLoop, backoff_secs: float,
                 open_stream: Callable[[], S], serve: Callable[[S, threading.Event], None]) -> None:
        self.part, self._bus, self._loop = part, bus, loop
        self._backoff = backoff_secs
        self._open, self._serve = open_stream, serve
        self.stopping = threading.Event()
        self.down = False
        """True from a failure until the device works again."""
        self.failures = 0
        self._thread = threading.Thread(target=self._run, name=f"rtvi-{part}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def stop(self) -> None:
        self.stopping.set()
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join, 2.0)

    def _run(self) -> None:
        delay = self._backoff
        while not self.stopping.is_set():
            try:
                stream = self._open()
            except Exception as err:  # PortAudio reports a missing/busy device as OSError, sometimes others
                self._report_down(err)
                self.stopping.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF_SECS)
                continue
            self._report_up()
            delay = self._backoff
            failure = self._serve_until_failure(stream)
            _close_quietly(stream, self.part)
            if failure is not None:
                self._report_down(failure)
                self.stopping.wait(delay)

    def _serve_until_failure(self, stream: S) -> Exception | None:
        try:
            self._serve(stream, self.stopping)
        except Exception as err:  # any device error: report it and reopen
            return err
        return None

    def _report_down(self, err: Exception) -> None:
        self.failures += 1
        detail = f"{type(err).__name__}: {err}"
        if not self.down:
            log.warning("audio device failed; reopening", extra={"part": self.part, "detail": detail})
            self._publish(DeviceStatus(part=self.part, ok=False, detail=detail))
        else:
            log.debug("audio device still failing", extra={"part": self.part, "detail": detail})
        self.down = True

    def _report_up(self) -> None:
        if self.down:
            log.warning("audio device recovered", extra={"part": self.part})
        self.down = False
        self._publish(DeviceStatus(part=self.part, ok=True))

    def _publish(self, status: DeviceStatus) -> None:
        try:
            self._loop.call_soon_threadsafe(self._bus.publish, status)
        except RuntimeError:  # the loop is closed: the daemon is going away
            pass


def _close_quietly(stream: InputStream | OutputStream, part: str) -> None:
    try:
        stream.close()
    except Exception as err:  # a device that vanished may fail to close too; nothing left to do
        log.debug("closing audio stream failed", extra={"part": part, "detail": str(err)})


class AlsaSource(AudioSource):
    """The device microphone as 20 ms frames of 16 kHz mono int16 (one channel of a multi-channel mic)."""

    def __init__(self, settings: AudioSettings, bus: EventBus, backend: AudioBackend | None = None) -> None:
        self._backend = backend or default_backend()
        self._settings, self._bus = settings, bus
        self.device = find_device(self._backend.devices(), settings.input_device, True,
                                  self._backend.default_index(True))
        self.device_rate, self.channels = choose_format(self._backend, self.device, SAMPLE_RATE,
                                                        settings.input_channel + 1, True)
        self._queue = QueueSource(max_backlog_secs=1.0)
        self._keeper: DeviceKeeper[InputStream] | None = None
        log.info("capture device", extra={"device": self.device.name, "rate": self.device_rate,
                                          "channels": self.channels})

    async def frames(self) -> AsyncIterator[AudioFrame]:
        self._start()
        async for frame in self._queue.frames():
            yield frame

    def _start(self) -> None:
        if self._keeper is not None:
            return
        loop = asyncio.get_running_loop()
        chunk = int(self.device_rate * CHUNK_SECS)
        self._keeper = DeviceKeeper(
            "audio-in", self._bus, loop, self._settings.reopen_backoff_secs,
            lambda: self._backend.open_input(self.device.index, self.device_rate, self.channels, chunk),
            functools.partial(self._serve, loop, chunk))
        self._keeper.start()

    def _serve(self, loop: asyncio.AbstractEventLoop, chunk: int, stream: InputStream,
               stopping: threading.Event) -> None:
        resampler = StreamResampler(self.device_rate, SAMPLE_RATE)  # fresh per stream: no stale filter state
        while not stopping.is_set():
            interleaved = np.frombuffer(stream.read(chunk), dtype="<i2").astype(np.int16)
            mono = downmix(interleaved[: len(interleaved) - len(interleaved) % self.channels], self.channels,
                           self._settings.input_channel)
            samples = resampler.process(mono)
            if len(samples):
                loop.call_soon_threadsafe(self._queue.push, AudioFrame(np.array(samples, dtype=np.int16)))

    async def close(self) -> None:
        if self._keeper is not None:
            await self._keeper.stop()
        await self._queue.close()


class AlsaSink(AudioSink):
    """The device speaker. `sample_rate` is the rate the device runs at: write int16 mono at that rate.

    The device is opened at `source_rate` (the voice's rate) when it takes it, so usually nothing is
    resampled at all. Writes are paced to real time plus a small lead; `clear` empties the queue and the
    device buffer at once.
    """

    def __init__(self, settings: AudioSettings, bus: EventBus, source_rate: int,
                 backend: AudioBackend | None = None) -> None:
        self._backend = backend or default_backend()
        self._settings, self._bus = settings, bus
        self.device = find_device(self._backend.devices(), settings.output_device, False,
                                  self._backend.default_index(False))
        self.sample_rate, self.channels = choose_format(self._backend, self.device, source_rate, 1, False)
        self.volume = settings.volume
        self.clock = RealtimeClock(lead_secs=0.1)
        self._chunks: deque[np.ndarray] = deque()
        self._wake = threading.Condition()
        self._flush = False
        self._keeper: DeviceKeeper[OutputStream] | None = None
        log.info("playback device", extra={"device": self.device.name, "rate": self.sample_rate,
                                           "channels": self.channels})

    def set_volume(self, volume: float) -> None:
        """0 (silent) to 1 (full); applies to audio not yet played."""
        self.volume = min(1.0, max(0.0, float(volume)))

    async def write(self, samples: np.ndarray) -> None:
        self._start()
        if self._keeper is not None and not self._keeper.down:
            step = int(self.sample_rate * CHUNK_SECS)
            with self._wake:
                self._chunks.extend(samples[i:i + step].astype(np.int16) for i in range(0, len(samples), step))
                self._wake.notify()
        # else: the device is being reopened; drop the audio but keep the pace, as a speaker would
        await self.clock.advance(len(samples) / self.sample_rate)

    def clear(self) -> None:
        with self._wake:
            self._chunks.clear()
            self._flush = True
            self._wake.notify()
        self.clock.reset()
        self._tap_cleared()

    async def drain(self) -> None:
        await asyncio.sleep(self.clock.ahead())

    def _start(self) -> None:
        if self._keeper is not None:
            return
        chunk = int(self.sample_rate * CHUNK_SECS)
        self._keeper = DeviceKeeper(
            "audio-out", self._bus, asyncio.get_running_loop(), self._settings.reopen_backoff_secs,
            lambda: self._backend.open_output(self.device.index, self.sample_rate, self.channels, chunk),
            self._serve)
        self._keeper.start()

    def _next_chunk(self, stopping: threading.Event) -> tuple[np.ndarray | None, bool]:
        """The next piece to play (None when idle) and whether the device buffer must be dropped first."""
        with self._wake:
            if not self._chunks and not self._flush and not stopping.is_set():
                self._wake.wait(SINK_IDLE_SECS)
            flush, self._flush = self._flush, False
            return (self._chunks.popleft() if self._chunks else None), flush

    def _serve(self, stream: OutputStream, stopping: threading.Event) -> None:
        try:
            self._play(stream, stopping)
        except Exception:
            with self._wake:  # audio queued for a dead device would play stale after the reopen
                self._chunks.clear()
            raise

    def _play(self, stream: OutputStream, stopping: threading.Event) -> None:
        paused = True
        while not stopping.is_set():
            chunk, flush = self._next_chunk(stopping)
            if flush and not paused:
                stream.flush()
                self._tap_cleared()  # a chunk written since clear() was dropped by the flush too
                paused = True
            if chunk is None:
                if not paused:
                    stream.pause()
                    paused = True
                continue
            scaled = (chunk.astype(np.float32) * self.volume).astype("<i2")
            stream.write(np.repeat(scaled, self.channels).tobytes() if self.channels > 1 else scaled.tobytes())
            self._tap_played(scaled, self._heard_at(stream, len(chunk)))
            paused = False

    def _heard_at(self, stream: OutputStream, samples: int) -> float:
        """When a chunk just written starts to be heard: behind what the device holds, counted low.

        Half the reported output latency: an early estimate only makes the echo canceller's delay
        search longer, a late one would make the echo precede its reference.
        """
        latency = float(getattr(stream, "latency", 0.0) or 0.0)
        return time.monotonic() + max(0.0, 0.5 * latency - samples / self.sample_rate)

    async def close(self) -> None:
        if self._keeper is not None:
            self._keeper.stopping.set()
            with self._wake:
                self._wake.notify()
            await self._keeper.stop()


def open_local_audio(settings: AudioSettings, bus: EventBus, source_rate: int = 24_000,
                     backend: AudioBackend | None = None) -> tuple[AudioSource, AudioSink] | None:
    """The device mic and speaker, or None (logged once) when either is missing: RTVI clients only then.

    Blocking (it probes the devices): call it at start-up, before the loop is busy, or via a thread.
    """
    if not settings.enabled:
        log.warning("local audio off: disabled by audio.enabled = false")
        return None
    try:
        backend = backend or default_backend()
        if not backend.devices():
            raise AudioDeviceError("no sound devices found")
        return AlsaSource(settings, bus, backend), AlsaSink(settings, bus, source_rate, backend)
    except (AudioDeviceError, ImportError, OSError) as err:
        log.warning(f"local audio off: {err}")
        return None
