"""A satellite's hardware: microphone (device or WAV), speaker, wake word, LEDs and the talk button.

The LEDs reuse the daemon's controller on a satellite-local bus, so they show the hub's states for this
room (listening, thinking, speaking) as the daemon's own LEDs would. The button: a short press wakes
the satellite (or interrupts the bot), a long press toggles mute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..events import EventBus, StateChanged
from ..heap import release_freed_heap
from .audio_io import DeviceMicrophone, Speaker, WavMicrophone, device_speaker

if TYPE_CHECKING:
    from .satellite import Satellite, SatelliteSettings

log = logging.getLogger(__name__)

REFRACTORY_SECS = 2.0


def open_wake_word(settings: "SatelliteSettings", models_dir: str) -> Any:
    from ..models.manifest import models_dir as default_models_dir
    from ..speech.wakeword import WakeWordEngine

    root = Path(models_dir) if models_dir else default_models_dir()
    engine = WakeWordEngine(root / "wakeword", settings.phrase, prefer_litert=True)  # ~20 MB less than onnxruntime
    release_freed_heap()
    return engine.new_stream(settings.threshold, REFRACTORY_SECS)


class SatelliteButton:
    """Short press: wake (or interrupt the bot while it answers); long press: mute on/off."""

    def __init__(self, pin: int, long_press_secs: float, loop: asyncio.AbstractEventLoop) -> None:
        from gpiozero import Button

        self.satellite: "Satellite | None" = None
        self._loop, self._held = loop, False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.button = Button(pin, pull_up=True, bounce_time=0.02, hold_time=long_press_secs)
        self.button.when_pressed = lambda: self._call(self._pressed)
        self.button.when_released = lambda: self._call(self._released)
        self.button.when_held = lambda: self._call(self._long_press)

    def _call(self, action: Callable[[], None]) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed during shutdown
            self._loop.call_soon_threadsafe(action)

    def _pressed(self) -> None:
        self._held = False

    def _released(self) -> None:
        satellite = self.satellite
        if self._held or satellite is None or satellite.muted:
            return
        client = satellite.link.client
        if satellite.hub_state in ("thinking", "speaking") and client is not None:
            self._spawn(client.send_client_request("interrupt"))
        else:
            self._spawn(satellite.wake_up(1.0))

    def _long_press(self) -> None:
        self._held = True
        if self.satellite is not None:
            self.satellite.set_muted(not self.satellite.muted)

    def _spawn(self, coro: Any) -> None:
        task = self._loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.info("button action failed", extra={"error": repr(task.exception())})

    def close(self) -> None:
        self.button.close()


def _show_stand_down(leds: Any, event: Any) -> None:
    """Another room answers: two quick blinks of the listening LED, then dark (the controller has no
    pattern for it, so it stays idle)."""
    led = leds.listening_led
    if getattr(event, "state", "") == "standing_down" and led is not None:
        led.blink(on_time=0.15, off_time=0.15, n=2, background=True)


@contextlib.asynccontextmanager
async def open_satellite_io(settings: "SatelliteSettings", wav: str, models_dir: str) -> AsyncIterator[Any]:
    """(mic, speaker, wake, bus, attach): `attach(satellite)` connects the button once it exists."""
    from ..audio.io import NullSink

    bus = EventBus()
    wake = open_wake_word(settings, models_dir) if settings.mode == "wakeword" else None
    mic: Any = WavMicrophone(wav, tail_secs=None) if wav else DeviceMicrophone(settings.audio, bus)
    speaker = Speaker(NullSink()) if wav else device_speaker(settings.audio, bus)
    leds = button = None
    if settings.gpio.enabled:
        from ..integrations.leds import LedController

        leds = LedController(settings.gpio, bus, session_id=None)
        bus.subscribe(lambda event: _show_stand_down(leds, event), StateChanged)
        if settings.gpio.button:
            button = SatelliteButton(settings.gpio.button, settings.gpio.long_press_secs,
                                     asyncio.get_running_loop())

    def attach(satellite: "Satellite") -> None:
        if button is not None:
            button.satellite = satellite

    try:
        yield mic, speaker, wake, bus, attach
    finally:
        if hasattr(mic, "close"):
            await mic.close()
        await speaker.close()
        for part in (leds, button):
            if part is not None:
                part.close()
