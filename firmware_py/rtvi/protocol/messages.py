"""Typed RTVI messages: the JSON envelope, parsing with clear errors, builders, version negotiation.

Envelope: `{"label": "rtvi-ai", "type": ..., "id": ..., "data": ...}`. Client requests carry an 8-hex id;
responses copy it; server events have none. Absent optional fields are left out, never sent as null.
"""

from __future__ import annotations

import enum
import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

from ... import __version__

LABEL = "rtvi-ai"
PROTOCOL_VERSION = "2.2.0"
SEED_VERSION = "0.3.0"
"""Reported to clients that send no version: the last protocol of the services (describe-config) era."""
LIBRARY = "rtvi-edge"
MAX_ID_CHARS = 64


class MessageError(ValueError):
    """A client message that cannot be handled; `msg_id` is the request's id when it could be read."""

    def __init__(self, reason: str, msg_id: str | None = None) -> None:
        super().__init__(reason)
        self.msg_id = msg_id


@dataclass(frozen=True, slots=True)
class RtviMessage:
    type: str
    data: Any = None
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        envelope: dict[str, Any] = {"label": LABEL, "type": self.type}
        if self.id is not None:
            envelope["id"] = self.id
        if self.data is not None:
            envelope["data"] = self.data
        return envelope

    def to_json(self) -> str:
        # default=str: a status dict may hold a value JSON has no type for; send its text, never fail
        try:
            return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False, default=str,
                              allow_nan=False)
        except ValueError:  # NaN/Infinity are not JSON: browsers would refuse the whole message
            return json.dumps(_finite(self.to_dict()), separators=(",", ":"), ensure_ascii=False, default=str)

    def field(self, name: str, kind: type | tuple[type, ...], default: Any = ..., what: str = "") -> Any:
        """`data[name]` checked against `kind` (bool is never a number); MessageError naming the field."""
        data = self.data if isinstance(self.data, dict) else {}
        if name not in data or data[name] is None:
            if default is ...:
                raise MessageError(f"{self.type}: data.{name} is required{what}", self.id)
            return default
        value = data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            names = " or ".join(dict.fromkeys(_json_type_name(k) for k in kinds if k is not int or float not in kinds))
            raise MessageError(f"{self.type}: data.{name} must be {names}, got {_json_type_name(type(value))}",
                               self.id)
        return value


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _json_type_name(kind: type) -> str:
    return {str: "a string", bool: "true or false", int: "a whole number", float: "a number", dict: "an object",
            list: "an array", type(None): "null"}.get(kind, kind.__name__)


def new_id() -> str:
    return uuid.uuid4().hex[:8]


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """`data` without its None values (the reference serialises with exclude_none)."""
    return {key: value for key, value in data.items() if value is not None}


def parse_message(text: str | bytes) -> RtviMessage | None:
    """The RTVI message in `text`; None for a message of another label (ignored, as the reference does)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise MessageError(f"message is not valid JSON ({err})") from None
    if not isinstance(raw, dict):
        raise MessageError("message must be a JSON object")
    msg_id = raw.get("id")
    if msg_id is not None and (not isinstance(msg_id, str) or len(msg_id) > MAX_ID_CHARS):
        raise MessageError(f"id must be a string of at most {MAX_ID_CHARS} characters")
    if raw.get("label") != LABEL:
        return None
    msg_type = raw.get("type")
    if not isinstance(msg_type, str) or not msg_type:
        raise MessageError("type must be a non-empty string", msg_id)
    data = raw.get("data")
    if data is not None and not isinstance(data, dict):
        raise MessageError(f"{msg_type}: data must be an object", msg_id)
    return RtviMessage(msg_type, data, msg_id)


# --- builders ---------------------------------------------------------------------------------------


def error_response(msg_id: str | None, error: str) -> RtviMessage:
    return RtviMessage("error-response", {"error": error}, msg_id)


def error_event(error: str, fatal: bool = False) -> RtviMessage:
    return RtviMessage("error", {"error": error, "fatal": fatal})


def server_response(msg_id: str | None, t: str, d: Any) -> RtviMessage:
    return RtviMessage("server-response", compact({"t": t, "d": d}), msg_id)


def server_message(kind: str, **fields: Any) -> RtviMessage:
    return RtviMessage("server-message", {"type": kind, **compact(fields)})


CAPABILITIES = {"audio_in": True, "audio_out": True, "video_in": False, "screen_in": False,
                "video_out": False, "metrics": True}


def bot_ready(msg_id: str | None, version: str, config: list[dict[str, Any]] | None = None,
              audio: bool = True) -> RtviMessage:
    capabilities = dict(CAPABILITIES, audio_in=audio, audio_out=audio)
    data = {"version": version, "about": {"library": LIBRARY, "library_version": __version__},
            "capabilities": capabilities, "config": config}
    return RtviMessage("bot-ready", compact(data), msg_id)


# --- versions ---------------------------------------------------------------------------------------


class Generation(enum.Enum):
    """Which message set a client understands."""

    SEED = "seed"  # no version or 0.x: services API (describe-config...), llm-function-call
    V1 = "v1"      # 1.x: bot-output with `spoken`, deprecated llm-function-call for client tools
    V2 = "v2"      # 2.x and anything newer or unreadable: the current set


@dataclass(frozen=True, slots=True)
class Negotiation:
    generation: Generation
    reply_version: str
    """The version bot-ready reports."""
    warning: str | None = None
    """Sent as an error-response to client-ready; bot-ready follows all the same."""

    @property
    def legacy(self) -> bool:
        return self.generation is not Generation.V2


def negotiate(version: Any) -> Negotiation:
    """Accept every client: legacy majors get their own version echoed, unknown ones a warning."""
    if version is None or version == "":
        return Negotiation(Generation.SEED, SEED_VERSION)
    parts = version.split(".") if isinstance(version, str) else []
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        shown = json.dumps(version, default=str)[:40]
        return Negotiation(Generation.V2, PROTOCOL_VERSION,
                           f"Invalid client version format ({shown}). Compatibility issues may occur.")
    major = int(parts[0])
    if major == 2:
        return Negotiation(Generation.V2, PROTOCOL_VERSION)
    if major in (0, 1):
        return Negotiation(Generation.SEED if major == 0 else Generation.V1, version)
    return Negotiation(Generation.V2, PROTOCOL_VERSION,
                       f"RTVI version {version} is not compatible with server protocol {PROTOCOL_VERSION}. "
                       "Compatibility issues may occur.")
