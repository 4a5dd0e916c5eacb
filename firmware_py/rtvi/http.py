"""Plain HTTP on the daemon's port: the admission rules every client meets, `/health`, the kiosk's files.

A refused client gets a plain HTTP status (401 bad token, 403 foreign Origin, 503 full) before any
WebSocket upgrade or WebRTC offer is looked at, so it never reaches the RTVI code.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import mimetypes
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

from aiohttp import web

from ..config import ServerSettings
from .limits import LogLimiter

log = logging.getLogger(__name__)

WS_PATHS = ("/ws", "/ws/", "/")
TEXT_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".html": "text/html",
              ".json": "application/json", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json",
              ".txt": "text/plain", ".map": "application/json"}
BINARY_TYPES = {".wasm": "application/wasm", ".onnx": "application/octet-stream", ".wav": "audio/wav"}
MAX_CACHED_BYTES = 8 << 20
Refusal = tuple[HTTPStatus, str]


def response(status: HTTPStatus, body: bytes | str = b"", content_type: str = "text/plain; charset=utf-8",
             headers: dict[str, str] | None = None) -> web.Response:
    payload = body.encode() if isinstance(body, str) else body
    all_headers = {"Content-Type": content_type, "X-Content-Type-Options": "nosniff", **(headers or {})}
    if status is HTTPStatus.NOT_MODIFIED:
        del all_headers["Content-Type"]
        payload = b""
    reply = web.Response(status=status.value, body=payload or None, headers=all_headers)
    reply.force_close()  # one request per connection: a small device keeps no idle sockets around
    return reply


def json_response(status: HTTPStatus, value: Any, headers: dict[str, str] | None = None) -> web.Response:
    return response(status, json.dumps(value, default=str), "application/json", headers)


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TEXT_TYPES:
        return f"{TEXT_TYPES[suffix]}; charset=utf-8"
    return BINARY_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def query_param(path: str, name: str) -> str | None:
    values = parse_qs(urlsplit(path).query).get(name)
    return values[0] if values else None


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time: digests have one length, so neither the length nor a prefix of the secret leaks."""
    digest = lambda text: hashlib.sha256(text.encode()).digest()  # noqa: E731
    return hmac.compare_digest(digest(given or ""), digest(expected))


@dataclass(frozen=True, slots=True)
class _Cached:
    stamp: tuple[int, int]
    etag: str
    body: bytes


class StaticFiles:
    """Files under `root`, with ETag revalidation; nothing outside `root` is ever read."""

    def __init__(self, root: Path | None) -> None:
        self.root = root.resolve() if root is not None else None
        self._cache: dict[Path, _Cached] = {}

    def locate(self, url_path: str) -> Path | None:
        if self.root is None:
            return None
        relative = unquote(url_path).lstrip("/")
        if "\x00" in relative or "\\" in relative:
            return None
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    def _read(self, path: Path) -> _Cached:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached is None or cached.stamp != stamp:
            body = path.read_bytes()
            cached = _Cached(stamp, f'"{hashlib.sha1(body).hexdigest()[:20]}"', body)
            if sum(len(c.body) for c in self._cache.values()) + len(body) > MAX_CACHED_BYTES:
                self._cache.clear()
            self._cache[path] = cached
        return cached

    async def serve(self, url_path: str, if_none_match: str | None) -> web.Response:
        path = self.locate(url_path)
        if path is None:
            return response(HTTPStatus.NOT_FOUND, "not found\n")
        try:
            cached = await asyncio.to_thread(self._read, path)
        except OSError as err:
            log.warning("static file unreadable", extra={"path": str(path), "error": str(err)})
            return response(HTTPStatus.NOT_FOUND, "not found\n")
        headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}  # revalidate: an update shows at once
        if if_none_match and cached.etag in (tag.strip() for tag in if_none_match.split(",")):
            return response(HTTPStatus.NOT_MODIFIED, headers=headers)
        return response(HTTPStatus.OK, cached.body, content_type(path), headers)


def bearer_token(request: web.Request) -> str | None:
    """`?token=` on the URL, or `Authorization: Bearer ...` (what the mobile SDKs' request headers carry)."""
    given = request.query.get("token")
    if given is not None:
        return given
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


class Gate:
    """The admission rules, shared by the WebSocket and WebRTC endpoints; `/health` and static files."""

    def __init__(self, settings: ServerSettings, web_root: Path | None,
                 health: Callable[[], dict[str, Any]], client_count: Callable[[], int]) -> None:
        self.settings = settings
        self.static = StaticFiles(web_root)
        self._health = health
        self._client_count = client_count
        self._log = LogLimiter(log)

    def health(self) -> web.Response:
        return json_response(HTTPStatus.OK, self._health(), {"Cache-Control": "no-store"})

    def token_ok(self, request: web.Request) -> bool:
        return not self.settings.token or token_matches(bearer_token(request), self.settings.token)

    def refusal(self, request: web.Request) -> Refusal | None:
        """Why this client may not open a session (token, Origin, capacity), or None."""
        if not self.token_ok(request):
            return HTTPStatus.UNAUTHORIZED, "missing or wrong ?token="
        origin = request.headers.get("Origin")
        if origin is not None and not self.origin_allowed(origin, request.headers.get("Host")):
            return HTTPStatus.FORBIDDEN, f"Origin {origin} is not allowed"
        if self._client_count() >= self.settings.max_clients:
            return HTTPStatus.SERVICE_UNAVAILABLE, f"server full ({self.settings.max_clients} clients)"
        return None

    def refuse(self, request: web.Request, refusal: Refusal, headers: dict[str, str] | None = None) -> web.Response:
        status, reason = refusal
        self._log.log(logging.WARNING, f"refused-{status.value}", "client refused",
                      status=status.value, reason=reason, peer=str(request.remote), path=request.path)
        return response(status, reason + "\n", headers=headers)

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        allowed = self.settings.allowed_origins
        if not allowed or origin in allowed:
            return True
        return host is not None and urlsplit(origin).netloc == host  # the daemon's own page

    async def static_file(self, request: web.Request) -> web.Response:
        path = urlsplit(request.raw_path).path  # still percent-encoded: StaticFiles decodes and checks it
        return await self.static.serve(path, request.headers.get("If-None-Match"))
