"""The RTVI server: one port for the official Pipecat clients (WebSocket and SmallWebRTC) and plain HTTP.

    server = RtviServer(host=appliance, bus=bus, settings=settings.server, web_root=Path(".../web"))
    await server.start()     # binds; server.port is the real port (settings.port may be 0)
    ...
    await server.stop()      # closes clients with 1001 and returns within about a second

aiohttp serves every method on the port: the WebSocket upgrade on `/ws`, the WebRTC offers on `/api/offer`
(POST, PATCH and the CORS preflight), `/health` and the kiosk's files. Each client is an `RtviSession`
over its transport; it opens its own conversation through `host.open_session` on client-ready, or with
`?mode=monitor` follows the device's own conversation (events and commands, no audio).
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import ssl
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aiohttp import web

from .. import __version__
from ..config import ServerSettings, check_ice_servers
from ..events import EventBus
from ..session import SessionHost
from .clients import ClientHook, ClientMessageRegistry
from .http import WS_PATHS, Gate, response
from .protocol.messages import PROTOCOL_VERSION
from .session import RtviSession
from .transport import CloseCode, RtviTransport
from .websocket import WRITE_LIMIT, WebSocketTransport

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_SECS = 0.5
"""How long a closing handshake may wait for the peer; keeps stop() within about a second."""
OFFER_PATHS = ("/api/offer", "/api/offer/")


class RtviServer:
    def __init__(self, host: SessionHost, bus: EventBus, settings: ServerSettings,
                 web_root: Path | None = None) -> None:
        self.host, self.bus, self.settings = host, bus, settings
        self.client_messages = ClientMessageRegistry()
        self.connections: set[RtviSession] = set()
        self.gate = Gate(settings, web_root, self.health, lambda: len(self.connections))
        # aiortc (about 44 MB resident) loads with the first offer, not at start: most devices never get one
        self.webrtc_offered = settings.webrtc and importlib.util.find_spec("aiortc") is not None
        if self.webrtc_offered:
            check_ice_servers(settings.ice_servers)   # a bad URL stops the start, not the first call
        self._webrtc: Any = None
        self._runner: web.AppRunner | None = None
        self._started_at = time.monotonic()
        self.port: int = settings.port

    def on_client_message(self, t: str, hook: ClientHook) -> None:
        """Answer `client-message` of type `t` (see ClientMessageRegistry.register)."""
        self.client_messages.register(t, hook)

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024)  # request bodies: an SDP offer is a few kB
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        app.on_response_prepare.append(_server_header)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=CLOSE_TIMEOUT_SECS)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port, ssl_context=self._ssl_context())
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._started_at = time.monotonic()
        log.info("rtvi server listening", extra={"host": self.settings.host, "port": self.port,
                                                 "tls": bool(self.settings.tls_cert),
                                                 "webrtc": self.webrtc_offered})

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.settings.tls_cert:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.settings.tls_cert, self.settings.tls_key)
        return context

    async def stop(self) -> None:
        if self._runner is None:
            return
        runner, self._runner = self._runner, None
        sessions = list(self.connections)
        for session in sessions:
            session.closing = True
        closing = [session.close(CloseCode.GOING_AWAY, "server stopping") for session in sessions]
        try:
            await asyncio.wait_for(asyncio.gather(*closing, return_exceptions=True), timeout=1.0)
        except asyncio.TimeoutError:
            log.warning("rtvi server stop timed out; connections abandoned",
                        extra={"connections": len(self.connections)})
        await runner.cleanup()

    # --- requests ---------------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path in OFFER_PATHS and self.webrtc_offered:
            if self._webrtc is None:
                self._webrtc = _webrtc_endpoint(self)
            if self._webrtc is not None:
                return await self._webrtc.handle(request)
        if request.method not in ("GET", "HEAD"):
            return response(HTTPStatus.METHOD_NOT_ALLOWED, f"{request.method} is not served at {path}\n",
                            headers={"Allow": "GET, HEAD"})
        if "websocket" in request.headers.get("Upgrade", "").lower():
            return await self._websocket(request)
        if path == "/health":
            return self.gate.health()
        if path in ("/ws", "/ws/"):
            if not self.gate.token_ok(request):  # lets a page check a token with a plain GET first
                return response(HTTPStatus.UNAUTHORIZED, "missing or wrong ?token=\n")
            return response(HTTPStatus.UPGRADE_REQUIRED, "RTVI lives here: connect with a WebSocket client\n",
                            headers={"Upgrade": "websocket"})
        return await self.gate.static_file(request)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if request.path not in WS_PATHS:
            return self.gate.refuse(request, (HTTPStatus.NOT_FOUND, f"no WebSocket endpoint at {request.path}; use /ws"))
        refusal = self.gate.refusal(request)
        if refusal is not None:
            return self.gate.refuse(request, refusal)
        ping = self.settings.ping_interval_secs or None
        ws = web.WebSocketResponse(max_msg_size=self.settings.max_message_bytes, heartbeat=ping,
                                   timeout=CLOSE_TIMEOUT_SECS, compress=False, writer_limit=WRITE_LIMIT)
        await ws.prepare(request)
        await self.run_session(WebSocketTransport(ws, request), request)
        return ws

    async def run_session(self, transport: RtviTransport, request: web.Request) -> None:
        """One client's whole RTVI session over `transport`; returns when it has ended and been cleaned up."""
        session = self.open_session(transport, request)
        await self.serve_session(session)

    def open_session(self, transport: RtviTransport, request: web.Request) -> RtviSession:
        monitor = request.query.get("mode") == "monitor"
        echo_cancel = request.query.get("echo_cancel") in ("1", "true")
        session = RtviSession(transport, self, monitor, echo_cancel)
        self.connections.add(session)
        log.info("client connected", extra={"connection": session.connection_id, "transport": transport.kind,
                                            "monitor": monitor, "peer": transport.peer})
        return session

    async def serve_session(self, session: RtviSession) -> None:
        try:
            await session.run()
        finally:
            self.connections.discard(session)

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "protocol": PROTOCOL_VERSION,
            "clients": len(self.connections),
            "webrtc": self.webrtc_offered,
            "local_session": self.host.local_session_id is not None,
            "uptime_secs": round(time.monotonic() - self._started_at, 1),
        }


def _webrtc_endpoint(server: RtviServer) -> Any:
    """The SmallWebRTC endpoint, or None (with a log line) when aiortc is not installed."""
    try:
        from .webrtc.signalling import OfferEndpoint
    except ImportError as err:
        log.warning("webrtc unavailable: aiortc is not installed", extra={"error": str(err)})
        return None
    return OfferEndpoint(server)


async def _server_header(request: web.Request, reply: web.StreamResponse) -> None:
    reply.headers["Server"] = f"rtvi-edge/{__version__}"
