"""RTVI: the protocol the official Pipecat client SDKs speak, served by the daemon.

`firmware_py.rtvi.protocol` is the light part (messages, wire format) that the client SDK shares; the
server pieces are imported only when asked for, so importing the protocol pulls in no server code.
"""

from typing import Any

__all__ = ["ClientMessageRegistry", "ClientRequest", "RtviServer"]


def __getattr__(name: str) -> Any:
    if name == "RtviServer":
        from .server import RtviServer
        return RtviServer
    if name in ("ClientMessageRegistry", "ClientRequest"):
        from . import clients
        return getattr(clients, name)
    raise AttributeError(name)
