"""A Python RTVI client SDK, in the shape of the official JS client, for any RTVI server.

    from firmware_py.client import RtviClient, WebSocketTransport, events

    client = RtviClient(WebSocketTransport("ws://127.0.0.1:7860/ws"))
    client.on(events.BotLlmText, lambda e: print(e.text, end="", flush=True))
    await client.connect()
    await client.send_text("Hello")

Transports: `WebSocketTransport` (Pipecat's protobuf frames) and `SmallWebRTCTransport` (aiortc, loaded
only when it connects). The SDK imports no server code, no numpy and no audio library: `rtvi-edge chat`
and `rtvi-edge satellite` add those only where they need them.
"""

from . import events
from .client import RequestError, RtviClient
from .functions import FunctionCallParams
from .transport import Transport, TransportClosed, WebSocketTransport
from .webrtc import SmallWebRTCTransport

__all__ = ["FunctionCallParams", "RequestError", "RtviClient", "SmallWebRTCTransport", "Transport",
           "TransportClosed", "WebSocketTransport", "events"]
