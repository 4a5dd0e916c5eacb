"""`RtviClient`: the official JS client's shape in asyncio, for any RTVI server.

    client = RtviClient(WebSocketTransport("ws://device.local:7860/ws", token="..."))
    client.on(BotLlmText, lambda e: print(e.text, end=""))
    ready = await client.connect()            # client-ready -> bot-ready (version negotiated)
    await client.send_text("What time is it?")
    status = await client.send_client_request("status")
    async for event in client.events(): ...
    await client.disconnect()

Requests (client-message, seed-era describe-config/update-config/action) are matched to their answer by
id; an `error-response` raises `RequestError`. A callback that fails is logged and never ends the client.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from .. import __version__
from ..rtvi.protocol import wire
from ..rtvi.protocol.messages import PROTOCOL_VERSION, MessageError as ProtocolError, RtviMessage, new_id, parse_message
from . import events as ev
from .functions import FunctionCallRunner, FunctionHandler
from .transport import Transport, TransportClosed

log = logging.getLogger(__name__)

E = TypeVar("E", bound=ev.ClientEvent)
Callback = Callable[[Any], Any]

RESPONSE_TYPES = {"server-response", "error-response", "bot-ready", "config", "config-available",
                  "actions-available", "action-response", "config-error"}
"""Messages that answer a request by its id."""


class RequestError(Exception):
    """The server refused a request (`error-response`); `message_type` is what was asked."""

    def __init__(self, message_type: str, error: str) -> None:
        super().__init__(f"{message_type}: {error}")
        self.message_type, self.error = message_type, error


class RtviClient:
    def __init__(self, transport: Transport, *, library: str = "rtvi-edge-client",
                 protocol_version: str = PROTOCOL_VERSION, request_timeout: float = 10.0) -> None:
        self.transport = transport
        self.library, self.protocol_version = library, protocol_version
        self.request_timeout = request_timeout
        self.bot_ready: ev.BotReady | None = None
        self.warnings: list[str] = []
        """What the server said about the handshake (a version it does not share)."""
        self._pending: dict[str, asyncio.Queue[RtviMessage | Exception]] = {}
        self._callbacks: list[tuple[type[ev.ClientEvent], Callback]] = []
        self._queues: list[asyncio.Queue[ev.ClientEvent | None]] = []
        self._reader: asyncio.Task[None] | None = None
        self._functions = FunctionCallRunner(self._send_function_result)

    # --- connection ---------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._reader is not None and not self._reader.done()

    @property
    def server_major(self) -> int:
        """Major protocol version the server reported (0 before bot-ready or when unreadable)."""
        version = self.bot_ready.version if self.bot_ready else ""
        head = version.split(".", 1)[0] if isinstance(version, str) else ""
        return int(head) if head.isdigit() else 0

    async def connect(self, timeout: float = 15.0) -> ev.BotReady:
        """Open the transport, send client-ready and wait for bot-ready; ConnectionError when it fails."""
        await self.transport.connect()
        self._reader = asyncio.create_task(self._read(), name="rtvi-client-reader")
        about = {"library": self.library, "library_version": __version__, "platform": "python"}
        try:
            reply = await self.request("client-ready", {"version": self.protocol_version, "about": about},
                                       timeout=timeout, expect="bot-ready")
        except (RequestError, asyncio.TimeoutError) as err:
            await self.disconnect()
            raise ConnectionError(f"no bot-ready from the server ({err})") from None
        ready = ev.event_for(reply)
        assert isinstance(ready, ev.BotReady)
        self.bot_ready = ready
        if self.server_major != int(self.protocol_version.split(".")[0]):
            log.info("server speaks another protocol major", extra={"server": ready.version,
                                                                    "client": self.protocol_version})
        return ready

    async def disconnect(self) -> None:
        """Close the connection; pending requests fail with ConnectionError."""
        await self.transport.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        await self._functions.close()

    async def disconnect_bot(self) -> None:
        """Ask the server to end the session (`disconnect-bot`)."""
        await self.send_message("disconnect-bot", {})

    # --- sending --------------------------------------------------------------------------------------

    async def send_message(self, message_type: str, data: Any = None, msg_id: str | None = None) -> str:
        """Send one RTVI message; returns its id."""
        message = RtviMessage(message_type, data, msg_id or new_id())
        await self.transport.send_message(message.to_json())
        return message.id or ""

    async def request(self, message_type: str, data: Any = None, timeout: float | None = None,
                      expect: str | None = None) -> RtviMessage:
        """Send a request and wait for the message that answers its id (of type `expect` when given).

        An error-response raises RequestError, except for client-ready, whose error-response is only a
        version warning (the server still sends bot-ready)."""
        msg_id = new_id()
        replies: asyncio.Queue[RtviMessage | Exception] = asyncio.Queue()
        self._pending[msg_id] = replies
        try:
            await self.send_message(message_type, data, msg_id)
            async with asyncio.timeout(timeout or self.request_timeout):
                while True:
                    reply = await replies.get()
                    if isinstance(reply, Exception):
                        raise reply
                    if reply.type == "error-response" and message_type == "client-ready":
                        self.warnings.append(str((reply.data or {}).get("error", "")))
                    elif reply.type == "error-response":
                        raise RequestError(message_type, str((reply.data or {}).get("error", "refused")))
                    elif expect is None or reply.type == expect:
                        return reply
        finally:
            self._pending.pop(msg_id, None)

    async def send_text(self, text: str, run_immediately: bool = True, audio_response: bool = True) -> None:
        """A typed user message (`send-text`); the answer arrives as events."""
        options = {"run_immediately": run_immediately, "audio_response": audio_response}
        await self.send_message("send-text", {"content": text, "options": options})

    async def send_client_message(self, t: str, d: Any = None) -> None:
        """An app message the server may answer or not (`client-message`, no wait)."""
        await self.send_message("client-message", {"t": t, "d": d} if d is not None else {"t": t})

    async def send_client_request(self, t: str, d: Any = None, timeout: float | None = None) -> Any:
        """`client-message` answered by `server-response`: returns its `d`; RequestError if refused."""
        reply = await self.request("client-message", {"t": t, "d": d} if d is not None else {"t": t}, timeout,
                                   expect="server-response")
        return (reply.data or {}).get("d")

    async def send_audio(self, pcm: bytes, sample_rate: int = 16_000, num_channels: int = 1) -> None:
        """Microphone audio: int16 little-endian PCM, sent as a protobuf `audio` frame."""
        await self.transport.send_audio(pcm, sample_rate, num_channels)

    # --- seed-era services API (protocol 0.x/1.x servers, and the daemon at every version) ------------

    async def describe_config(self) -> list[dict[str, Any]]:
        return list(((await self.request("describe-config", expect="config-available")).data or {})
                    .get("config", []))

    async def get_config(self) -> list[dict[str, Any]]:
        return list(((await self.request("get-config", expect="config")).data or {}).get("config", []))

    async def update_config(self, config: list[dict[str, Any]], interrupt: bool = False) -> list[dict[str, Any]]:
        """Change service options (`[{service, options: [{name, value}]}]`); the full config comes back."""
        reply = await self.request("update-config", {"config": config, "interrupt": interrupt}, expect="config")
        return list((reply.data or {}).get("config", []))

    async def describe_actions(self) -> list[dict[str, Any]]:
        reply = await self.request("describe-actions", expect="actions-available")
        return list((reply.data or {}).get("actions", []))

    async def action(self, service: str, action: str, arguments: dict[str, Any] | None = None) -> Any:
        """Run a service action; returns its `result`."""
        data: dict[str, Any] = {"service": service, "action": action}
        if arguments:
            data["arguments"] = [{"name": name, "value": value} for name, value in arguments.items()]
        return ((await self.request("action", data, expect="action-response")).data or {}).get("result")

    # --- client-side function calls -----------------------------------------------------------------

    def register_function_call_handler(self, name: str, handler: FunctionHandler) -> None:
        """Run `handler(call)` when the LLM calls `name` on this client; its return value is the result."""
        self._functions.register(name, handler)

    async def _send_function_result(self, data: dict[str, Any]) -> None:
        await self.send_message("llm-function-call-result", data)

    # --- receiving ------------------------------------------------------------------------------------

    def on(self, event_type: type[E], callback: Callable[[E], Any]) -> Callable[[], None]:
        """Call `callback(event)` (plain or async) for each event of `event_type`; returns an unsubscribe."""
        entry = (event_type, callback)
        self._callbacks.append(entry)
        return lambda: self._callbacks.remove(entry) if entry in self._callbacks else None

    async def events(self, maxsize: int = 1000) -> AsyncIterator[ev.ClientEvent]:
        """Every event from now until the connection closes (ends after `Disconnected`)."""
        if not self.connected:
            return  # nothing more will come (the Disconnected event went out already)
        queue: asyncio.Queue[ev.ClientEvent | None] = asyncio.Queue(maxsize)
        self._queues.append(queue)
        try:
            while (event := await queue.get()) is not None:
                yield event
                if isinstance(event, ev.Disconnected):
                    return
        finally:
            self._queues.remove(queue)

    async def _read(self) -> None:
        try:
            async for frame in self.transport.frames():
                if isinstance(frame, wire.AudioIn):
                    await self._emit(ev.BotAudio(pcm=frame.pcm, sample_rate=frame.sample_rate or 24_000,
                                                 num_channels=frame.num_channels or 1))
                elif isinstance(frame, wire.MessageIn):
                    await self._on_message_text(frame.text)
        except Exception:  # a transport failure ends this connection only
            log.exception("rtvi client read failed")
        finally:
            self._fail_pending(TransportClosed(self.transport.close_reason or "connection closed"))
            await self._emit(ev.Disconnected(reason=self.transport.close_reason or "connection closed"))
            for queue in self._queues:
                _put_dropping(queue, None)

    async def _on_message_text(self, text: str) -> None:
        try:
            message = parse_message(text)
        except ProtocolError as err:
            log.warning("malformed message from the server", extra={"error": str(err)})
            return
        if message is None:
            return  # another label: not RTVI
        if message.type in RESPONSE_TYPES and message.id in self._pending:
            self._pending[message.id].put_nowait(message)
        if message.type == "bot-tts-audio":  # JSON-only servers send the voice this way
            await self._emit_json_audio(message)
            return
        event = ev.event_for(message)
        self._functions.observe(event, legacy_server=0 < self.server_major < 2 or self.bot_ready is None)
        await self._emit(event)

    async def _emit_json_audio(self, message: RtviMessage) -> None:
        data = message.data or {}
        try:
            pcm = base64.b64decode(str(data.get("audio", "")), validate=True)
        except (binascii.Error, ValueError):
            log.warning("bot-tts-audio without valid base64 audio")
            return
        await self._emit(ev.BotAudio(pcm=pcm, sample_rate=int(data.get("sample_rate") or 24_000),
                                     num_channels=int(data.get("num_channels") or 1), data=data))

    async def _emit(self, event: ev.ClientEvent) -> None:
        for queue in self._queues:
            _put_dropping(queue, event)
        for event_type, callback in list(self._callbacks):
            if not isinstance(event, event_type):
                continue
            try:
                result = callback(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("client callback failed", extra={"event": event.type})

    def _fail_pending(self, error: Exception) -> None:
        for replies in self._pending.values():
            replies.put_nowait(error)


def _put_dropping(queue: asyncio.Queue[Any], item: Any) -> None:
    """A consumer that falls behind loses its oldest events, never the reader's pace."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)
