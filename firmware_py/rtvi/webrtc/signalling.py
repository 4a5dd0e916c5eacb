"""SmallWebRTC signalling on `/api/offer`, as the Pipecat client SDKs (web, iOS, Android, React Native) speak it.

    POST  {sdp, type: "offer", pc_id, restart_pc, requestData?}  -> {sdp, type: "answer", pc_id}
    PATCH {pc_id, candidates: [{candidate, sdp_mid, sdp_mline_index}]}  -> {status: "ok"}
    OPTIONS (CORS preflight)                                     -> 204

The same rules as the WebSocket apply (token as `?token=` or a bearer header, Origin allow-list, client
limit); a malformed request gets a 4xx saying what is wrong, which the client takes as final.
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...config import ConfigError
from ..http import Refusal, json_response, response
from .ice import include_loopback_candidates, rtc_configuration
from .peer import WebRtcTransport

if TYPE_CHECKING:
    from ..server import RtviServer

log = logging.getLogger(__name__)

MAX_SDP_CHARS = 32 * 1024
MAX_PENDING_OFFERS = 4
"""Offers being answered at once (each gathers candidates on every interface); more wait for a 503 retry."""

MAX_CANDIDATES = 64
REQUIRED_SDP_LINES = ("a=ice-ufrag:", "a=ice-pwd:", "a=fingerprint:")
ANSWER_TIMEOUT_SECS = 10.0
"""Answering gathers local candidates; on a host with many interfaces that takes a moment, never this long."""


class BadRequest(ValueError):
    """A signalling request that cannot be used; the message tells the client why."""


class OfferEndpoint:
    def __init__(self, server: "RtviServer") -> None:
        self.server = server
        try:
            self.configuration = rtc_configuration(server.settings.ice_servers)
        except ValueError as err:
            raise ConfigError(f"[server] ice_servers: {err}") from None
        include_loopback_candidates()
        self.peers: dict[str, WebRtcTransport] = {}
        self._sessions: set[asyncio.Task[None]] = set()
        self._pending = 0

    async def handle(self, request: web.Request) -> web.Response:
        cors = self._cors_headers(request)
        if cors is None:
            origin = request.headers.get("Origin", "")
            return self.server.gate.refuse(request, (HTTPStatus.FORBIDDEN, f"Origin {origin} is not allowed"))
        if request.method == "OPTIONS":
            return response(HTTPStatus.NO_CONTENT, headers={**cors, "Access-Control-Max-Age": "600"})
        if request.method not in ("POST", "PATCH"):
            return response(HTTPStatus.METHOD_NOT_ALLOWED, f"{request.method} is not served here; POST an offer\n",
                            headers={**cors, "Allow": "POST, PATCH, OPTIONS"})
        if not self.server.gate.token_ok(request):
            return self.server.gate.refuse(request, (HTTPStatus.UNAUTHORIZED, "missing or wrong ?token="), cors)
        try:
            body = await _json_body(request)
            if request.method == "POST":
                return await self._offer(request, body, cors)
            return await self._candidates(body, cors)
        except BadRequest as err:
            log.info("webrtc request refused", extra={"peer": str(request.remote), "reason": str(err)[:200]})
            return response(HTTPStatus.BAD_REQUEST, f"{err}\n", headers=cors)

    def _cors_headers(self, request: web.Request) -> dict[str, str] | None:
        """CORS headers for this request, or None when its Origin is not allowed."""
        origin = request.headers.get("Origin")
        if origin is None:
            return {}
        if not self.server.gate.origin_allowed(origin, request.headers.get("Host")):
            return None
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
                "Access-Control-Allow-Methods": "POST, PATCH, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type, Authorization"}

    async def _offer(self, request: web.Request, body: dict[str, Any], cors: dict[str, str]) -> web.Response:
        sdp = _offer_sdp(body)
        pc_id, restart = body.get("pc_id"), body.get("restart_pc") or False
        if pc_id is not None and not isinstance(pc_id, str) or not isinstance(restart, bool):
            raise BadRequest("pc_id must be a string or null, restart_pc true or false")
        known = self.peers.get(pc_id) if pc_id else None
        refusal: Refusal | None = None if known else self.server.gate.refusal(request)
        if refusal is None and request.query.get("mode") == "monitor" and self.server.host.local_session_id is None:
            refusal = HTTPStatus.CONFLICT, "no local session to monitor: the device's own audio is off"
        if refusal is None and self._pending >= MAX_PENDING_OFFERS:
            refusal = HTTPStatus.SERVICE_UNAVAILABLE, "too many offers at once; retry"
        if refusal is not None:
            return self.server.gate.refuse(request, refusal, cors)
        transport = known or WebRtcTransport(self.configuration, self.server.settings, str(request.remote))
        self._pending += 1
        try:
            answer = await asyncio.wait_for(transport.answer(sdp, restart), ANSWER_TIMEOUT_SECS)
        except Exception as err:  # aiortc fails in many ways on SDP it cannot use: the offer is at fault
            if known is None:
                await transport.close(reason="offer not answered")
            if isinstance(err, asyncio.TimeoutError):
                return response(HTTPStatus.SERVICE_UNAVAILABLE, "the offer could not be answered in time\n",
                                headers=cors)
            raise BadRequest(unusable("offer", err)) from None
        finally:
            self._pending -= 1
        if known is None:
            self._serve(transport, request)
        return json_response(HTTPStatus.OK, answer, cors)

    def _serve(self, transport: WebRtcTransport, request: web.Request) -> None:
        session = self.server.open_session(transport, request)
        self.peers[transport.pc_id] = transport
        task = asyncio.create_task(self.server.serve_session(session), name=f"{transport.pc_id}-session")
        self._sessions.add(task)
        task.add_done_callback(lambda done: self._forget(done, transport.pc_id))

    def _forget(self, task: asyncio.Task[None], pc_id: str) -> None:
        self._sessions.discard(task)
        self.peers.pop(pc_id, None)

    async def _candidates(self, body: dict[str, Any], cors: dict[str, str]) -> web.Response:
        pc_id, candidates = body.get("pc_id"), body.get("candidates")
        transport = self.peers.get(pc_id) if isinstance(pc_id, str) else None
        if transport is None:
            return response(HTTPStatus.NOT_FOUND, f"no peer connection {str(pc_id)[:80]!r}\n", headers=cors)
        if not isinstance(candidates, list) or len(candidates) > MAX_CANDIDATES or not all(
                isinstance(c, dict) and isinstance(c.get("candidate"), str) for c in candidates):
            raise BadRequest(f"candidates must be a list of at most {MAX_CANDIDATES} {{candidate, sdp_mid, "
                             "sdp_mline_index}} objects")
        try:
            await transport.add_candidates(candidates)
        except Exception as err:  # as for offers: aiortc's parser fails in many ways on bad input
            raise BadRequest(unusable("candidate", err)) from None
        return json_response(HTTPStatus.OK, {"status": "ok"}, cors)


def unusable(what: str, err: Exception) -> str:
    """The 400's text; the exception's kind is logged, in case the fault is ours after all."""
    log.info("webrtc input refused", extra={"what": what, "error": repr(err)[:300]})
    return f"the {what} could not be used: {err or type(err).__name__}"[:300]


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BadRequest("request body too large") from None
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _offer_sdp(body: dict[str, Any]) -> str:
    sdp, kind = body.get("sdp"), body.get("type")
    if kind != "offer":
        raise BadRequest(f"type must be \"offer\", not {json.dumps(kind)[:40]}")
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_SDP_CHARS:
        raise BadRequest(f"sdp must be an SDP offer (starting with v=0, at most {MAX_SDP_CHARS} characters)")
    if "m=application" not in sdp:
        raise BadRequest("the offer has no data channel: RTVI messages travel on one labelled \"chat\"")
    missing = [line for line in REQUIRED_SDP_LINES if line not in sdp]
    if missing:
        raise BadRequest(f"the offer lacks {', '.join(missing)}: it cannot be connected (ICE credentials and a DTLS "
                         "fingerprint are needed)")
    return sdp
