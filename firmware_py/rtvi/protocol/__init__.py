"""The RTVI protocol itself, light to import: message types, version negotiation and the Pipecat protobuf
wire format. Shared by the server (`firmware_py.rtvi`) and the client SDK; it pulls in no server code,
no websockets, numpy or audio libraries."""

from . import messages, wire
from .messages import PROTOCOL_VERSION, MessageError, RtviMessage

__all__ = ["PROTOCOL_VERSION", "MessageError", "RtviMessage", "messages", "wire"]
