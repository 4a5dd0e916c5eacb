"""RTVI over the Pipecat WebSocket transport: one protobuf `pipecat.Frame` per binary message.

JSON text messages are accepted too; a client whose last message was text is answered in text, and gets
its bot voice as `bot-tts-audio` messages, since it cannot read protobuf.
"""

from __future__ import annotations

import base64
import contextlib
from typing import TYPE_CHECKING

import numpy as np
from aiohttp import WSMsgType, web

from .protocol import wire
from .protocol.messages import RtviMessage
from .transport import CloseCode, RtviTransport

if TYPE_CHECKING:
    from .session import RtviSession

WRITE_LIMIT = 256 * 1024
"""Unsent bytes after which a send waits for the client to read."""
AUDIO_BACKLOG_BYTES = WRITE_LIMIT // 2
"""Above this much unsent data the client is not keeping up: bot audio is dropped rather than waiting
(a stalled reader must not stall the conversation), while events still go out."""


class WebSocketTransport(RtviTransport):
    kind = "websocket"

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self._transport = request.transport
        self._peer = str(request.remote)
        self.json_mode = False
        """The client sent its last message as a text frame: answer in JSON text, not protobuf."""

    @property
    def peer(self) -> str:
        return self._peer

    async def serve(self, session: "RtviSession") -> None:
        async for message in self.ws:
            session.heard()
            if message.type is WSMsgType.BINARY:
                await self._on_binary(session, message.data)
            elif message.type is WSMsgType.TEXT:
                self.json_mode = True
                await session.on_message_text(message.data)
            if session.closing:
                return

    async def _on_binary(self, session: "RtviSession", data: bytes) -> None:
        try:
            frame = wire.decode(data)
        except wire.WireError as err:
            await session.reject(None, str(err))
            return
        if isinstance(frame, wire.AudioIn):
            await session.on_audio(frame.pcm, frame.sample_rate, frame.num_channels)
        elif isinstance(frame, wire.MessageIn):
            self.json_mode = False
            await session.on_message_text(frame.text)
        else:
            await session.reject(None, f"{frame.kind} frames are not accepted from clients (send audio or message)")

    async def send_message(self, message: RtviMessage) -> None:
        text = message.to_json()
        await self._send(text if self.json_mode else wire.encode_message(text))

    async def send_audio(self, samples: np.ndarray, sample_rate: int) -> None:
        pcm = samples.astype("<i2", copy=False).tobytes()
        if self.json_mode:  # a JSON client cannot read protobuf: the audio goes as bot-tts-audio
            data = {"audio": base64.b64encode(pcm).decode(), "sample_rate": sample_rate, "num_channels": 1}
            await self.send_message(RtviMessage("bot-tts-audio", data))
        else:
            await self._send(wire.encode_audio(pcm, sample_rate))

    async def _send(self, data: str | bytes) -> None:
        if self.ws.closed:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):  # the peer went away mid-send
            if isinstance(data, str):
                await self.ws.send_str(data)
            else:
                await self.ws.send_bytes(data)

    def backlogged(self) -> bool:
        transport = self._transport
        return transport is not None and transport.get_write_buffer_size() > AUDIO_BACKLOG_BYTES

    async def close(self, code: int = CloseCode.NORMAL, reason: str = "") -> None:
        with contextlib.suppress(Exception):
            await self.ws.close(code=code, message=reason.encode()[:120])
