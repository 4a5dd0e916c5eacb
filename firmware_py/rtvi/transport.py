"""What an RTVI session needs from the link to its client: send a message, send audio, close.

The session (protocol state, handshake, commands, events) never sees the link itself, so the WebSocket and
WebRTC transports are two small classes beside each other, and a new link is one more.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

import numpy as np

from .audio import CLIENT_RATE
from .protocol.messages import RtviMessage

if TYPE_CHECKING:
    from .session import RtviSession


class CloseCode(enum.IntEnum):
    """Why a session ends, in WebSocket close codes (other transports log them)."""

    NORMAL = 1000
    GOING_AWAY = 1001
    POLICY_VIOLATION = 1008
    INTERNAL_ERROR = 1011


class RtviTransport(ABC):
    kind: str = "transport"
    """Shown in logs and in `status`: "websocket", "webrtc"."""
    sample_rate: int = CLIENT_RATE
    """The rate the bot's voice is sent at."""

    @property
    @abstractmethod
    def peer(self) -> str:
        """The client's address, for logs."""

    @abstractmethod
    async def serve(self, session: "RtviSession") -> None:
        """Deliver what the client sends to `session` (`on_message_text`, `on_audio`) until the link ends."""

    @abstractmethod
    async def send_message(self, message: RtviMessage) -> None:
        """One RTVI message to the client; a link already gone drops it silently."""

    @abstractmethod
    async def send_audio(self, samples: np.ndarray, sample_rate: int) -> None:
        """Bot voice, mono int16, one 40 ms chunk at a time, already paced to real time."""

    @abstractmethod
    async def close(self, code: int = CloseCode.NORMAL, reason: str = "") -> None:
        """End the link; `serve` returns soon after."""

    def backlogged(self) -> bool:
        """The client is not keeping up: bot audio is dropped rather than queued."""
        return False

    def clear_audio(self) -> None:
        """Barge-in: drop bot audio sent to the transport but not yet on the wire."""
