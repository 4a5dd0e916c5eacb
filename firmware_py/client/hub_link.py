"""A satellite's connection to its hub: one reconnect loop (connect, serve, back off, retry).

The back-off doubles from `backoff_secs` to `max_backoff_secs` with a little jitter (so satellites do
not all knock at once after a hub restart) and starts over after a connection that reached bot-ready.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import events as ev
from .client import RequestError, RtviClient
from .transport import WebSocketTransport

if TYPE_CHECKING:
    from .satellite import SatelliteSettings

log = logging.getLogger(__name__)

EventHandler = Callable[[ev.ClientEvent], Awaitable[None]]


class HubLink:
    def __init__(self, settings: "SatelliteSettings", on_event: EventHandler, on_connected: Callable[[], None],
                 on_disconnected: Callable[[str], None]) -> None:
        self.settings = settings
        self.room = settings.room or socket.gethostname()
        self._on_event, self._on_connected, self._on_disconnected = on_event, on_connected, on_disconnected
        self.client: RtviClient | None = None
        self.connects = 0
        self._ready = False

    @property
    def connected(self) -> bool:
        return self._ready and self.client is not None and self.client.connected

    def _params(self) -> dict[str, str]:
        return {} if self.settings.own_echo_cancel else {"echo_cancel": "1"}

    async def run(self) -> None:
        backoff = self.settings.backoff_secs
        while True:
            reached = await self._serve_once()
            backoff = self.settings.backoff_secs if reached else min(backoff * 2, self.settings.max_backoff_secs)
            await asyncio.sleep(backoff * random.uniform(0.8, 1.2))

    async def _serve_once(self) -> bool:
        """One connection, until it drops; True when it reached bot-ready."""
        client = RtviClient(WebSocketTransport(self.settings.hub_url, self.settings.token, self._params()),
                            library="rtvi-edge satellite")
        client.on(ev.ClientEvent, self._on_event)
        closed = asyncio.Event()
        client.on(ev.Disconnected, lambda _e: closed.set())
        try:
            await client.connect()
        except (OSError, ConnectionError, asyncio.TimeoutError) as err:
            log.info("hub not reachable", extra={"hub": self.settings.hub_url, "error": str(err)})
            await client.disconnect()
            return False
        self.client, self._ready = client, True
        self.connects += 1
        log.info("connected to the hub", extra={"hub": self.settings.hub_url, "room": self.room})
        await self._introduce(client)
        self._on_connected()
        try:
            await closed.wait()
        finally:
            self._ready = False
            self.client = None
            await client.disconnect()
            reason = client.transport.close_reason or "connection lost"
            log.warning("hub connection lost", extra={"hub": self.settings.hub_url, "reason": reason})
            self._on_disconnected(reason)
        return True

    async def _introduce(self, client: RtviClient) -> None:
        """Tell an rtvi-edge hub this client is a room; any other RTVI server may refuse, which is fine."""
        data = {"room": self.room, "mode": self.settings.mode, "echo_cancel": not self.settings.own_echo_cancel}
        await self._request(client, "satellite", data)

    async def claim(self, score: float | None, level_dbfs: float) -> None:
        """Report a wake (or, streaming always, a speech start) for the hub's arbitration.

        Not awaited: the audio that follows must not wait for the answer, and the WebSocket keeps
        the claim ahead of it."""
        client = self.client
        if client is None:
            return
        data = {"phrase": self.settings.phrase, "score": None if score is None else round(score, 4),
                "level_dbfs": round(level_dbfs, 1), "room": self.room}
        try:
            await client.send_client_message("wake-word", data)
        except ConnectionError:
            pass

    async def _request(self, client: RtviClient, t: str, d: dict[str, Any]) -> None:
        try:
            await client.send_client_request(t, d, timeout=2.0)
        except RequestError as err:
            log.debug("hub has no %s hook", t, extra={"error": str(err)})
        except (ConnectionError, asyncio.TimeoutError) as err:
            log.info("hub did not answer", extra={"message": t, "error": str(err)})

    async def send_audio(self, pcm: bytes) -> None:
        client = self.client
        if client is None or not self._ready:
            return
        try:
            await client.send_audio(pcm)
        except ConnectionError:
            pass  # the reader notices the drop and the loop reconnects

    async def close(self) -> None:
        if self.client is not None:
            await self.client.disconnect()
