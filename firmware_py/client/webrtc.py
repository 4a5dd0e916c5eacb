"""The SmallWebRTC client transport (aiortc): what Pipecat's mobile and ESP32 SDKs speak.

`POST <offer URL>` with the SDP offer (`{sdp, type, pc_id: null, restart_pc: false}`), the answer sets
the peer connection up; RTVI messages travel as JSON text on the ordered data channel `chat`, the
microphone and the bot's voice as Opus audio. The client's own frames are 20 ms of 16 kHz mono PCM; what
arrives is handed on as 48 kHz (Opus's rate) mono PCM in `AudioIn` frames, like the WebSocket transport's.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ..rtvi.protocol import wire
from .transport import Transport, TransportClosed, with_query

log = logging.getLogger(__name__)

MIC_RATE = 16_000
FRAME_SAMPLES = 320
MAX_MIC_BACKLOG = 100
"""20 ms frames queued for the microphone track (2 s) before the oldest are dropped."""


def _mic_track_class() -> type:
    from aiortc.mediastreams import MediaStreamTrack

    class MicTrack(MediaStreamTrack):
        """Sends what `push` queued, 20 ms at a time in real time, silence when nothing is queued."""

        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self.queue: asyncio.Queue[bytes] = asyncio.Queue(MAX_MIC_BACKLOG)
            self._pts = 0
            self._started: float | None = None

        def push(self, pcm: bytes) -> None:
            for start in range(0, len(pcm), 2 * FRAME_SAMPLES):
                if self.queue.full():
                    self.queue.get_nowait()
                self.queue.put_nowait(pcm[start:start + 2 * FRAME_SAMPLES])

        async def recv(self) -> Any:
            import av
            import numpy as np

            if self._started is None:
                self._started = time.monotonic()
            else:
                self._pts += FRAME_SAMPLES
                await asyncio.sleep(max(0.0, self._started + self._pts / MIC_RATE - time.monotonic()))
            chunk = self.queue.get_nowait() if not self.queue.empty() else b""
            samples = np.zeros(FRAME_SAMPLES, np.int16)
            samples[: len(chunk) // 2] = np.frombuffer(chunk[: len(chunk) - len(chunk) % 2], dtype="<i2")
            frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = MIC_RATE, self._pts, fractions.Fraction(1, MIC_RATE)
            return frame

    return MicTrack


class SmallWebRTCTransport(Transport):
    """`offer_url` is the server's offer endpoint, e.g. http://device.local:7860/api/offer."""

    def __init__(self, offer_url: str, token: str = "", params: Mapping[str, str] | None = None,
                 open_timeout: float = 15.0) -> None:
        self.url = with_query(offer_url, {"token": token, **(params or {})})
        self.open_timeout = open_timeout
        self.close_reason = ""
        self._pc: Any = None
        self._channel: Any = None
        self._mic: Any = None
        self._incoming: asyncio.Queue[wire.WireFrame | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []

    async def connect(self) -> None:
        from aiortc import RTCPeerConnection, RTCSessionDescription

        self._pc = pc = RTCPeerConnection()
        self._mic = _mic_track_class()()
        pc.addTransceiver(self._mic, direction="sendrecv")
        opened = asyncio.Event()
        self._channel = pc.createDataChannel("chat", ordered=True)
        self._channel.on("open", opened.set)
        self._channel.on("message", self._on_message)
        self._channel.on("close", lambda: self._end("data channel closed"))
        pc.on("track", self._on_track)
        pc.on("connectionstatechange", self._on_state)
        await pc.setLocalDescription(await pc.createOffer())
        answer = await self._post_offer(pc.localDescription.sdp)
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        try:
            await asyncio.wait_for(opened.wait(), self.open_timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise TransportClosed("the WebRTC data channel did not open") from None
        self._tasks.append(asyncio.create_task(self._keepalive()))

    async def _post_offer(self, sdp: str) -> dict[str, Any]:
        import aiohttp

        body = {"sdp": sdp, "type": "offer", "pc_id": None, "restart_pc": False}
        timeout = aiohttp.ClientTimeout(total=self.open_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.post(self.url, json=body) as reply:
                if reply.status != 200:
                    raise TransportClosed(f"offer refused: HTTP {reply.status} {(await reply.text())[:200]}")
                answer = await reply.json()
        if not isinstance(answer, dict) or "sdp" not in answer:
            raise TransportClosed("the offer's answer has no SDP")
        return answer

    def _on_message(self, message: Any) -> None:
        if isinstance(message, str) and message.lstrip().startswith("{"):
            self._incoming.put_nowait(wire.MessageIn(message))  # pings and signalling need no answer

    def _on_track(self, track: Any) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.create_task(self._receive_audio(track)))

    async def _receive_audio(self, track: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            samples = frame.to_ndarray()
            channels = len(frame.layout.channels)
            mono = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples.reshape(-1)
            self._incoming.put_nowait(wire.AudioIn(mono.astype("<i2").tobytes(), frame.sample_rate, 1))

    def _on_state(self) -> None:
        if self._pc is not None and self._pc.connectionState in ("failed", "closed"):
            self._end(f"peer connection {self._pc.connectionState}")

    def _end(self, reason: str) -> None:
        if not self.close_reason:
            self.close_reason = reason
            self._incoming.put_nowait(None)

    async def _keepalive(self) -> None:
        """The official clients send `ping: <ms>` each second; servers may count on it."""
        while self._channel is not None and self._channel.readyState == "open":
            self._channel.send(f"ping: {int(time.time() * 1000)}")
            await asyncio.sleep(1.0)

    async def send_message(self, json_text: str) -> None:
        if self._channel is None or self._channel.readyState != "open":
            raise TransportClosed(self.close_reason or "not connected")
        self._channel.send(json_text)

    async def send_audio(self, pcm: bytes, sample_rate: int, num_channels: int) -> None:
        if self._mic is None:
            raise TransportClosed("not connected")
        if sample_rate != MIC_RATE or num_channels != 1:
            raise ValueError(f"the WebRTC microphone takes {MIC_RATE} Hz mono, not {sample_rate} Hz x {num_channels}")
        self._mic.push(pcm)

    async def frames(self) -> AsyncIterator[wire.WireFrame]:
        while (frame := await self._incoming.get()) is not None:
            yield frame

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pc is not None:
            await self._pc.close()
        self._end("closed by the client")


def offer_url_for(ws_url: str) -> str:
    """The offer endpoint of a server whose WebSocket is `ws_url` (same host and port)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, "/api/offer", parts.query, ""))


__all__ = ["SmallWebRTCTransport", "offer_url_for"]
