"""MQTT commands (`<prefix>/<device_id>/cmd/<name>`) applied to a conversation.

Payloads are plain text or a JSON object; a "session" field picks a conversation other than the
device's own. A malformed command is refused with a clear reason (logged, and published as a result
by the bridge); it never raises out of here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ..config import ConfigError
from ..live_config import LiveSettings
from ..session import SessionHost, VoiceSession
from .tasks import TaskSet

log = logging.getLogger(__name__)

TRUE_WORDS = ("", "on", "true", "1", "yes", "mute", "muted")
FALSE_WORDS = ("off", "false", "0", "no", "unmute", "unmuted")


class CommandError(ValueError):
    """A command that cannot be applied; the message says why."""


def decode(raw: bytes) -> dict[str, Any] | str:
    """A JSON object, or the payload as stripped text (a JSON string literal is unquoted)."""
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CommandError("payload is not UTF-8 text") from None
    if text.startswith("{") or text.startswith('"'):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as err:
            raise CommandError(f"payload is not valid JSON: {err}") from None
        return value if isinstance(value, (dict, str)) else text
    return text


def _field(data: dict[str, Any] | str, *names: str, default: Any = None) -> Any:
    if isinstance(data, str):
        return data if data else default
    for name in names:
        if name in data:
            return data[name]
    return default


def _text(data: dict[str, Any] | str) -> str:
    text = _field(data, "text", "content")
    if not isinstance(text, str) or not text.strip():
        raise CommandError('needs text: a plain-text payload or {"text": "..."}')
    return text.strip()


def _flag(data: dict[str, Any] | str, name: str, default: bool) -> bool:
    value = data.get(name, default) if isinstance(data, dict) else default
    if not isinstance(value, bool):
        raise CommandError(f"{name} must be true or false, got {value!r}")
    return value


class CommandRunner:
    """Parses and applies commands on the event loop; async ones run as tasks."""

    def __init__(self, host: SessionHost, live: LiveSettings) -> None:
        self._host, self._live = host, live
        self._tasks = TaskSet()
        self._handlers: dict[str, Callable[[dict[str, Any] | str], None]] = {
            "say": self._say, "send-text": self._send_text, "interrupt": self._interrupt,
            "mute": self._mute, "unmute": lambda data: self._session(data).set_muted(False),
            "volume": self._volume, "update-config": self._update_config,
        }

    @property
    def names(self) -> list[str]:
        return list(self._handlers)

    def handle(self, name: str, raw: bytes) -> str | None:
        """Apply command `name`; returns None when accepted, else the reason it was refused."""
        try:
            handler = self._handlers.get(name)
            if handler is None:
                raise CommandError(f"unknown command {name!r}; known: {', '.join(self._handlers)}")
            handler(decode(raw))
        except (CommandError, ConfigError) as err:
            log.warning("mqtt command refused", extra={"command": name, "reason": str(err)})
            return str(err)
        log.info("mqtt command", extra={"command": name})
        return None

    def _session(self, data: dict[str, Any] | str) -> VoiceSession:
        wanted = data.get("session") if isinstance(data, dict) else None
        session_id = wanted or self._host.local_session_id
        if not session_id:
            raise CommandError('no local session (local audio is off): name one with "session"')
        session = self._host.get_session(str(session_id))
        if session is None:
            raise CommandError(f"no session {session_id!r}")
        return session

    def _say(self, data: dict[str, Any] | str) -> None:
        session, text = self._session(data), _text(data)
        self._tasks.spawn(session.say(text, interrupt=_flag(data, "interrupt", False)), "mqtt say")

    def _send_text(self, data: dict[str, Any] | str) -> None:
        session, text = self._session(data), _text(data)
        coro = session.send_text(text, run_immediately=_flag(data, "run_immediately", True),
                                 audio_response=_flag(data, "audio_response", True))
        self._tasks.spawn(coro, "mqtt send-text")

    def _interrupt(self, data: dict[str, Any] | str) -> None:
        self._tasks.spawn(self._session(data).interrupt(), "mqtt interrupt")

    def _mute(self, data: dict[str, Any] | str) -> None:
        value = _field(data, "muted", "mute", default=True)
        if isinstance(value, str):
            word = value.strip().lower()
            if word not in TRUE_WORDS + FALSE_WORDS:
                raise CommandError(f"mute takes ON or OFF (or true/false), got {value!r}")
            value = word in TRUE_WORDS
        if not isinstance(value, bool):
            raise CommandError(f"muted must be true or false, got {value!r}")
        self._session(data).set_muted(value)

    def _volume(self, data: dict[str, Any] | str) -> None:
        value = _field(data, "volume", "value")
        try:
            volume = float(value)
        except (TypeError, ValueError):
            raise CommandError(f"volume takes a number from 0 to 1, got {value!r}") from None
        if not 0.0 <= volume <= 1.0:
            raise CommandError(f"volume must be between 0 and 1, got {volume}")
        device = getattr(self._host, "device", None)
        if device is None or not hasattr(device, "set_volume"):
            raise CommandError("this daemon has no device volume control")
        device.set_volume(volume)

    def _update_config(self, data: dict[str, Any] | str) -> None:
        if not isinstance(data, dict):
            raise CommandError('update-config takes JSON: {"section": "llm", "values": {...}} '
                               'or {"llm": {...}, "vad": {...}}')
        if "section" in data:
            updates = {data["section"]: data.get("values")}
        else:
            updates = {k: v for k, v in data.items() if k != "session"}
        if not updates:
            raise CommandError("update-config names no section")
        session_id = str(data.get("session") or self._host.local_session_id or "local")
        for section, values in updates.items():  # nothing is applied unless every section is valid and live
            if not isinstance(values, dict):
                raise CommandError(f"values for [{section}] must be a JSON object, got {values!r}")
            self._live.validate(str(section), values)
        for section, values in updates.items():
            self._live.update(str(section), values, session_id=session_id)
