"""Typed events and the in-process bus that every part of the daemon hangs on.

Stages publish what happened (user started speaking, a transcript, an LLM token, bot audio started...);
RTVI sessions, the MQTT bridge, LEDs, metrics and logs subscribe. Audio samples never travel on the bus:
they flow through sources and sinks, so the bus stays a cheap control/observation lane.

Subscribers are plain callables run synchronously inside `publish`, so delivery order equals publish order
and a subscriber sees an event before the publisher moves on. A subscriber that needs to do slow or async
work must hand the event to its own queue (see `EventQueue`).
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, ClassVar, TypeVar

log = logging.getLogger(__name__)

LOCAL_SESSION = "local"
"""Session id of the device's own microphone/speaker conversation."""


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every bus event. `kind` is the stable wire name (RTVI/MQTT), set per subclass."""

    kind: ClassVar[str] = "event"
    session_id: str = LOCAL_SESSION
    ts: float = field(default_factory=time.time)

    def payload(self) -> dict[str, Any]:
        """The event's own fields, for JSON (without session_id/ts)."""
        data = asdict(self)
        data.pop("session_id", None)
        data.pop("ts", None)
        return data


# --- user side --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserStartedSpeaking(Event):
    kind: ClassVar[str] = "user-started-speaking"


@dataclass(frozen=True, kw_only=True)
class UserStoppedSpeaking(Event):
    kind: ClassVar[str] = "user-stopped-speaking"


@dataclass(frozen=True, kw_only=True)
class UserTranscript(Event):
    """Interim (`final=False`) or final transcript of the user's current turn."""

    kind: ClassVar[str] = "user-transcription"
    text: str
    final: bool


@dataclass(frozen=True, kw_only=True)
class UserLlmText(Event):
    """The user message as it went into the LLM context."""

    kind: ClassVar[str] = "user-llm-text"
    text: str


@dataclass(frozen=True, kw_only=True)
class UserMuteChanged(Event):
    kind: ClassVar[str] = "user-mute"
    muted: bool


@dataclass(frozen=True, kw_only=True)
class WakeWordDetected(Event):
    kind: ClassVar[str] = "wake-word"
    phrase: str
    score: float


# --- bot side ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BotLlmStarted(Event):
    kind: ClassVar[str] = "bot-llm-started"


@dataclass(frozen=True, kw_only=True)
class BotLlmText(Event):
    """One streamed piece of LLM output text."""

    kind: ClassVar[str] = "bot-llm-text"
    text: str


@dataclass(frozen=True, kw_only=True)
class BotLlmStopped(Event):
    kind: ClassVar[str] = "bot-llm-stopped"


@dataclass(frozen=True, kw_only=True)
class BotTtsStarted(Event):
    kind: ClassVar[str] = "bot-tts-started"


@dataclass(frozen=True, kw_only=True)
class BotTtsText(Event):
    """Text of the sentence TTS is speaking now."""

    kind: ClassVar[str] = "bot-tts-text"
    text: str


@dataclass(frozen=True, kw_only=True)
class BotTtsStopped(Event):
    kind: ClassVar[str] = "bot-tts-stopped"


@dataclass(frozen=True, kw_only=True)
class BotStartedSpeaking(Event):
    """The first bot audio frame went out to the sink."""

    kind: ClassVar[str] = "bot-started-speaking"


@dataclass(frozen=True, kw_only=True)
class BotStoppedSpeaking(Event):
    kind: ClassVar[str] = "bot-stopped-speaking"


@dataclass(frozen=True, kw_only=True)
class BotOutput(Event):
    """A sentence of bot output as it is spoken (RTVI `bot-output`)."""

    kind: ClassVar[str] = "bot-output"
    text: str
    aggregated_by: str = "sentence"
    spoken: bool = True


@dataclass(frozen=True, kw_only=True)
class BotInterrupted(Event):
    """The bot's turn was cut short (barge-in, send-text, an interrupt command)."""

    kind: ClassVar[str] = "bot-interrupted"
    spoken_text: str = ""


# --- tools ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FunctionCallStarted(Event):
    kind: ClassVar[str] = "llm-function-call-started"
    function_name: str
    tool_call_id: str


@dataclass(frozen=True, kw_only=True)
class FunctionCallInProgress(Event):
    kind: ClassVar[str] = "llm-function-call-in-progress"
    function_name: str
    tool_call_id: str
    arguments: dict[str, Any]
    run_on_client: bool = False


@dataclass(frozen=True, kw_only=True)
class FunctionCallStopped(Event):
    kind: ClassVar[str] = "llm-function-call-stopped"
    function_name: str
    tool_call_id: str
    result: Any = None
    cancelled: bool = False


@dataclass(frozen=True, kw_only=True)
class ToolMessage(Event):
    """A user-declared tool was called: the MQTT bridge publishes `body` under `topic`."""

    kind: ClassVar[str] = "tool-message"
    topic: str
    body: dict[str, Any]   # (not `payload`: that is every event's JSON form)


@dataclass(frozen=True, kw_only=True)
class DeviceCommand(Event):
    """A configured home device was commanded: the MQTT bridge publishes `command` verbatim on `topic`
    (the device's own command topic, in Home Assistant's payload conventions)."""

    kind: ClassVar[str] = "device-command"
    device: str
    topic: str
    command: str   # (not `payload`: that is every event's JSON form)


@dataclass(frozen=True, kw_only=True)
class TimerFired(Event):
    kind: ClassVar[str] = "timer-fired"
    timer_id: str
    label: str
    command: str = ""
    """What the user asked to be done when it ends ("turn off the lights"): run as their turn."""
    late_secs: float = 0.0
    """How long ago it ended, when that was while the daemon was off (0: it ends now)."""


@dataclass(frozen=True, kw_only=True)
class BotAnswered(Event):
    """A whole answer, whoever gave it (`responder`: intent, knowledge or llm), once it is complete."""

    kind: ClassVar[str] = "bot-answer"
    text: str
    responder: str


@dataclass(frozen=True, kw_only=True)
class AnswerSource(Event):
    """Where the facts of the answer being spoken come from (a document and its section)."""

    kind: ClassVar[str] = "answer-source"
    document: str
    section: str = ""


# --- state, metrics, errors -------------------------------------------------------------------------


class ConversationState(str, enum.Enum):
    """Where a conversation is in its turn-taking; the value is the wire name."""

    IDLE = "idle"                    # waiting for the wake word or the talk button
    LISTENING = "listening"          # the microphone is open
    USER_SPEAKING = "user_speaking"
    THINKING = "thinking"
    SPEAKING = "speaking"
    MUTED = "muted"
    STANDING_DOWN = "standing_down"  # another room answers this request

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, kw_only=True)
class StateChanged(Event):
    """Conversation state (a ConversationState value)."""

    kind: ClassVar[str] = "state"
    state: str


@dataclass(frozen=True, kw_only=True)
class LlmQueued(Event):
    """This session waits for the shared LLM behind `position` other generations."""

    kind: ClassVar[str] = "llm-queued"
    position: int


@dataclass(frozen=True, kw_only=True)
class Metrics(Event):
    """Per-turn timings in seconds: `ttfb` and `processing` map a processor name to a value."""

    kind: ClassVar[str] = "metrics"
    ttfb: dict[str, float] = field(default_factory=dict)
    processing: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ErrorEvent(Event):
    kind: ClassVar[str] = "error"
    message: str
    fatal: bool = False


@dataclass(frozen=True, kw_only=True)
class DeviceStatus(Event):
    """Health of a device part (audio-in, audio-out, mqtt...): ok or a reason."""

    kind: ClassVar[str] = "device-status"
    part: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class ConfigChanged(Event):
    kind: ClassVar[str] = "config-changed"
    section: str
    values: dict[str, Any]


# --- the bus ----------------------------------------------------------------------------------------

E = TypeVar("E", bound=Event)
Handler = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out of events to subscribers, each filtered by event type and session."""

    def __init__(self) -> None:
        self._subscribers: dict[int, tuple[Handler, tuple[type[Event], ...], str | None]] = {}
        self._ids = itertools.count()

    def subscribe(
        self,
        handler: Handler,
        *types: type[Event],
        session_id: str | None = None,
    ) -> Callable[[], None]:
        """Call `handler` for each event of `types` (all when empty) of `session_id` (all when None).

        Returns a function that unsubscribes.
        """
        key = next(self._ids)
        self._subscribers[key] = (handler, types or (Event,), session_id)
        return lambda: self._subscribers.pop(key, None) and None

    def publish(self, event: Event) -> None:
        for handler, types, session_id in list(self._subscribers.values()):
            if not isinstance(event, types):
                continue
            if session_id is not None and event.session_id != session_id:
                continue
            try:
                handler(event)
            except Exception:  # one broken subscriber must not silence the others
                log.exception("event subscriber failed", extra={"event": event.kind})


class EventQueue:
    """A bounded asyncio queue fed by the bus, for subscribers that work asynchronously.

    When the consumer falls behind, the oldest events are dropped (and counted) rather than growing
    memory without bound: a slow RTVI monitor client must never stall the conversation.
    """

    def __init__(
        self,
        bus: EventBus,
        *types: type[Event],
        session_id: str | None = None,
        maxsize: int = 1000,
    ) -> None:
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize)
        self.dropped = 0
        self._unsubscribe = bus.subscribe(self._put, *types, session_id=session_id)

    def _put(self, event: Event) -> None:
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(event)

    async def get(self) -> Event:
        return await self._queue.get()

    def get_nowait(self) -> Event | None:
        try:
            return self._queue.get_nowait()
        except asyncio.QueueEmpty:
            return None

    def close(self) -> None:
        self._unsubscribe()
