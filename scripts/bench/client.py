"""A benchmark RTVI client: the Pipecat WebSocket transport's protobuf frames, a real-time microphone,
and a receive log of every message and audio frame with its arrival time (time.monotonic)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from firmware_py.rtvi.protocol import wire

SAMPLE_RATE = 16_000
FRAME_SAMPLES = 320
FRAME_SECS = FRAME_SAMPLES / SAMPLE_RATE
PROTOCOL_VERSION = "2.1.0"
AUDIBLE = 300
"""A bot sample louder than this (int16) is heard: voices start with a quiet breath, silence is exact zeros."""


def audible_onset(samples: np.ndarray) -> int:
    """Index of the first audible sample, or -1."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > AUDIBLE)
    return int(loud[0]) if len(loud) else -1


@dataclass
class Received:
    at: float
    type: str
    data: Any = None


@dataclass
class Playback:
    """A clip queued on the microphone; `sent_at[i]` is when the frame holding sample `marks[i]` went out."""

    samples: np.ndarray
    marks: dict[str, int]
    done: asyncio.Future[dict[str, float]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Microphone:
    """Streams 20 ms frames in real time forever: queued clips, silence in between (as a real mic does).

    Frame k of the stream goes out when its 20 ms have 'been recorded', on an absolute schedule so the
    pace does not drift; a late loop catches up rather than slipping.
    """

    def __init__(self, send: Callable[[bytes], Any]) -> None:
        self._send = send
        self._queue: asyncio.Queue[Playback] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.frames_sent = 0
        self.late_frames = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def play(self, samples: np.ndarray, marks: dict[str, int] | None = None) -> asyncio.Future[dict[str, float]]:
        playback = Playback(samples.astype(np.int16), marks or {})
        self._queue.put_nowait(playback)
        return playback.done

    async def _run(self) -> None:
        silence = np.zeros(FRAME_SAMPLES, np.int16)
        start = time.monotonic()
        frame_index = 0
        current: Playback | None = None
        position = 0
        sent_at: dict[str, float] = {}
        while True:
            if current is None and not self._queue.empty():
                current, position, sent_at = self._queue.get_nowait(), 0, {}
            if current is not None:
                chunk = current.samples[position:position + FRAME_SAMPLES]
                chunk = np.concatenate([chunk, silence[: FRAME_SAMPLES - len(chunk)]]) if len(chunk) < FRAME_SAMPLES else chunk
            else:
                chunk = silence
            frame_index += 1
            delay = start + frame_index * FRAME_SECS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -FRAME_SECS:
                self.late_frames += 1
            await self._send(wire.encode_audio(chunk.tobytes(), SAMPLE_RATE))
            self.frames_sent += 1
            if current is not None:
                now = time.monotonic()
                for name, sample in current.marks.items():
                    if position <= sample < position + FRAME_SAMPLES:
                        sent_at[name] = now
                position += FRAME_SAMPLES
                if position >= len(current.samples):
                    if not current.done.done():
                        current.done.set_result(sent_at)
                    current = None


class BenchClient:
    """One RTVI connection. `voice=True` streams a microphone; monitors only listen."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: ClientConnection | None = None
        self.messages: list[Received] = []
        self.audio: list[tuple[float, int]] = []   # (arrival time, samples) of each bot audio frame
        self.audio_onsets: list[int] = []           # where in each of those frames the first audible sample is
        self.audio_rate = 24_000
        self.mic = Microphone(self._send_bytes)
        self.closed_reason: str | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def open(self, timeout: float = 10.0) -> None:
        self.ws = await asyncio.wait_for(connect(self.url, max_size=1 << 20, compression=None, ping_interval=None),
                                         timeout)
        self._receiver = asyncio.create_task(self._receive())

    async def ready(self, timeout: float = 15.0) -> float:
        """client-ready -> bot-ready; returns the round trip in seconds."""
        sent = time.monotonic()
        await self.send_message("client-ready", {"version": PROTOCOL_VERSION,
                                                 "about": {"library": "rtvi-edge-bench", "library_version": "1"}})
        reply = await self.wait_for("bot-ready", after=sent, timeout=timeout)
        return reply.at - sent

    async def close(self) -> None:
        await self.mic.stop()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2.0)
        if self._receiver:
            self._receiver.cancel()
            await asyncio.gather(self._receiver, return_exceptions=True)

    # --- sending ----------------------------------------------------------------------------------

    async def send_message(self, msg_type: str, data: Any = None) -> str:
        msg_id = uuid.uuid4().hex[:8]
        envelope = {"label": "rtvi-ai", "type": msg_type, "id": msg_id}
        if data is not None:
            envelope["data"] = data
        await self._send_bytes(wire.encode_message(json.dumps(envelope)))
        return msg_id

    async def _send_bytes(self, data: bytes) -> None:
        if self.ws is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(data)

    # --- receiving --------------------------------------------------------------------------------

    async def _receive(self) -> None:
        assert self.ws is not None
        try:
            async for data in self.ws:
                now = time.monotonic()
                if isinstance(data, str):
                    self._record_message(now, data)
                    continue
                try:
                    frame = wire.decode(data)
                except wire.WireError:
                    self.messages.append(Received(now, "undecodable"))
                    continue
                if isinstance(frame, wire.AudioIn):
                    self.audio.append((now, len(frame.pcm) // 2))
                    self.audio_onsets.append(audible_onset(np.frombuffer(frame.pcm, "<i2")))
                    self.audio_rate = frame.sample_rate or self.audio_rate
                elif isinstance(frame, wire.MessageIn):
                    self._record_message(now, frame.text)
                self._changed.set()
        except ConnectionClosed as closed:
            self.closed_reason = str(closed)
        finally:
            self.closed_reason = self.closed_reason or "closed"
            self._changed.set()

    def _record_message(self, now: float, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            self.messages.append(Received(now, "invalid-json"))
            return
        self.messages.append(Received(now, str(message.get("type")), message.get("data")))

    def first(self, msg_type: str, after: float = 0.0, where: Callable[[Any], bool] | None = None) -> Received | None:
        for message in self.messages:
            if message.at >= after and message.type == msg_type and (where is None or where(message.data)):
                return message
        return None

    def first_audio_after(self, after: float) -> float | None:
        return next((at for at, _ in self.audio if at >= after), None)

    async def wait_for(self, msg_type: str, after: float = 0.0, timeout: float = 30.0,
                       where: Callable[[Any], bool] | None = None) -> Received:
        deadline = time.monotonic() + timeout
        while True:
            self._changed.clear()  # before looking, so an arrival during the look still wakes us
            found = self.first(msg_type, after, where)
            if found is not None:
                return found
            if self.closed_reason is not None:
                raise ConnectionError(f"connection closed while waiting for {msg_type}: {self.closed_reason}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {msg_type} within {timeout:g} s")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
