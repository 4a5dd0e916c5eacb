"""Zeroconf (mDNS/DNS-SD) advertisement of the RTVI endpoint, so apps on the LAN can find the device.

Service type `_rtvi._tcp`; TXT records: path (the WebSocket path), webrtc (the SmallWebRTC offer path, when
offered), protocol (RTVI version), token (yes/no: whether clients must pass ?token=), tls (yes/no). A network without multicast only costs the
advertisement: the failure is logged and the daemon goes on.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

from ..config import ServerSettings, is_loopback

log = logging.getLogger(__name__)

SERVICE_TYPE = "_rtvi._tcp.local."
WS_PATH = "/ws"


def lan_addresses() -> list[str]:
    """Non-loopback, non-link-local IPv4/IPv6 addresses of this machine."""
    import ifaddr  # a zeroconf dependency

    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            text = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            parsed = ipaddress.ip_address(text)
            if not (parsed.is_loopback or parsed.is_link_local or parsed.is_unspecified):
                found.append(text)
    return list(dict.fromkeys(found))


class ServiceAdvertiser:
    """Announces `<instance>._rtvi._tcp.local.` while the server runs."""

    def __init__(self, server: ServerSettings, protocol_version: str | None = None,
                 instance: str | None = None) -> None:
        from ..rtvi.protocol.messages import PROTOCOL_VERSION

        self._server = server
        self._protocol_version = protocol_version or PROTOCOL_VERSION
        self.hostname = socket.gethostname().split(".")[0] or "rtvi-edge"
        self.instance = instance or f"rtvi-edge on {self.hostname}"
        self._zeroconf = None
        self._info = None

    def addresses(self) -> list[str]:
        host = self._server.host
        if host in ("", "0.0.0.0", "::"):
            return lan_addresses()
        return [host]

    async def start(self, port: int) -> None:
        if is_loopback(self._server.host):
            log.info("not advertised on the LAN: the server listens on loopback only")
            return
        try:
            await self._register(port)
        except Exception as err:  # no multicast route, no interface, name clash storm: degrade, never fail
            log.warning("zeroconf advertisement failed; clients need the address", extra={"error": str(err)})
            await self.stop()

    async def _register(self, port: int) -> None:
        from zeroconf import ServiceInfo
        from zeroconf.asyncio import AsyncZeroconf

        addresses = self.addresses()
        if not addresses:
            raise OSError("no LAN address to advertise")
        properties = {"path": WS_PATH, "protocol": self._protocol_version,
                      **({"webrtc": "/api/offer"} if self._server.webrtc else {}),
                      "token": "yes" if self._server.token else "no",
                      "tls": "yes" if self._server.tls_cert else "no"}
        self._info = ServiceInfo(SERVICE_TYPE, f"{self.instance}.{SERVICE_TYPE}", port=port,
                                 parsed_addresses=addresses, properties=properties,
                                 server=f"{self.hostname}.local.")
        self._zeroconf = AsyncZeroconf()
        await self._zeroconf.async_register_service(self._info, allow_name_change=True)
        log.info("advertised over zeroconf", extra={"service": self._info.name, "port": port,
                                                    "addresses": ",".join(addresses)})

    async def stop(self) -> None:
        zeroconf, self._zeroconf = self._zeroconf, None
        if zeroconf is None:
            return
        try:
            if self._info is not None:
                await zeroconf.async_unregister_service(self._info)
            await zeroconf.async_close()
        except Exception as err:  # the network may be gone at shutdown; nothing to clean up then
            log.debug("zeroconf shutdown failed", extra={"error": str(err)})
