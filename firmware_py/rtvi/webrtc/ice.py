"""ICE for a device on a LAN, often offline: host candidates (loopback included) and optional STUN/TURN.

aioice leaves 127.0.0.1 out of its host candidates, so a kiosk browser on the device itself (which, started
with --allow-loopback-in-peer-connection, offers only loopback) could never reach the daemon. The list of
host addresses is the one place aioice looks them up, so loopback is added there, once.
"""

from __future__ import annotations

from typing import Callable
from urllib.parse import unquote

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer

LOOPBACK = "127.0.0.1"


def include_loopback_candidates() -> None:
    lookup: Callable[..., list[str]] = aioice.ice.get_host_addresses
    if getattr(lookup, "includes_loopback", False):
        return

    def with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = lookup(use_ipv4=use_ipv4, use_ipv6=use_ipv6)
        return addresses + [LOOPBACK] if use_ipv4 and LOOPBACK not in addresses else addresses

    with_loopback.includes_loopback = True  # type: ignore[attr-defined]
    aioice.ice.get_host_addresses = with_loopback


def ice_server(url: str) -> RTCIceServer:
    """`stun:host:port`, or `turn:user:password@host:port` with the credentials taken out of the URL."""
    scheme, _, rest = url.partition(":")
    if scheme not in ("stun", "stuns", "turn", "turns") or not rest:
        raise ValueError(f"ICE server {url!r} must start with stun:, stuns:, turn: or turns:")
    credentials, at, address = rest.rpartition("@")
    if not at:
        return RTCIceServer(urls=url)
    username, _, password = credentials.partition(":")
    return RTCIceServer(urls=f"{scheme}:{address}", username=unquote(username), credential=unquote(password))


def rtc_configuration(urls: list[str]) -> RTCConfiguration:
    return RTCConfiguration(iceServers=[ice_server(url) for url in urls])
