"""A benchmark RTVI client over SmallWebRTC (aiortc), with the same surface as the WebSocket BenchClient:
a real-time microphone (`mic.play`), a receive log of messages and bot audio with arrival times."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

import aiohttp
import numpy as np
import soxr
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from firmware_py.rtvi.webrtc.media import PacedAudioTrack, shorten_jitter_buffer

from .client import SAMPLE_RATE, BenchClient, Playback, audible_onset

MIC_RATE = 48_000
"""A browser captures and encodes at 48 kHz: so does this microphone (a 16 kHz track would make the Opus
encoder resample, and hold back a frame while its filter fills)."""
MIC_FRAME = MIC_RATE // 50


class TrackMicrophone(PacedAudioTrack):
    """The bench microphone as a WebRTC track: queued clips, silence in between, 20 ms frames in real time.

    Clips and their marks come at 16 kHz and are played at 48 kHz. `sent_at[mark]` is when the frame holding
    that sample was handed to the encoder (it goes out at once).
    """

    def __init__(self) -> None:
        super().__init__(MIC_RATE, MIC_FRAME)
        self._queue: asyncio.Queue[Playback] = asyncio.Queue()
        self._current: Playback | None = None
        self._position = 0
        self._sent_at: dict[str, float] = {}

    def start(self) -> None:
        """Frames flow once the peer connection pulls them; nothing to start."""

    def play(self, samples: np.ndarray, marks: dict[str, int] | None = None) -> asyncio.Future[dict[str, float]]:
        upsampled = soxr.resample(samples.astype(np.int16), SAMPLE_RATE, MIC_RATE)  # whole clip: no stream delay
        scale = MIC_RATE // SAMPLE_RATE
        playback = Playback(upsampled, {name: at * scale for name, at in (marks or {}).items()})
        self._queue.put_nowait(playback)
        return playback.done

    def next_samples(self) -> np.ndarray:
        if self._current is None and not self._queue.empty():
            self._current, self._position, self._sent_at = self._queue.get_nowait(), 0, {}
        current = self._current
        if current is None:
            return np.zeros(MIC_FRAME, np.int16)
        chunk = current.samples[self._position:self._position + MIC_FRAME]
        chunk = np.pad(chunk, (0, MIC_FRAME - len(chunk)))
        now = time.monotonic()
        for name, sample in current.marks.items():
            if self._position <= sample < self._position + MIC_FRAME:
                self._sent_at[name] = now
        self._position += MIC_FRAME
        if self._position >= len(current.samples):
            if not current.done.done():
                current.done.set_result(self._sent_at)
            self._current = None
        return chunk


class WebRtcBenchClient(BenchClient):
    """`url` is the offer URL (http://HOST:PORT/api/offer)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.mic = TrackMicrophone()  # type: ignore[assignment]
        self.audio_rate = 48_000
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(self.mic, direction="sendrecv")
        self.channel = self.pc.createDataChannel("chat", ordered=True)
        self._tasks: list[asyncio.Task[Any]] = []

    async def open(self, timeout: float = 10.0) -> None:
        opened = asyncio.Event()
        self.channel.on("open", opened.set)
        self.channel.on("message", self._on_message)
        self.pc.on("track", self._on_track)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        offer = {"sdp": self.pc.localDescription.sdp, "type": "offer", "pc_id": None, "restart_pc": False}
        async with aiohttp.ClientSession() as http, http.post(self.url, json=offer) as reply:
            reply.raise_for_status()
            answer = await reply.json()
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        shorten_jitter_buffer(self.pc.getTransceivers()[0].receiver)  # arrival, as the WebSocket client measures
        await asyncio.wait_for(opened.wait(), timeout)
        self._tasks.append(asyncio.create_task(self._keepalive()))

    def _on_message(self, text: str) -> None:
        self._record_message(time.monotonic(), text)
        self._changed.set()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.create_task(self._listen(track)))

    async def _listen(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                first_channel = frame.to_ndarray().reshape(-1, len(frame.layout.channels))[:, 0]
                self.audio.append((time.monotonic(), frame.samples))
                self.audio_onsets.append(audible_onset(first_channel))
                self._changed.set()

    async def _keepalive(self) -> None:
        while self.channel.readyState == "open":
            self.channel.send(f"ping: {int(time.time() * 1000)}")
            await asyncio.sleep(1.0)

    async def send_message(self, msg_type: str, data: Any = None) -> str:
        msg_id = uuid.uuid4().hex[:8]
        envelope: dict[str, Any] = {"label": "rtvi-ai", "type": msg_type, "id": msg_id}
        if data is not None:
            envelope["data"] = data
        if self.channel.readyState == "open":
            self.channel.send(json.dumps(envelope))
        return msg_id

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.mic.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.pc.close(), 2.0)
