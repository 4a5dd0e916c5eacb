"""A minimal HTTP/1.1 client on asyncio streams for streamed (server-sent events) POST responses.

Just what an OpenAI-compatible /chat/completions stream needs: one POST with a JSON body, the status and
headers, then the body line by line (chunked, Content-Length or until close), with a timeout on every
read. Standard library only, so it is cancellable at any await and adds no dependency.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import AsyncIterator
from urllib.parse import urlsplit

MAX_HEADER_BYTES = 64 * 1024
MAX_LINE_BYTES = 4 * 1024 * 1024


class HttpError(Exception):
    """Transport-level failure: cannot connect, timed out, malformed response, connection lost."""


@dataclass
class HttpResponse:
    status: int
    reason: str
    headers: dict[str, str]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    read_timeout: float

    async def lines(self) -> AsyncIterator[str]:
        """Body lines without line endings; raises HttpError if the connection drops mid-body."""
        pending = b""
        async for chunk in self._body():
            pending += chunk
            *complete, pending = pending.split(b"\n")
            if len(pending) > MAX_LINE_BYTES:
                raise HttpError("a response line is too long")
            for line in complete:
                yield line.rstrip(b"\r").decode("utf-8", errors="replace")
        if pending:
            yield pending.rstrip(b"\r").decode("utf-8", errors="replace")

    async def text(self, limit: int = 16 * 1024) -> str:
        """The body (up to `limit` bytes), for error messages."""
        body = b""
        try:
            async for chunk in self._body():
                body += chunk
                if len(body) >= limit:
                    break
        except HttpError:
            pass
        return body[:limit].decode("utf-8", errors="replace")

    def close(self) -> None:
        self.writer.close()

    async def _body(self) -> AsyncIterator[bytes]:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            async for chunk in self._chunked():
                yield chunk
            return
        remaining = int(self.headers["content-length"]) if "content-length" in self.headers else None
        while remaining is None or remaining > 0:
            data = await self._read(self.reader.read(65536 if remaining is None else min(65536, remaining)))
            if not data:
                if remaining:
                    raise HttpError("the server closed the connection before the end of the response")
                return
            if remaining is not None:
                remaining -= len(data)
            yield data

    async def _chunked(self) -> AsyncIterator[bytes]:
        while True:
            size_line = await self._read(self.reader.readline())
            if not size_line:
                raise HttpError("the server closed the connection in the middle of the response")
            try:
                size = int(size_line.split(b";")[0].strip(), 16)
            except ValueError:
                raise HttpError(f"bad chunk header {size_line[:40]!r}") from None
            if size == 0:
                return
            data = await self._read(self.reader.readexactly(size + 2))
            yield data[:-2]

    async def _read(self, operation: "asyncio.Future[bytes] | object") -> bytes:
        try:
            return await asyncio.wait_for(operation, self.read_timeout)  # type: ignore[arg-type]
        except asyncio.TimeoutError:
            raise HttpError(f"no data from the server for {self.read_timeout:g} s") from None
        except asyncio.IncompleteReadError:
            raise HttpError("the server closed the connection in the middle of the response") from None
        except (ConnectionError, OSError) as err:
            raise HttpError(f"connection lost: {err}") from None


async def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> HttpResponse:
    """Send a POST and read the status line and headers; raises HttpError when it cannot."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    context = ssl.create_default_context() if parts.scheme == "https" else None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, port, ssl=context, limit=MAX_HEADER_BYTES), timeout)
    except asyncio.TimeoutError:
        raise HttpError(f"connecting to {parts.hostname}:{port} timed out after {timeout:g} s") from None
    except OSError as err:
        raise HttpError(f"cannot connect to {parts.hostname}:{port}: {err.strerror or err}") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    head = {"Host": parts.netloc, "Content-Type": "application/json", "Content-Length": str(len(body)),
            "Accept": "text/event-stream", "Connection": "close", **headers}
    request = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
    try:
        writer.write(request.encode("latin-1") + body)
        await asyncio.wait_for(writer.drain(), timeout)
        return await _read_head(reader, writer, timeout)
    except BaseException:
        writer.close()
        raise


async def _read_head(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float) -> HttpResponse:
    try:
        raw = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except asyncio.TimeoutError:
        raise HttpError(f"the server did not answer within {timeout:g} s") from None
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
        raise HttpError("the server closed the connection without a valid HTTP response") from None
    status_line, *header_lines = raw.decode("latin-1").split("\r\n")
    fields = status_line.split(" ", 2)
    if len(fields) < 2 or not fields[0].startswith("HTTP/") or not fields[1].isdigit():
        raise HttpError(f"not an HTTP response: {status_line[:80]!r}")
    headers = {}
    for line in header_lines:
        if ":" in line:
            key, value = line.split(":", 1)
            headers[key.strip().lower()] = value.strip()
    return HttpResponse(int(fields[1]), fields[2] if len(fields) > 2 else "", headers, reader, writer, timeout)
