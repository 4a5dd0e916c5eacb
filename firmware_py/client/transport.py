"""Client transports: how RTVI messages and audio travel. WebSocket with Pipecat's protobuf frames first.

A transport only moves frames; the handshake, requests and events live in `RtviClient`, so another
transport (WebRTC) plugs in behind the same four calls.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..rtvi.protocol import wire

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1 << 20
"""The official client's limit, and the server's default."""


class TransportClosed(ConnectionError):
    """The connection is gone (or was never opened)."""


class Transport(ABC):
    @abstractmethod
    async def connect(self) -> None:
        """Open the connection; raises ConnectionError (or OSError) when the server cannot be reached."""

    @abstractmethod
    async def send_message(self, json_text: str) -> None:
        """Send one RTVI message (JSON text); TransportClosed when the connection is gone."""

    @abstractmethod
    async def send_audio(self, pcm: bytes, sample_rate: int, num_channels: int) -> None:
        """Send microphone audio: int16 little-endian PCM."""

    @abstractmethod
    def frames(self) -> AsyncIterator[wire.WireFrame]:
        """What the server sends, decoded, until the connection closes."""

    @abstractmethod
    async def close(self) -> None: ...

    close_reason: str = ""


def with_query(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` added to its query (existing keys are replaced)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({key: value for key, value in params.items() if value not in (None, "")})
    return urlunsplit(parts._replace(query=urlencode(query)))


class WebSocketTransport(Transport):
    """The Pipecat WebSocket transport: one protobuf `pipecat.Frame` per binary message.

    `token` goes on the URL as `?token=` (as the official client does); `params` adds others, such as
    `echo_cancel=1`. JSON text frames from a server are accepted too.
    """

    def __init__(self, url: str, token: str = "", params: Mapping[str, str] | None = None,
                 open_timeout: float = 10.0) -> None:
        self.url = with_query(url, {"token": token, **(params or {})})
        self.open_timeout = open_timeout
        self._ws = None
        self.close_reason = ""

    async def connect(self) -> None:
        from websockets.asyncio.client import connect  # imported here: the event types need no websockets

        self._ws = await connect(self.url, max_size=MAX_MESSAGE_BYTES, open_timeout=self.open_timeout,
                                 compression=None, ping_interval=None, close_timeout=1.0)

    async def send_message(self, json_text: str) -> None:
        await self._send(wire.encode_message(json_text))

    async def send_audio(self, pcm: bytes, sample_rate: int, num_channels: int) -> None:
        await self._send(wire.encode_audio(pcm, sample_rate, num_channels))

    async def _send(self, data: bytes) -> None:
        from websockets.exceptions import ConnectionClosed

        if self._ws is None:
            raise TransportClosed("not connected")
        try:
            await self._ws.send(data)
        except ConnectionClosed as err:
            raise TransportClosed(f"connection closed ({err})") from None

    async def frames(self) -> AsyncIterator[wire.WireFrame]:
        from websockets.exceptions import ConnectionClosed

        if self._ws is None:
            return
        try:
            async for data in self._ws:
                if isinstance(data, str):
                    yield wire.MessageIn(data)
                    continue
                try:
                    yield wire.decode(data)
                except wire.WireError as err:
                    log.warning("undecodable frame from the server", extra={"error": str(err)})
        except ConnectionClosed:
            pass
        finally:
            self.close_reason = self._describe_close()

    def _describe_close(self) -> str:
        ws = self._ws
        if ws is None or ws.close_code is None:
            return "connection lost"
        return f"closed by the server ({ws.close_code}{': ' + ws.close_reason if ws.close_reason else ''})"

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
