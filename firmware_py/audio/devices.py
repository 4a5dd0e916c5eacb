"""Sound devices through PyAudio (PortAudio over ALSA): listing, choosing, and opening blocking streams.

`AudioBackend` is the seam the ALSA source and sink use, so that tests can inject a device that fails
and recovers. `PyAudioBackend` is the real one. Every call here blocks: callers run them off the event loop.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

PREFERRED_RATES = (16_000, 48_000, 44_100, 24_000, 22_050, 32_000)


class AudioDeviceError(RuntimeError):
    """No usable device for a request; the message says which device and why."""


@dataclass(frozen=True)
class AudioDeviceInfo:
    index: int
    name: str
    max_input_channels: int
    max_output_channels: int
    default_rate: int


class InputStream(Protocol):
    def read(self, frames: int) -> bytes:
        """Block until `frames` interleaved int16 frames were captured; OSError when the device fails."""

    def close(self) -> None: ...


class OutputStream(Protocol):
    def write(self, pcm: bytes) -> None:
        """Block until the device took `pcm` (interleaved int16); OSError when the device fails."""

    def pause(self) -> None:
        """Let what was written play out, then stop the clock (idle: no underruns)."""

    def flush(self) -> None:
        """Drop what the device has not played yet (barge-in)."""

    def close(self) -> None: ...


class AudioBackend(Protocol):
    def devices(self) -> list[AudioDeviceInfo]: ...

    def default_index(self, is_input: bool) -> int | None: ...

    def supports(self, index: int, rate: int, channels: int, is_input: bool) -> bool: ...

    def open_input(self, index: int, rate: int, channels: int, frames_per_buffer: int) -> InputStream: ...

    def open_output(self, index: int, rate: int, channels: int, frames_per_buffer: int) -> OutputStream: ...


# --- choosing a device ------------------------------------------------------------------------------


def find_device(devices: list[AudioDeviceInfo], spec: str, is_input: bool,
                default_index: int | None) -> AudioDeviceInfo:
    """The device named by `spec` (an index or a case-insensitive name substring; empty: the default)."""
    usable = [d for d in devices if (d.max_input_channels if is_input else d.max_output_channels) > 0]
    kind = "capture" if is_input else "playback"
    if not usable:
        raise AudioDeviceError(f"no {kind} device")
    spec = spec.strip()
    if not spec:
        chosen = next((d for d in usable if d.index == default_index), None)
        return chosen or next((d for d in usable if d.name in ("default", "sysdefault")), usable[0])
    if spec.isdigit():
        chosen = next((d for d in usable if d.index == int(spec)), None)
    else:
        chosen = next((d for d in usable if spec.lower() in d.name.lower()), None)
    if chosen is None:
        names = ", ".join(f"{d.index}: {d.name}" for d in usable)
        raise AudioDeviceError(f"{kind} device {spec!r} not found; available: {names}")
    return chosen


def choose_format(backend: AudioBackend, device: AudioDeviceInfo, wanted_rate: int, min_channels: int,
                  is_input: bool) -> tuple[int, int]:
    """(rate, channels) the device takes: `wanted_rate` if possible, else its default, else a common rate.

    Some USB microphones open only in stereo, so two channels are tried when one is refused.
    """
    limit = device.max_input_channels if is_input else device.max_output_channels
    if min_channels > limit:
        raise AudioDeviceError(f"device {device.name!r} has {limit} channel(s); channel {min_channels - 1} "
                               "does not exist (check audio.input_channel)")
    for channels in dict.fromkeys((min_channels, min(max(min_channels, 2), limit))):
        for rate in dict.fromkeys((wanted_rate, device.default_rate, *PREFERRED_RATES)):
            if rate > 0 and backend.supports(device.index, rate, channels, is_input):
                return rate, channels
    raise AudioDeviceError(f"device {device.name!r} accepts none of the rates {sorted(set(PREFERRED_RATES))} "
                           "for 16-bit audio")


# --- PyAudio ----------------------------------------------------------------------------------------

_stderr_lock = threading.Lock()


def quiet_native(call: Callable[[], Any]) -> Any:
    """Run `call` with file descriptor 2 captured: ALSA and JACK print pages of probing noise on init.

    The noise goes to the debug log instead of the journal.
    """
    with _stderr_lock, tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            return call()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            noise = sink.read().decode(errors="replace").strip()
            if noise:
                log.debug("audio library output", extra={"output": noise[-2000:]})


class PyAudioBackend:
    """The real devices. PortAudio's device list is fixed when it initialises (once per process)."""

    def __init__(self) -> None:
        import pyaudio

        self._pyaudio = pyaudio
        self._pa = quiet_native(pyaudio.PyAudio)

    def devices(self) -> list[AudioDeviceInfo]:
        found = []
        for index in range(self._pa.get_device_count()):
            info = self._pa.get_device_info_by_index(index)
            found.append(AudioDeviceInfo(index=index, name=str(info["name"]),
                                         max_input_channels=int(info["maxInputChannels"]),
                                         max_output_channels=int(info["maxOutputChannels"]),
                                         default_rate=int(info["defaultSampleRate"])))
        return found

    def default_index(self, is_input: bool) -> int | None:
        try:
            info = self._pa.get_default_input_device_info() if is_input else self._pa.get_default_output_device_info()
        except OSError:  # PortAudio has no default of that kind
            return None
        return int(info["index"])

    def supports(self, index: int, rate: int, channels: int, is_input: bool) -> bool:
        direction = {"input_device" if is_input else "output_device": index,
                     "input_channels" if is_input else "output_channels": channels,
                     "input_format" if is_input else "output_format": self._pyaudio.paInt16}
        try:
            return bool(quiet_native(lambda: self._pa.is_format_supported(rate, **direction)))
        except ValueError:  # PortAudio raises ValueError for an unsupported format
            return False

    def open_input(self, index: int, rate: int, channels: int, frames_per_buffer: int) -> InputStream:
        stream = quiet_native(lambda: self._pa.open(
            rate=rate, channels=channels, format=self._pyaudio.paInt16, input=True,
            input_device_index=index, frames_per_buffer=frames_per_buffer))
        return _PyAudioInput(stream)

    def open_output(self, index: int, rate: int, channels: int, frames_per_buffer: int) -> OutputStream:
        stream = quiet_native(lambda: self._pa.open(
            rate=rate, channels=channels, format=self._pyaudio.paInt16, output=True,
            output_device_index=index, frames_per_buffer=frames_per_buffer))
        return _PyAudioOutput(stream)


class _PyAudioInput:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, frames: int) -> bytes:
        # An overflow (we were late) loses a few ms; raising on it would reopen the device for nothing.
        return self._stream.read(frames, exception_on_overflow=False)

    def close(self) -> None:
        self._stream.close()


class _PyAudioOutput:
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, pcm: bytes) -> None:
        if self._stream.is_stopped():
            self._stream.start_stream()
        self._stream.write(pcm, exception_on_underflow=False)

    @property
    def latency(self) -> float:
        """Seconds PortAudio reports between a write and the sound (the echo canceller's hint)."""
        try:
            return float(self._stream.get_output_latency())
        except Exception:  # a stream that is closing has no latency to report
            return 0.0

    def pause(self) -> None:
        self._stream.stop_stream()  # Pa_StopStream plays out the buffered audio first

    def flush(self) -> None:
        # Pa_AbortStream drops the device buffer at once (Pa_StopStream would play it out first).
        # PyAudio's Stream class does not wrap it, its C module does.
        from pyaudio import _portaudio

        if not self._stream.is_stopped():
            _portaudio.abort_stream(self._stream._stream)
            self._stream._is_running = False

    def close(self) -> None:
        self._stream.close()
