"""Typed events an RTVI client receives, one class per server message type (plus bot audio and disconnect).

`event_for(message)` turns a parsed RTVI message into its event; a type this table does not know becomes
`OtherMessage`, so a newer server never breaks a client (the official clients drop such messages; here
an app can still see them).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from ..rtvi.protocol.messages import RtviMessage


@dataclass(frozen=True, kw_only=True)
class ClientEvent:
    """Base of every client event; `data` is the message's raw payload."""

    type: ClassVar[str] = ""
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    id: str | None = None


# --- handshake, errors, app messages ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BotReady(ClientEvent):
    type: ClassVar[str] = "bot-ready"
    version: str = ""
    about: dict[str, Any] = field(default_factory=dict)
    capabilities: dict[str, Any] = field(default_factory=dict)
    config: list[dict[str, Any]] = field(default_factory=list)
    """Seed-era servers send their services' options here."""


@dataclass(frozen=True, kw_only=True)
class Error(ClientEvent):
    """`error`: something went wrong on the server side; `fatal` ends the session."""

    type: ClassVar[str] = "error"
    error: str = ""
    fatal: bool = False


@dataclass(frozen=True, kw_only=True)
class MessageError(ClientEvent):
    """`error-response`: the request with this `id` was refused."""

    type: ClassVar[str] = "error-response"
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class ServerMessage(ClientEvent):
    """`server-message`: app data; the daemon's carry `type` (state, wake-word, llm-queued...)."""

    type: ClassVar[str] = "server-message"


@dataclass(frozen=True, kw_only=True)
class ServerResponse(ClientEvent):
    type: ClassVar[str] = "server-response"
    t: str = ""
    d: Any = None


@dataclass(frozen=True, kw_only=True)
class Metrics(ClientEvent):
    type: ClassVar[str] = "metrics"
    ttfb: list[dict[str, Any]] = field(default_factory=list)
    processing: list[dict[str, Any]] = field(default_factory=list)


# --- user side ----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserStartedSpeaking(ClientEvent):
    type: ClassVar[str] = "user-started-speaking"


@dataclass(frozen=True, kw_only=True)
class UserStoppedSpeaking(ClientEvent):
    type: ClassVar[str] = "user-stopped-speaking"


@dataclass(frozen=True, kw_only=True)
class UserTranscript(ClientEvent):
    type: ClassVar[str] = "user-transcription"
    text: str = ""
    final: bool = True
    user_id: str = ""
    timestamp: str = ""


@dataclass(frozen=True, kw_only=True)
class UserLlmText(ClientEvent):
    type: ClassVar[str] = "user-llm-text"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class UserMuteStarted(ClientEvent):
    type: ClassVar[str] = "user-mute-started"


@dataclass(frozen=True, kw_only=True)
class UserMuteStopped(ClientEvent):
    type: ClassVar[str] = "user-mute-stopped"


# --- bot side -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BotLlmStarted(ClientEvent):
    type: ClassVar[str] = "bot-llm-started"


@dataclass(frozen=True, kw_only=True)
class BotLlmText(ClientEvent):
    type: ClassVar[str] = "bot-llm-text"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class BotLlmStopped(ClientEvent):
    type: ClassVar[str] = "bot-llm-stopped"


@dataclass(frozen=True, kw_only=True)
class BotTranscript(ClientEvent):
    """`bot-transcription`: LLM text up to a sentence end (deprecated by servers, still sent)."""

    type: ClassVar[str] = "bot-transcription"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class BotTtsStarted(ClientEvent):
    type: ClassVar[str] = "bot-tts-started"


@dataclass(frozen=True, kw_only=True)
class BotTtsText(ClientEvent):
    type: ClassVar[str] = "bot-tts-text"
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class BotTtsStopped(ClientEvent):
    type: ClassVar[str] = "bot-tts-stopped"


@dataclass(frozen=True, kw_only=True)
class BotOutput(ClientEvent):
    type: ClassVar[str] = "bot-output"
    text: str = ""
    aggregated_by: str = ""
    spoken: bool | None = None


@dataclass(frozen=True, kw_only=True)
class BotStartedSpeaking(ClientEvent):
    type: ClassVar[str] = "bot-started-speaking"


@dataclass(frozen=True, kw_only=True)
class BotStoppedSpeaking(ClientEvent):
    type: ClassVar[str] = "bot-stopped-speaking"


@dataclass(frozen=True, kw_only=True)
class BotInterrupted(ClientEvent):
    type: ClassVar[str] = "bot-interrupted"


@dataclass(frozen=True, kw_only=True)
class BotAudio(ClientEvent):
    """A chunk of the bot's voice: int16 little-endian PCM (protobuf `audio` frame or `bot-tts-audio`)."""

    type: ClassVar[str] = "bot-audio"
    pcm: bytes = b""
    sample_rate: int = 24_000
    num_channels: int = 1


# --- function calls -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FunctionCallStarted(ClientEvent):
    type: ClassVar[str] = "llm-function-call-started"
    function_name: str = ""


@dataclass(frozen=True, kw_only=True)
class FunctionCallInProgress(ClientEvent):
    type: ClassVar[str] = "llm-function-call-in-progress"
    tool_call_id: str = ""
    function_name: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class FunctionCallStopped(ClientEvent):
    type: ClassVar[str] = "llm-function-call-stopped"
    tool_call_id: str = ""
    function_name: str = ""
    cancelled: bool = False
    result: Any = None


@dataclass(frozen=True, kw_only=True)
class FunctionCall(ClientEvent):
    """`llm-function-call`: the deprecated form of a client-side call (seed-era and 1.x servers)."""

    type: ClassVar[str] = "llm-function-call"
    tool_call_id: str = ""
    function_name: str = ""
    args: dict[str, Any] = field(default_factory=dict)


# --- connection -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Disconnected(ClientEvent):
    """The transport closed (`reason` says why); pending requests fail with ConnectionError."""

    type: ClassVar[str] = "disconnected"
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class OtherMessage(ClientEvent):
    """A server message of a type this SDK has no class for; `message_type` names it."""

    type: ClassVar[str] = "other"
    message_type: str = ""


_CLASSES: dict[str, type[ClientEvent]] = {cls.type: cls for cls in (
    BotReady, Error, MessageError, ServerMessage, ServerResponse, Metrics, UserStartedSpeaking,
    UserStoppedSpeaking, UserTranscript, UserLlmText, UserMuteStarted, UserMuteStopped, BotLlmStarted, BotLlmText,
    BotLlmStopped, BotTranscript, BotTtsStarted, BotTtsText, BotTtsStopped, BotOutput, BotStartedSpeaking,
    BotStoppedSpeaking, BotInterrupted, FunctionCallStarted, FunctionCallInProgress, FunctionCallStopped,
    FunctionCall)}
_CLASSES["llm-function-call-start"] = FunctionCallStarted  # its seed-era name


def event_for(message: RtviMessage) -> ClientEvent:
    """The typed event of `message`; fields the server left out keep their defaults, odd types are dropped."""
    data = message.data if isinstance(message.data, dict) else {}
    cls = _CLASSES.get(message.type)
    if cls is None:
        return OtherMessage(data=data, id=message.id, message_type=message.type)
    values = {}
    for f in fields(cls):
        if f.name in ("data", "id") or f.name not in data:
            continue
        values[f.name] = data[f.name]
    try:
        return cls(data=data, id=message.id, **values)
    except TypeError:  # cannot happen with keyword fields, but a client must never crash on input
        return cls(data=data, id=message.id)
