"""A SmallWebRTC test peer built on aiortc: what the official clients send, in the same order.

Audio transceiver (a tone as the microphone), video transceiver, data channel `chat`; the offer goes to
`POST /api/offer`, trickled candidates to `PATCH`, RTVI JSON and `ping: <ms>` on the channel.
"""

from __future__ import annotations

import asyncio
import fractions
import json
from typing import Any

import aiohttp
import av
import numpy as np
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

RATE = 48_000


class ToneTrack(MediaStreamTrack):
    """A microphone that says "aaa" (a 220 Hz tone) in real time."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._pts = 0
        self._started: float | None = None

    async def recv(self) -> av.AudioFrame:
        loop = asyncio.get_running_loop()
        if self._started is None:
            self._started = loop.time()
        else:
            self._pts += 960
            await asyncio.sleep(max(0.0, self._started + self._pts / RATE - loop.time()))
        t = (self._pts + np.arange(960)) / RATE
        samples = (np.sin(2 * np.pi * 220 * t) * 6000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, self._pts, fractions.Fraction(1, RATE)
        return frame


class WebRtcTestClient:
    def __init__(self) -> None:
        self.pc = RTCPeerConnection()
        self.pc.addTransceiver(ToneTrack(), direction="sendrecv")
        self.pc.addTransceiver("video", direction="sendrecv")
        self.channel = self.pc.createDataChannel("chat", ordered=True)
        self.channel.on("message", self._on_message)
        self.opened = asyncio.Event()
        self.channel.on("open", self.opened.set)
        self.messages: list[dict[str, Any]] = []
        self.loudest_bot_audio = 0.0
        self.pc_id: str | None = None
        self._arrived = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self.pc.on("track", self._on_track)
        self._counter = 0

    def _on_message(self, message: str) -> None:
        self.messages.append(json.loads(message))
        self._arrived.set()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.create_task(self._listen(track)))

    async def _listen(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            level = float(np.abs(frame.to_ndarray().astype(np.float32)).max())
            self.loudest_bot_audio = max(self.loudest_bot_audio, level)

    async def offer(self, http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        body = {"sdp": self.pc.localDescription.sdp, "type": "offer", "pc_id": None, "restart_pc": False}
        async with http.post(url, json=body) as reply:
            assert reply.status == 200, await reply.text()
            answer = await reply.json()
        self.pc_id = answer["pc_id"]
        return answer

    async def connect(self, http: aiohttp.ClientSession, url: str) -> None:
        answer = await self.offer(http, url)
        await self.pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], answer["type"]))
        await asyncio.wait_for(self.opened.wait(), 10)
        self._tasks.append(asyncio.create_task(self._keepalive()))

    async def _keepalive(self) -> None:
        while self.channel.readyState == "open":
            self.channel.send(f"ping: {int(asyncio.get_running_loop().time() * 1000)}")
            await asyncio.sleep(1.0)

    async def send(self, msg_type: str, data: Any = None) -> str:
        self._counter += 1
        msg_id = f"{self._counter:08x}"
        self.channel.send(json.dumps({"label": "rtvi-ai", "type": msg_type, "id": msg_id, "data": data or {}}))
        return msg_id

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        match = (lambda m: m.get("type") == predicate) if isinstance(predicate, str) else predicate
        async with asyncio.timeout(timeout):
            while True:
                for message in self.messages:
                    if match(message):
                        return message
                self._arrived.clear()
                await self._arrived.wait()

    async def request(self, msg_type: str, data: Any = None) -> dict[str, Any]:
        msg_id = await self.send(msg_type, data)
        return await self.wait_for(lambda m: m.get("id") == msg_id)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.pc.close()
