"""The RTVI server: `ws://HOST:PORT/ws` for the official Pipecat clients, plain HTTP on the same port.

    server = RtviServer(host=appliance, bus=bus, settings=settings.server, web_root=Path(".../web"))
    await server.start()     # binds; server.port is the real port (settings.port may be 0)
    ...
    await server.stop()      # closes clients with 1001 and returns within about a second

Each connection opens its own conversation through `host.open_session` on client-ready, or with
`?mode=monitor` follows the device's own conversation (events and commands, no audio).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.frames import CloseCode

from .. import __version__
from ..config import ServerSettings
from ..events import EventBus
from ..session import SessionHost
from .clients import ClientHook, ClientMessageRegistry
from .connection import WRITE_LIMIT, RtviConnection
from .http import HttpGate, query_param
from .protocol.messages import PROTOCOL_VERSION

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECS = 0.5
"""How long a closing handshake may wait for the peer; keeps stop() within about a second."""


class RtviServer:
    def __init__(self, host: SessionHost, bus: EventBus, settings: ServerSettings,
                 web_root: Path | None = None) -> None:
        self.host, self.bus, self.settings = host, bus, settings
        self.client_messages = ClientMessageRegistry()
        self.connections: set[RtviConnection] = set()
        self._gate = HttpGate(settings, web_root, self.health, lambda: len(self.connections))
        self._server: Server | None = None
        self._started_at = time.monotonic()
        self.port: int = settings.port

    def on_client_message(self, t: str, hook: ClientHook) -> None:
        """Answer `client-message` of type `t` (see ClientMessageRegistry.register)."""
        self.client_messages.register(t, hook)

    async def start(self) -> None:
        settings = self.settings
        ping = settings.ping_interval_secs or None
        self._server = await serve(
            self._handle, settings.host, settings.port,
            process_request=self._gate,
            ssl=self._ssl_context(),
            max_size=settings.max_message_bytes,
            write_limit=WRITE_LIMIT,
            ping_interval=ping, ping_timeout=ping,
            close_timeout=CLOSE_TIMEOUT_SECS,
            compression=None,  # audio does not compress; deflate would only cost a small CPU time
            server_header=f"rtvi-edge/{__version__}",
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._started_at = time.monotonic()
        log.info("rtvi server listening", extra={"host": settings.host, "port": self.port,
                                                 "tls": bool(settings.tls_cert)})

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.settings.tls_cert:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.settings.tls_cert, self.settings.tls_key)
        return context

    async def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        for connection in list(self.connections):
            connection.closing = True
        server.close(close_connections=True, code=CloseCode.GOING_AWAY, reason="server stopping")
        try:
            await asyncio.wait_for(server.wait_closed(), timeout=1.0)
        except asyncio.TimeoutError:
            log.warning("rtvi server stop timed out; connections abandoned",
                        extra={"connections": len(self.connections)})

    async def _handle(self, ws: ServerConnection) -> None:
        monitor = query_param(ws.request.path if ws.request else "", "mode") == "monitor"
        connection = RtviConnection(ws, self, monitor)
        self.connections.add(connection)
        log.info("client connected", extra={"connection": connection.connection_id, "monitor": monitor,
                                            "peer": str(ws.remote_address)})
        try:
            await connection.run()
        finally:
            self.connections.discard(connection)

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "protocol": PROTOCOL_VERSION,
            "clients": len(self.connections),
            "local_session": self.host.local_session_id is not None,
            "uptime_secs": round(time.monotonic() - self._started_at, 1),
        }
