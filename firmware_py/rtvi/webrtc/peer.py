"""RTVI over a SmallWebRTC peer connection (aiortc): Opus audio both ways, RTVI JSON on the `chat` channel.

The client's offer holds, in order, an audio transceiver (its microphone; the bot's voice comes back on it),
a video one (accepted, never decoded) and the data channel. The client sends `ping: <ms>` on the channel
every second, so a peer that goes silent, or never connects, is noticed and closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from aiortc import RTCConfiguration, RTCDataChannel, RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

from ...config import ServerSettings
from ..limits import LogLimiter
from ..protocol.messages import RtviMessage
from ..transport import CloseCode, RtviTransport
from .media import OPUS_RATE, BotVoiceTrack, MicrophoneBuffer, decode_microphone_here, forward_microphone

if TYPE_CHECKING:
    from ..session import RtviSession

log = logging.getLogger(__name__)

SIGNALLING = "signalling"
MAX_EARLY_MESSAGES = 50
"""Messages for a channel that is not open yet wait, up to this many."""
WATCH_INTERVAL_SECS = 0.5


@dataclass(frozen=True, slots=True)
class Refused:
    """A data-channel message that cannot be read: the session tells the client why (and counts it)."""

    reason: str


class WebRtcTransport(RtviTransport):
    kind = "webrtc"

    def __init__(self, configuration: RTCConfiguration, settings: ServerSettings, peer: str) -> None:
        self.pc_id = f"pc-{uuid.uuid4().hex}"
        self.sample_rate = OPUS_RATE
        self._configuration, self._settings, self._peer = configuration, settings, peer
        self._voice = BotVoiceTrack()
        self._channel: RTCDataChannel | None = None
        self._early: list[str] = []
        self._inbox: asyncio.Queue[str | Refused | None] = asyncio.Queue(maxsize=256)
        self._session: RtviSession | None = None
        self._microphone: asyncio.Task[None] | None = None
        self._microphone_buffer: MicrophoneBuffer | None = None
        self._offered_at = time.monotonic()
        self._closed = False
        self._log = LogLimiter(log)
        self.pc = self._new_peer_connection()

    @property
    def peer(self) -> str:
        return self._peer

    # --- signalling -------------------------------------------------------------------------------

    def _new_peer_connection(self) -> RTCPeerConnection:
        pc = RTCPeerConnection(self._configuration)
        pc.on("datachannel", self._on_channel)
        pc.on("connectionstatechange", lambda: self._on_state(pc))
        return pc

    async def answer(self, sdp: str, restart: bool = False) -> dict[str, str]:
        """Take the client's offer and return the answer, which already holds every local candidate."""
        if restart:  # the client gave up on its old connection (ICE failed): a new one, same session
            old, self.pc = self.pc, self._new_peer_connection()
            self._channel = None
            self._voice = BotVoiceTrack()  # closing the old connection ends the track it was sending
            self._offered_at = time.monotonic()
            await old.close()
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        self._shape_transceivers()
        await self.pc.setLocalDescription(await self.pc.createAnswer())  # gathers candidates first
        if self._session is not None:
            self._listen_to_microphone()
        description = self.pc.localDescription
        return {"sdp": description.sdp, "type": description.type, "pc_id": self.pc_id}

    def _shape_transceivers(self) -> None:
        for index, transceiver in enumerate(self.pc.getTransceivers()):
            if index == 0 and transceiver.kind == "audio":
                transceiver.direction = "sendrecv"
                transceiver.sender.replaceTrack(self._voice)
                self._microphone_buffer = decode_microphone_here(transceiver.receiver)
            else:  # video and anything else: accepted, never decoded or answered with media
                transceiver.direction = "recvonly"
                if hasattr(transceiver.receiver, "_enabled"):
                    transceiver.receiver._enabled = False  # drop packets before they reach a decoder

    async def add_candidates(self, candidates: list[dict[str, Any]]) -> None:
        for raw in candidates:
            text = raw["candidate"]
            if not text:  # end of candidates
                continue
            candidate = candidate_from_sdp(text.split(":", 1)[1] if text.startswith("candidate:") else text)
            candidate.sdpMid = raw.get("sdp_mid")
            candidate.sdpMLineIndex = raw.get("sdp_mline_index")
            await self.pc.addIceCandidate(candidate)

    # --- the data channel -------------------------------------------------------------------------

    def _on_channel(self, channel: RTCDataChannel) -> None:
        self._channel = channel
        channel.on("message", self._on_channel_message)
        if channel.readyState == "open":
            self._flush_early()
        channel.on("open", self._flush_early)

    def _flush_early(self) -> None:
        early, self._early = self._early, []
        for text in early:
            self._send_text(text)

    def _on_channel_message(self, message: str | bytes) -> None:
        session = self._session
        if session is not None:
            session.heard()
        if isinstance(message, str) and message.startswith("ping"):
            return
        item: str | Refused = message  # type: ignore[assignment]
        if isinstance(message, bytes):
            item = Refused("binary data-channel messages are not RTVI: send JSON text")
        elif len(message) > self._settings.max_message_bytes:
            item = Refused(f"message of {len(message)} characters is over the limit of "
                           f"{self._settings.max_message_bytes}")
        elif '"signalling"' in message and self._signalling(message):
            return
        try:
            self._inbox.put_nowait(item)
        except asyncio.QueueFull:
            self._log.log(logging.WARNING, "inbox", "client messages dropped: too many in flight", peer=self._peer)

    def _signalling(self, text: str) -> bool:
        """Transport messages of the SmallWebRTC client (track status); True when `text` was one."""
        with contextlib.suppress(ValueError):
            raw = json.loads(text)
            if isinstance(raw, dict) and raw.get("type") == SIGNALLING:
                log.debug("signalling message", extra={"peer": self._peer, "message": str(raw.get("message"))[:200]})
                return True
        return False

    # --- RtviTransport ----------------------------------------------------------------------------

    async def serve(self, session: "RtviSession") -> None:
        self._session = session
        self._listen_to_microphone()
        watchdog = asyncio.create_task(self._watch(session))
        try:
            while (item := await self._inbox.get()) is not None:
                if isinstance(item, Refused):
                    await session.reject(None, item.reason)
                else:
                    await session.on_message_text(item)
                if session.closing:
                    return
        finally:
            watchdog.cancel()
            await self._shutdown()

    def _listen_to_microphone(self) -> None:
        if self._microphone is not None:
            self._microphone.cancel()
        transceivers = self.pc.getTransceivers()
        track = transceivers[0].receiver.track if transceivers and transceivers[0].kind == "audio" else None
        if track is not None and self._session is not None:
            self._microphone = asyncio.create_task(forward_microphone(track, self._session, self._microphone_buffer))

    async def _watch(self, session: "RtviSession") -> None:
        """Close a peer that never connects, or that stops sending (no audio, no keepalive ping)."""
        settings = self._settings
        while not self._closed:
            await asyncio.sleep(WATCH_INTERVAL_SECS)
            now = time.monotonic()
            if self.pc.connectionState != "connected":
                if now - self._offered_at > settings.webrtc_connect_timeout_secs:
                    await self.close(CloseCode.GOING_AWAY, "peer never connected")
            elif now - session.last_heard > settings.webrtc_silence_timeout_secs:
                await self.close(CloseCode.GOING_AWAY, "peer went silent")

    def _on_state(self, pc: RTCPeerConnection) -> None:
        if pc is self.pc and pc.connectionState in ("failed", "closed") and not self._closed:
            log.info("webrtc peer lost", extra={"pc_id": self.pc_id, "state": pc.connectionState})
            self._end_serving()

    async def send_message(self, message: RtviMessage) -> None:
        self._send_text(message.to_json())

    def _send_text(self, text: str) -> None:
        channel = self._channel
        if channel is not None and channel.readyState == "open":
            with contextlib.suppress(Exception):  # a channel closing under us: the message is moot
                channel.send(text)
        elif not self._closed and len(self._early) < MAX_EARLY_MESSAGES:
            self._early.append(text)

    async def send_audio(self, samples: np.ndarray, sample_rate: int) -> None:
        self._voice.push(samples)

    def clear_audio(self) -> None:
        self._voice.clear()

    async def close(self, code: int = CloseCode.NORMAL, reason: str = "") -> None:
        if self._closed:
            return
        log.info("webrtc peer closing", extra={"pc_id": self.pc_id, "code": int(code), "reason": reason})
        self._send_text(json.dumps({"type": SIGNALLING, "message": {"type": "peerLeft"}}))
        self._end_serving()
        if self._session is None:  # never served: nobody else will shut it down
            await self._shutdown()

    def _end_serving(self) -> None:
        self._closed = True
        if self._inbox.full():  # the wake-up must get through even behind a full inbox
            self._inbox.get_nowait()
        self._inbox.put_nowait(None)

    async def _shutdown(self) -> None:
        self._closed = True
        if self._microphone is not None:
            self._microphone.cancel()
        self._voice.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.pc.close(), timeout=2.0)
