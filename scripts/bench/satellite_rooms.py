"""Simulated satellites for the benchmark: clip microphones, many rooms asking at once, double detections.

`ClipMicrophone` streams silence in real time and plays queued clips, as a room's microphone hears them.
`ask_at_once` has N SDK clients ask N questions at the same moment (voice to voice per client);
`double_detection` has two real `Satellite`s (real wake word) hear one request, a near and a far room.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from firmware_py.client import RtviClient, WebSocketTransport
from firmware_py.client.satellite import Satellite, SatelliteSettings
from firmware_py.client.turns import TurnWatcher

RATE = 16_000
CHUNK = 320


class ClipMicrophone:
    """20 ms chunks in real time: silence, or the clip queued with `play` (its last voiced sample's send
    time is set in `speech_end_at`)."""

    def __init__(self) -> None:
        self._clip: np.ndarray | None = None
        self._position = 0
        self._last_voiced = 0
        self.speech_end_at: float | None = None
        self.finished = asyncio.Event()

    def play(self, samples: np.ndarray, last_voiced: int) -> None:
        self._clip, self._position, self._last_voiced = samples.astype(np.int16), 0, last_voiced
        self.speech_end_at = None
        self.finished.clear()

    async def chunks(self) -> AsyncIterator[bytes]:
        started = time.monotonic()
        index = 0
        while True:
            await asyncio.sleep(max(0.0, started + index * CHUNK / RATE - time.monotonic()))
            index += 1
            yield self._next()

    def _next(self) -> bytes:
        clip = self._clip
        if clip is None:
            return bytes(2 * CHUNK)
        piece = clip[self._position:self._position + CHUNK]
        self._position += CHUNK
        if self.speech_end_at is None and self._position >= self._last_voiced:
            self.speech_end_at = time.monotonic()
        if self._position >= len(clip):
            self._clip = None
            self.finished.set()
        return np.pad(piece, (0, CHUNK - len(piece))).astype("<i2").tobytes()


@dataclass
class ClientTurn:
    question: str
    heard: str = ""
    answered: bool = False
    voice_to_voice_ms: float | None = None
    first_text_ms: float | None = None
    error: str = ""


async def ask_at_once(url: str, token: str, clips: list[Any], timeout: float) -> list[ClientTurn]:
    """One fresh client per clip; all start speaking together; each turn followed to the end of its answer."""
    clients = [RtviClient(WebSocketTransport(url, token)) for _ in clips]
    await asyncio.gather(*(client.connect() for client in clients))
    try:
        return list(await asyncio.gather(*(_one_turn(client, clip, timeout) for client, clip in zip(clients, clips))))
    finally:
        await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)


async def _one_turn(client: RtviClient, clip: Any, timeout: float) -> ClientTurn:
    mic = ClipMicrophone()
    watcher = TurnWatcher(client, voice=True)
    record = watcher.begin()
    mic.play(np.concatenate([np.zeros(RATE // 2, np.int16), clip.samples]), RATE // 2 + clip.last_voiced)
    streaming = asyncio.create_task(_stream(client, mic))
    turn = ClientTurn(clip.question.text)
    try:
        while mic.speech_end_at is None:
            await asyncio.sleep(0.01)
        record.started_at = mic.speech_end_at
        await watcher.wait(timeout)
    except (asyncio.TimeoutError, ConnectionError) as err:
        turn.error = repr(err)
    finally:
        streaming.cancel()
        await asyncio.gather(streaming, return_exceptions=True)
        watcher.close()
    turn.heard, turn.answered = record.user_text, record.answered
    turn.voice_to_voice_ms, turn.first_text_ms = record.voice_latency_ms, record.text_latency_ms
    return turn


async def _stream(client: RtviClient, mic: ClipMicrophone) -> None:
    async for chunk in mic.chunks():
        await client.send_audio(chunk)


# --- arbitration ------------------------------------------------------------------------------------------


@dataclass
class Room:
    name: str
    satellite: Satellite
    mic: ClipMicrophone


def open_room(name: str, url: str, token: str, wake: Any) -> Room:
    mic = ClipMicrophone()
    settings = SatelliteSettings(hub_url=url, token=token, room=name, listen_secs=6.0, follow_up_secs=0.5)
    return Room(name, Satellite(settings, mic, None, wake), mic)


async def double_detection(near: Room, far: Room, clip: np.ndarray, far_gain: float, lag_secs: float,
                           near_first: bool, settle_secs: float) -> dict[str, Any]:
    """Both rooms hear `clip`, the far one quieter; the second `lag_secs` after the first. Who answered?"""
    before = {room.name: (room.satellite.answers, room.satellite.wakes, room.satellite.stand_downs)
              for room in (near, far)}
    quiet = (clip.astype(np.float32) * far_gain).astype(np.int16)
    plays = [(near, clip), (far, quiet)] if near_first else [(far, quiet), (near, clip)]
    plays[0][0].mic.play(plays[0][1], len(clip))
    await asyncio.sleep(lag_secs)
    plays[1][0].mic.play(plays[1][1], len(clip))
    await asyncio.gather(near.mic.finished.wait(), far.mic.finished.wait())
    deadline = time.monotonic() + settle_secs
    while time.monotonic() < deadline and (near.satellite.streaming or far.satellite.streaming):
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    out: dict[str, Any] = {"far_gain": round(far_gain, 3), "lag_secs": round(lag_secs, 3), "near_first": near_first}
    for room in (near, far):
        answers, wakes, stand_downs = before[room.name]
        out[room.name] = {"answers": room.satellite.answers - answers, "woke": room.satellite.wakes - wakes,
                          "stood_down": room.satellite.stand_downs - stand_downs,
                          "heard": room.satellite.heard[-1] if room.satellite.heard else ""}
        room.satellite.heard.clear()
    out["double_detection"] = out[near.name]["woke"] > 0 and out[far.name]["woke"] > 0
    out["answers"] = out[near.name]["answers"] + out[far.name]["answers"]
    out["right_room"] = out[near.name]["answers"] > 0 and out[far.name]["answers"] == 0
    return out
