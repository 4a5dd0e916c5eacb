"""The HTTP side of the port: static files, health, and the gate in front of /ws (auth, origins, limits)."""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from firmware_py.rtvi import http as rtvi_http

from rtvi_harness import Harness, start_harness, until


async def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP/1.1 GET, byte for byte as given (no client-side path clean-up)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    raw = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    parsed = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), parsed, body


@pytest.fixture
def web(harness: Harness) -> Path:
    root = harness.server.gate.static.root
    assert root is not None
    (root / "index.html").write_text("<!doctype html><title>kiosk</title>")
    (root / "app.js").write_text("console.log('hi')")
    (root / "style.css").write_text("body{}")
    (root / "sub").mkdir()
    (root / "sub" / "data.json").write_text("{}")
    (root.parent / "secret.txt").write_text("do not serve")
    return root


async def test_static_files_with_types_and_etags(harness: Harness, web: Path) -> None:
    port = harness.server.port
    status, headers, body = await http_get(port, "/")
    assert status == 200 and body == b"<!doctype html><title>kiosk</title>"
    assert headers["content-type"] == "text/html; charset=utf-8" and headers["cache-control"] == "no-cache"
    for path, expected in (("/app.js", "text/javascript; charset=utf-8"), ("/style.css", "text/css; charset=utf-8"),
                           ("/sub/data.json", "application/json; charset=utf-8")):
        status, headers, _ = await http_get(port, path)
        assert (status, headers["content-type"]) == (200, expected)
    etag = (await http_get(port, "/app.js"))[1]["etag"]
    status, _, body = await http_get(port, "/app.js", {"If-None-Match": etag})
    assert status == 304 and body == b""
    (web / "app.js").write_text("console.log('changed')")
    status, headers, body = await http_get(port, "/app.js", {"If-None-Match": etag})
    assert status == 200 and headers["etag"] != etag and body == b"console.log('changed')"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/sub/../../secret.txt", "/missing.js",
                                  "/sub", "/%00", "/..%5csecret.txt", "//etc/passwd"])
async def test_nothing_outside_the_web_root_and_clean_404s(harness: Harness, web: Path, path: str) -> None:
    status, _, body = await http_get(harness.server.port, path)
    assert status == 404 and b"do not serve" not in body and b"root:" not in body


async def test_empty_web_root_serves_404(tmp_path: Path) -> None:
    running = await start_harness(tmp_path)
    try:
        assert (await http_get(running.server.port, "/"))[0] == 404
    finally:
        await running.server.stop()


async def test_health_and_plain_get_on_ws(harness: Harness) -> None:
    status, headers, body = await http_get(harness.server.port, "/health")
    health = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert health["status"] == "ok" and health["clients"] == 0 and health["local_session"] is True
    client = await harness.connect()
    await client.ready()
    assert json.loads((await http_get(harness.server.port, "/health"))[2])["clients"] == 1
    assert (await http_get(harness.server.port, "/ws"))[0] == 426


async def _refused(url: str, **kwargs) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(url, **kwargs)
    return refused.value.response.status_code


async def test_token_is_required_when_set(tmp_path: Path) -> None:
    running = await start_harness(tmp_path, host="127.0.0.1", token="s3cret")
    try:
        assert await _refused(running.url()) == 401
        assert await _refused(running.url("/ws?token=wrong")) == 401
        assert await _refused(running.url("/ws?token=s3cre")) == 401
        ws = await websockets.connect(running.url("/ws?token=s3cret"))
        await ws.close()
        assert (await http_get(running.server.port, "/health"))[0] == 200  # health needs no token
        # a page may check its token with a plain GET before opening the socket
        assert (await http_get(running.server.port, "/ws?token=wrong"))[0] == 401
        assert (await http_get(running.server.port, "/ws?token=s3cret"))[0] == 426
    finally:
        await running.server.stop()


def test_token_compare_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = rtvi_http.hmac.compare_digest
    monkeypatch.setattr(rtvi_http.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    assert rtvi_http.token_matches("abc", "abc") and not rtvi_http.token_matches("ab", "abc")
    assert not rtvi_http.token_matches(None, "abc")
    assert len(compared) == 3 and all(len(a) == len(b) == 32 for a, b in compared)  # digests: no length leak


async def test_origin_allow_list(tmp_path: Path) -> None:
    running = await start_harness(tmp_path, allowed_origins=["https://app.example"])
    try:
        assert await _refused(running.url(), origin="https://evil.example") == 403
        for origin in ("https://app.example", f"http://127.0.0.1:{running.server.port}"):  # listed, same host
            ws = await websockets.connect(running.url(), origin=origin)
            await ws.close()
        ws = await websockets.connect(running.url())  # not a browser: no Origin header
        await ws.close()
    finally:
        await running.server.stop()


async def test_max_clients(tmp_path: Path) -> None:
    running = await start_harness(tmp_path, max_clients=2)
    try:
        first, second = await running.connect(), await running.connect()
        assert await _refused(running.url()) == 503
        await first.close()
        await until(lambda: len(running.server.connections) == 1)
        third = await running.connect()
        await third.ready()
        await second.close()
        await third.close()
    finally:
        await running.server.stop()


async def test_oversized_message_closes_with_1009(tmp_path: Path) -> None:
    running = await start_harness(tmp_path, max_message_bytes=4096)
    try:
        client = await running.connect()
        await client.ready()
        await client.ws.send(b"\x00" * 5000)
        await asyncio.wait_for(client._reader, 5)
        assert client.ws.close_code == 1009
        other = await running.connect()
        assert (await other.ready())["type"] == "bot-ready"  # the server carries on
    finally:
        await running.server.stop()


async def test_idle_clients_are_closed(tmp_path: Path) -> None:
    running = await start_harness(tmp_path, idle_timeout_secs=0.3)
    try:
        client = await running.connect()
        await client.ready()
        await asyncio.wait_for(client._reader, 5)
        assert client.ws.close_code == 1000 and "idle" in client.ws.close_reason
    finally:
        await running.server.stop()


async def test_stop_closes_clients_with_1001_quickly(tmp_path: Path) -> None:
    running = await start_harness(tmp_path)
    clients = [await running.connect() for _ in range(3)]
    for client in clients:
        await client.ready()
    await running.server.stop()
    for client in clients:
        await asyncio.wait_for(client._reader, 2)
        assert client.ws.close_code == 1001
    assert all(session.closed for session in running.host.opened)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a test certificate")
async def test_tls(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    running = await start_harness(tmp_path, tls_cert=str(cert), tls_key=str(key))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        ws = await websockets.connect(f"wss://127.0.0.1:{running.server.port}/ws", ssl=context)
        await ws.close()
    finally:
        await running.server.stop()
