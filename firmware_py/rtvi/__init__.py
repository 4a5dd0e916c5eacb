"""RTVI over WebSocket: the protocol the official Pipecat client SDKs speak, served by the daemon."""

from .clients import ClientMessageRegistry, ClientRequest
from .server import RtviServer

__all__ = ["ClientMessageRegistry", "ClientRequest", "RtviServer"]
