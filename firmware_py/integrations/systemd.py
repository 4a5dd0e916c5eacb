"""sd_notify without a dependency: READY/STATUS/STOPPING and the watchdog, over $NOTIFY_SOCKET.

Outside systemd (no NOTIFY_SOCKET) every call is a no-op. The watchdog is pinged from the event loop on
purpose: a loop that stalls stops the pings, and systemd restarts the daemon.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env: Mapping[str, str] = os.environ if environ is None else environ
        self._address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_secs = _watchdog_secs(env)
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def ready(self) -> None:
        self._send("READY=1")

    def status(self, text: str) -> None:
        self._send("STATUS=" + text.replace("\n", " "))

    def stopping(self) -> None:
        self._send("STOPPING=1")

    def watchdog(self) -> None:
        self._send("WATCHDOG=1")

    async def watchdog_loop(self) -> None:
        """Ping every WATCHDOG_USEC/2 until cancelled; returns at once when no watchdog is configured."""
        if not self.enabled or not self.watchdog_secs:
            return
        interval = self.watchdog_secs / 2
        log.info("systemd watchdog on", extra={"interval_secs": interval})
        while True:
            self.watchdog()
            await asyncio.sleep(interval)

    def _send(self, message: str) -> None:
        if self._address is None:
            return
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto(message.encode(), self._address)
        except OSError as err:  # systemd gone or socket full: notifying is best effort, never fatal
            log.warning("sd_notify failed", extra={"notify": message, "error": str(err)})

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _socket_address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):  # abstract namespace: a leading NUL byte instead of the '@'
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    log.warning("NOTIFY_SOCKET is neither a path nor an abstract name; not notifying", extra={"value": value})
    return None


def _watchdog_secs(env: Mapping[str, str]) -> float:
    """WATCHDOG_USEC in seconds, 0 when unset, malformed, or meant for another process (WATCHDOG_PID)."""
    pid = env.get("WATCHDOG_PID")
    if pid and pid != str(os.getpid()):
        return 0.0
    try:
        return max(0.0, int(env.get("WATCHDOG_USEC", "0")) / 1e6)
    except ValueError:
        log.warning("WATCHDOG_USEC is not a number; watchdog off", extra={"value": env.get("WATCHDOG_USEC")})
        return 0.0
