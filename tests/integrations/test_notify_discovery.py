"""sd_notify against a datagram socket the test binds, and the zeroconf advertisement."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from pathlib import Path

import pytest

from firmware_py.config import ServerSettings
from firmware_py.integrations import discovery
from firmware_py.integrations.discovery import SERVICE_TYPE, ServiceAdvertiser, lan_addresses
from firmware_py.integrations.systemd import SystemdNotifier


def received(sock: socket.socket) -> list[str]:
    messages = []
    sock.setblocking(False)
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except BlockingIOError:
            return messages


@pytest.mark.parametrize("abstract", [False, True])
async def test_ready_status_watchdog_stopping(tmp_path: Path, abstract: bool) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"@rtvi-test-{os.getpid()}" if abstract else str(tmp_path / "notify")
    sock.bind(b"\0" + name[1:].encode() if abstract else name)
    notifier = SystemdNotifier({"NOTIFY_SOCKET": name, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": str(os.getpid())})
    assert notifier.watchdog_secs == 0.2
    notifier.status("loading models")
    notifier.ready()
    pinger = asyncio.create_task(notifier.watchdog_loop())
    await asyncio.sleep(0.45)  # pings at 0, 0.1, 0.2, 0.3, 0.4 s
    pinger.cancel()
    notifier.stopping()
    messages = received(sock)
    assert messages[:2] == ["STATUS=loading models", "READY=1"]
    assert messages[-1] == "STOPPING=1"
    assert 3 <= messages.count("WATCHDOG=1") <= 6
    notifier.close()
    sock.close()


async def test_outside_systemd_everything_is_a_no_op() -> None:
    notifier = SystemdNotifier({})
    notifier.ready()
    notifier.status("x")
    await asyncio.wait_for(notifier.watchdog_loop(), 1)  # returns at once: no watchdog configured
    assert not notifier.enabled


def test_watchdog_meant_for_another_process_is_ignored() -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert notifier.watchdog_secs == 0 and notifier.enabled


def test_systemd_gone_is_logged_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    notifier = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    with caplog.at_level(logging.WARNING):
        notifier.ready()
    assert "sd_notify failed" in caplog.text


async def test_advertised_service_can_be_resolved() -> None:
    if not lan_addresses():
        pytest.skip("no LAN address on this machine")
    from zeroconf.asyncio import AsyncZeroconf

    advertiser = ServiceAdvertiser(ServerSettings(host="0.0.0.0", token="s3cret"), "2.1.0", instance="rtvi test")
    await advertiser.start(7861)
    browser = AsyncZeroconf()
    try:
        info = await browser.async_get_service_info(SERVICE_TYPE, f"rtvi test.{SERVICE_TYPE}", timeout=3000)
    finally:
        await browser.async_close()
        await advertiser.stop()
    if info is None:
        pytest.skip("multicast does not loop back on this network")
    assert info.port == 7861
    assert info.properties == {b"path": b"/ws", b"webrtc": b"/api/offer", b"protocol": b"2.1.0", b"token": b"yes",
                               b"tls": b"no"}
    assert set(info.parsed_addresses()) <= set(lan_addresses())


async def test_no_network_is_tolerated(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(discovery, "lan_addresses", lambda: [])
    advertiser = ServiceAdvertiser(ServerSettings(host="0.0.0.0", token="x"))
    with caplog.at_level(logging.WARNING):
        await advertiser.start(7860)
    assert "zeroconf advertisement failed" in caplog.text
    await advertiser.stop()


async def test_loopback_server_is_not_advertised() -> None:
    advertiser = ServiceAdvertiser(ServerSettings())
    await advertiser.start(7860)
    assert advertiser._zeroconf is None
