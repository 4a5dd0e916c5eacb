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

from ..commands import COMMANDS, CommandError
from ..config import ConfigError
from ..live_config import LiveSettings
from ..session import SessionHost, VoiceSession
from .tasks import TaskSet

log = logging.getLogger(__name__)


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


class CommandRunner:
    """Parses and applies commands on the event loop; async ones run as tasks."""

    def __init__(self, host: SessionHost, live: LiveSettings, after: Callable[[], None] = lambda: None) -> None:
        self._host, self._live, self._after = host, live, after
        self._tasks = TaskSet()
        self._handlers: dict[str, Callable[[dict[str, Any] | str], None]] = {
            name: self._catalogue_command(name) for name in COMMANDS if name != "push-to-talk"}
        self._handlers["update-config"] = self._update_config

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

    def _catalogue_command(self, name: str) -> Callable[[dict[str, Any] | str], None]:
        """A catalogue command: arguments checked now (a refusal is answered at once), run as a task."""
        command = COMMANDS[name]

        def apply(data: dict[str, Any] | str) -> None:
            arguments = command.arguments({k: v for k, v in data.items() if k != "session"}
                                          if isinstance(data, dict) else data)
            self._tasks.spawn(self._run_then_report(command.run(self._session(data), self._host, arguments)),
                              f"mqtt {name}")

        return apply

    async def _run_then_report(self, work: Any) -> None:
        try:
            await work
        finally:
            self._after()   # e.g. the bridge republishes the volume a command changed

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
