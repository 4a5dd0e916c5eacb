"""`rtvi-edge satellite --hub URL`: a small device that is only ears, a voice and lights for a hub.

It runs its microphone, speaker, LEDs, button and (optionally) the wake word, and streams to the hub's
RTVI WebSocket only after the wake word (or always). Before streaming it tells the hub the wake word's
score and the speech level (`client-message wake-word`), so the hub can let the best room answer when
several heard the same request; a satellite told to stand down (state `standing_down`) stops at once.
Without an echo canceller of its own it asks the hub for one (`?echo_cancel=1`). The hub link reconnects
with a doubling back-off, so the satellite outlives hub restarts.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from ..config import AudioSettings, GpioSettings
from ..events import ErrorEvent, EventBus, StateChanged
from . import events as ev
from .audio_io import CHUNK_SECS, Speaker, level_dbfs
from .hub_link import HubLink

log = logging.getLogger(__name__)

CLAIM_LEVEL_SECS = 1.0
"""Audio before the wake word's detection whose level goes into the claim (the phrase itself)."""
DRAIN_SECS = 1.6
"""Silence sent when streaming stops, so the hub closes a turn the satellite left open."""
HUB_BUSY_STATES = {"user_speaking", "thinking", "speaking"}


@dataclass(frozen=True)
class SatelliteSettings:
    hub_url: str
    """The hub's RTVI WebSocket, e.g. ws://hub.local:7860/ws."""
    token: str = ""
    """The hub's `server.token`."""
    room: str = ""
    """A name for this satellite in the hub's logs and arbitration (default: the host name)."""
    mode: str = "wakeword"
    """`wakeword`: stream after the wake word; `always`: stream all the time."""
    phrase: str = "hey_jarvis"
    threshold: float = 0.5
    listen_secs: float = 8.0
    """After the wake word, how long to stream waiting for the user to speak."""
    follow_up_secs: float = 5.0
    """After an answer, how long to go on streaming for a reply without the wake word."""
    own_echo_cancel: bool = False
    """The device cancels its speaker's echo itself; otherwise the hub is asked to (`echo_cancel=1`)."""
    backoff_secs: float = 1.0
    max_backoff_secs: float = 30.0
    audio: AudioSettings = field(default_factory=AudioSettings)
    gpio: GpioSettings = field(default_factory=GpioSettings)


class Microphone(Protocol):
    def chunks(self) -> AsyncIterator[bytes]: ...


class WakeDetector(Protocol):
    def process(self, samples: object) -> float | None: ...
    def reset(self) -> None: ...


class Satellite:
    def __init__(self, settings: SatelliteSettings, mic: Microphone, speaker: Speaker | None,
                 wake: WakeDetector | None, bus: EventBus | None = None) -> None:
        if settings.mode == "wakeword" and wake is None:
            raise ValueError("wake-word mode needs a wake word detector")
        self.settings, self.mic, self.speaker, self.wake = settings, mic, speaker, wake
        self.bus = bus or EventBus()
        self.link = HubLink(settings, self._on_event, self._on_connected, self._on_disconnected)
        self.streaming = settings.mode == "always"
        self.muted = False
        self.stream_until = float("inf") if self.streaming else 0.0
        self.state = ""
        self.hub_state = ""
        self.wakes = 0
        self.answers = 0
        """Answers the hub started speaking here."""
        self.stand_downs = 0
        self.heard: collections.deque[str] = collections.deque(maxlen=20)
        """The hub's final transcripts of what this room said (newest last)."""
        self._drain_chunks = 0
        self._recent: collections.deque[bytes] = collections.deque(maxlen=int(CLAIM_LEVEL_SECS / CHUNK_SECS))

    async def run(self) -> None:
        """Serve until cancelled: the hub link and the microphone side by side."""
        self._show("idle" if not self.streaming else "listening")
        link = asyncio.create_task(self.link.run(), name="hub-link")
        try:
            await self._listen()
        finally:
            link.cancel()
            await asyncio.gather(link, return_exceptions=True)
            await self.link.close()

    # --- microphone ---------------------------------------------------------------------------------

    async def _listen(self) -> None:
        import numpy as np

        async for chunk in self.mic.chunks():
            self._recent.append(chunk)
            if self.muted:
                continue
            if self._drain_chunks:
                self._drain_chunks -= 1
                await self.link.send_audio(bytes(len(chunk)))
            elif self.streaming:
                await self.link.send_audio(chunk)
                if time.monotonic() > self.stream_until and self.hub_state not in HUB_BUSY_STATES:
                    self.stop_streaming("no request")
            elif self.wake is not None and self.settings.mode == "wakeword":
                score = self.wake.process(np.frombuffer(chunk, dtype="<i2"))
                if score is not None:
                    await self.wake_up(float(score))

    async def wake_up(self, score: float = 1.0) -> None:
        """The wake word (or the button): tell the hub how well it was heard, then stream to it."""
        if not self.link.connected:
            log.info("wake word heard but the hub is not connected")
            self.bus.publish(ErrorEvent(message="hub not connected"))
            return
        self.wakes += 1
        level = level_dbfs(b"".join(self._recent))
        await self.link.claim(score, level)
        self.streaming, self._drain_chunks = True, 0
        self.stream_until = time.monotonic() + self.settings.listen_secs
        self._show("listening")
        log.info("streaming to the hub", extra={"score": round(score, 3), "level_dbfs": round(level, 1)})

    def stop_streaming(self, why: str) -> None:
        if self.settings.mode == "always" or not self.streaming:
            return
        self.streaming = False
        self._drain_chunks = int(DRAIN_SECS / CHUNK_SECS)
        if self.wake is not None:
            self.wake.reset()
        self._show("idle")
        log.info("streaming stopped", extra={"why": why})

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.stop_streaming("muted")
        self._show("muted" if muted else ("listening" if self.streaming else "idle"))

    # --- hub events ---------------------------------------------------------------------------------

    def _on_connected(self) -> None:
        if self.settings.mode == "always":
            self._show("listening")

    def _on_disconnected(self, reason: str) -> None:
        self.bus.publish(ErrorEvent(message=f"hub connection lost: {reason}"))
        if self.speaker is not None:
            self.speaker.clear()
        self.hub_state = ""
        self.stop_streaming("hub gone")
        self._drain_chunks = 0

    async def _on_event(self, event: ev.ClientEvent) -> None:
        if isinstance(event, ev.BotAudio) and self.speaker is not None:
            self.speaker.play(event)
        elif isinstance(event, (ev.BotInterrupted, ev.UserStartedSpeaking)) and self.speaker is not None:
            self.speaker.clear()
        if isinstance(event, ev.UserStartedSpeaking) and self.settings.mode == "always":
            await self.link.claim(None, level_dbfs(b"".join(list(self._recent)[-25:])))  # no wake word heard
        elif isinstance(event, ev.UserTranscript) and event.final:
            self.heard.append(str(event.text))
            log.info("heard", extra={"room": self.link.room, "text": str(event.text)[:200]})
        elif isinstance(event, ev.BotStartedSpeaking):
            self.answers += 1
        elif isinstance(event, ev.BotStoppedSpeaking):
            self.stream_until = time.monotonic() + self.settings.follow_up_secs
        elif isinstance(event, ev.ServerMessage) and event.data.get("type") == "state":
            self._on_hub_state(str(event.data.get("state", "")))

    def _on_hub_state(self, state: str) -> None:
        self.hub_state = state
        if state == "standing_down":
            self.stand_downs += 1
            if self.speaker is not None:
                self.speaker.clear()
            self.stop_streaming("another room answers")
            self._show("standing_down")
            return
        if self.streaming and state:
            self._show(state)

    def _show(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.bus.publish(StateChanged(state=state))


async def run_satellite(settings: SatelliteSettings, wav: str = "", models_dir: str = "") -> None:
    """The satellite on this device's microphone (or a WAV file), speaker, LEDs and button."""
    from .satellite_io import open_satellite_io

    async with open_satellite_io(settings, wav, models_dir) as (mic, speaker, wake, bus, attach):
        satellite = Satellite(settings, mic, speaker, wake, bus)
        attach(satellite)
        await satellite.run()


def satellite_command(settings: SatelliteSettings, wav: str = "", models_dir: str = "") -> int:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_satellite(settings, wav, models_dir))
    return 0


__all__ = ["Satellite", "SatelliteSettings", "run_satellite", "satellite_command"]
