"""One RTVI client session: its conversation, its event stream, its limits, over any transport.

Three lanes run side by side so that none waits on another: the transport's receive side (audio goes
straight to the conversation; messages are queued), the command worker (messages in order), and the event
pump (bus events -> RTVI messages). The bot's voice leaves through the ClientAudioSink at real-time pace.
The session knows nothing of WebSockets or WebRTC: it talks to an `RtviTransport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import events as ev
from ..audio.frames import AudioFrame, downmix
from ..session import VoiceSession
from .audio import AudioRateGuard, ClientAudioSink
from .limits import LogLimiter, TokenBucket
from .protocol.messages import Generation, MessageError, RtviMessage, error_event, error_response, new_id, parse_message
from .transport import CloseCode, RtviTransport
from .translate import EventTranslator

if TYPE_CHECKING:
    from .server import RtviServer

log = logging.getLogger(__name__)

GLOBAL_EVENTS = (ev.ConfigChanged, ev.DeviceStatus)
"""Device-wide events every client sees, whichever conversation it follows."""
MIN_RATE, MAX_RATE, MAX_CHANNELS = 8_000, 96_000, 8
MAX_QUEUED_COMMANDS = 64


class RtviSession:
    def __init__(self, transport: RtviTransport, server: "RtviServer", monitor: bool,
                 echo_cancel: bool = False) -> None:
        self.transport, self.server, self.monitor = transport, server, monitor
        self.echo_cancel = echo_cancel
        """The client asked (`echo_cancel=1`) for its bot audio to be cancelled from its microphone."""
        self.connection_id = f"rtvi-{new_id()}"
        self.session_id: str | None = None if monitor else self.connection_id
        self.session: VoiceSession | None = None
        self.owns_session = False
        self.generation = Generation.V2
        self.ready = False
        self.translator = EventTranslator(self.connection_id)
        self.sink = ClientAudioSink(self.send_audio, transport.sample_rate, on_clear=transport.clear_audio)
        self.audio_guard = AudioRateGuard()
        self.error_budget = TokenBucket(capacity=30, rate=2)
        self.last_heard = time.monotonic()
        self.audio_dropped_frames = 0
        self._commands: asyncio.Queue[RtviMessage] = asyncio.Queue(MAX_QUEUED_COMMANDS)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._queues: list[ev.EventQueue] = []
        self._pumping = False
        self._log = LogLimiter(log)
        self.closing = False

    # --- lifecycle --------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            if self.monitor and not await self._follow_local_session():
                return
            self.spawn(self._command_worker(), "commands")
            if self.server.settings.idle_timeout_secs > 0 and not self.monitor:
                self.spawn(self._idle_watchdog(), "idle")
            await self.transport.serve(self)
        finally:
            await self._cleanup()

    async def _follow_local_session(self) -> bool:
        session_id = self.server.host.local_session_id
        session = self.server.host.get_session(session_id) if session_id else None
        if session is None:
            await self.send_message(error_event("no local session to monitor: the device's own audio is off",
                                                fatal=True))
            await self.close(CloseCode.POLICY_VIOLATION, "no local session to monitor")
            return False
        self.session_id, self.session = session_id, session
        return True

    def spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=f"{self.connection_id}-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("connection task failed", exc_info=task.exception(),
                      extra={"connection": self.connection_id, "task": task.get_name()})

    async def close(self, code: int = CloseCode.NORMAL, reason: str = "") -> None:
        self.closing = True
        with contextlib.suppress(Exception):
            await self.transport.close(code, reason)

    async def _cleanup(self) -> None:
        self.closing = True
        for queue in self._queues:
            queue.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.sink.clear()
        # get_session too: a client gone while its conversation was opening still has one to close
        if not self.monitor and (self.owns_session or self.server.host.get_session(self.connection_id)):
            try:
                await asyncio.wait_for(self.server.host.close_session(self.connection_id), timeout=2.0)
            except Exception as err:  # a stuck close must not keep the connection handler alive
                log.warning("session close failed", extra={"session": self.session_id, "error": repr(err)})
        log.info("client left", extra={"connection": self.connection_id, "transport": self.transport.kind,
                                       "audio_dropped": self.audio_dropped_frames})

    async def _idle_watchdog(self) -> None:
        timeout = self.server.settings.idle_timeout_secs
        while not self.closing:
            quiet = time.monotonic() - self.last_heard
            if quiet >= timeout:
                await self.close(CloseCode.NORMAL, f"idle for {timeout:g} s")
                return
            await asyncio.sleep(timeout - quiet + 0.05)

    # --- sending ----------------------------------------------------------------------------------

    async def send_message(self, message: RtviMessage) -> None:
        await self.transport.send_message(message)

    async def send_audio(self, samples: np.ndarray) -> None:
        if self.closing:
            return
        if self.transport.backlogged():
            self.audio_dropped_frames += 1
            return
        await self.transport.send_audio(samples, self.sink.sample_rate)

    async def reject(self, msg_id: str | None, reason: str) -> None:
        """Answer a bad request with error-response; a client that keeps sending bad ones is closed."""
        self._log.log(logging.INFO, "bad-message", "bad client message",
                      connection=self.connection_id, reason=reason[:200])
        if not self.error_budget.take():
            await self.close(CloseCode.POLICY_VIOLATION, "too many invalid messages")
            return
        await self.send_message(error_response(msg_id, reason[:500]))

    # --- receiving (called by the transport) ------------------------------------------------------

    def heard(self) -> None:
        """The client sent something (a message, audio, a keepalive): it is not idle."""
        self.last_heard = time.monotonic()

    async def on_message_text(self, text: str | bytes) -> None:
        try:
            message = parse_message(text)
        except MessageError as err:
            await self.reject(err.msg_id, str(err))
            return
        if message is None:  # another label: not ours to answer
            self._log.log(logging.DEBUG, "label", "message with a foreign label ignored", connection=self.connection_id)
            return
        try:
            self._commands.put_nowait(message)
        except asyncio.QueueFull:
            await self.reject(message.id, "too many requests in flight; slow down")

    async def on_audio(self, pcm: bytes, sample_rate: int, channels: int) -> None:
        """Microphone audio from the client: checked, rate-guarded, handed to the conversation."""
        sample_rate = sample_rate or 16_000  # an unset field decodes as 0; the client default is 16 kHz
        channels = channels or 1
        if not MIN_RATE <= sample_rate <= MAX_RATE or not 1 <= channels <= MAX_CHANNELS:
            await self.reject(None, f"unsupported audio: {sample_rate} Hz, {channels} channels "
                                    f"(mono or up to {MAX_CHANNELS} channels, {MIN_RATE}-{MAX_RATE} Hz)")
            return
        if self.monitor or not self.ready or self.session is None:
            return  # before client-ready, or a monitor: the reference drops such audio too
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % (2 * channels)], dtype="<i2")
        if not len(samples):
            return
        if not self.audio_guard.admit(len(samples) / channels / sample_rate):
            if self.audio_guard.abusive:
                await self.close(CloseCode.POLICY_VIOLATION, "audio sent much faster than real time")
            return
        try:
            self.session.push_audio(AudioFrame(downmix(samples.astype(np.int16), channels), sample_rate))
        except Exception as err:  # the conversation's problem must not end the connection
            self._log.log(logging.WARNING, "push", "client audio refused", connection=self.connection_id,
                          error=repr(err))

    # --- commands and events ----------------------------------------------------------------------

    async def _command_worker(self) -> None:
        from .handlers import handle

        while True:
            message = await self._commands.get()
            await handle(self, message)

    def subscribe_events(self) -> None:
        """Start collecting bus events (before the conversation opens, so its first state is not missed)."""
        if not self._queues:
            bus = self.server.bus
            self._queues = [ev.EventQueue(bus, session_id=self.session_id), ev.EventQueue(bus, *GLOBAL_EVENTS)]

    def start_events(self) -> None:
        """Begin forwarding bus events: after bot-ready, once the client's generation is known."""
        if self._pumping:
            return
        self._pumping = True
        self.subscribe_events()
        for index, queue in enumerate(self._queues):
            self.spawn(self._pump(queue, only_global=index == 1), f"events{index}")

    async def _pump(self, queue: ev.EventQueue, only_global: bool) -> None:
        while True:
            event = await queue.get()
            if not only_global and isinstance(event, GLOBAL_EVENTS):
                continue  # the global queue sends it
            try:
                for message in self.translator.translate(event):
                    await self.send_message(message)
            except Exception:  # one odd event must not end the stream of all the others
                log.exception("event not forwarded", extra={"connection": self.connection_id, "event": event.kind})
