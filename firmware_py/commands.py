"""One catalogue of the device's commands, for every front door: RTVI client messages and seed-era actions,
MQTT command topics, and spoken intents all parse and run `say`, `send-text`, `interrupt`, `mute`,
`unmute`, `push-to-talk` and `volume` here, with the same arguments, limits and error messages.

Arguments come as a dict (RTVI, MQTT JSON) or as plain text (an MQTT payload such as `ON`, `0.4` or the
words to say): plain text fills the command's first parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from .session import SessionHost, VoiceSession

REQUIRED = object()
TRUE_WORDS = ("on", "true", "1", "yes", "mute", "muted", "pressed")
FALSE_WORDS = ("off", "false", "0", "no", "unmute", "unmuted", "released")


class CommandError(ValueError):
    """A command that cannot be applied; the message says why."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: type
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()

    def read(self, command: str, data: dict[str, Any]) -> Any:
        for key in (self.name, *self.aliases):
            if key in data:
                return self._check(command, data[key])
        if self.default is REQUIRED:
            raise CommandError(f"{command} needs {self.name}")
        return self.default

    def from_text(self, command: str, text: str) -> Any:
        if self.kind is bool:
            word = text.strip().lower()
            if word not in TRUE_WORDS + FALSE_WORDS:
                raise CommandError(f"{command} takes ON or OFF (or true/false), got {text!r}")
            return word in TRUE_WORDS
        if self.kind is float:
            try:
                return self._check(command, float(text))
            except ValueError:
                raise CommandError(f"{command} takes a number, got {text!r}") from None
        return self._check(command, text)

    def _check(self, command: str, value: Any) -> Any:
        if self.kind is bool and not isinstance(value, bool):
            raise CommandError(f"{command}: {self.name} must be true or false, got {value!r}")
        if self.kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise CommandError(f"{command}: {self.name} must be a number, got {value!r}")
            if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
                raise CommandError(f"{command}: {self.name} must be between {self.minimum:g} and {self.maximum:g}, got {value}")
            return float(value)
        if self.kind is str and (not isinstance(value, str) or not value.strip()):
            raise CommandError(f"{command}: {self.name} must be non-empty text")
        return value.strip() if isinstance(value, str) else value


Runner = Callable[[VoiceSession, SessionHost | None, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    params: tuple[Param, ...]
    run: Runner

    def arguments(self, data: dict[str, Any] | str | None) -> dict[str, Any]:
        """Validated arguments from a dict or a plain-text payload; CommandError says what is wrong."""
        if isinstance(data, str) and data.strip():
            if not self.params:
                return {}
            first, rest = self.params[0], self.params[1:]
            return {first.name: first.from_text(self.name, data), **{p.name: p.read(self.name, {}) for p in rest}}
        data = data if isinstance(data, dict) else {}
        return {param.name: param.read(self.name, data) for param in self.params}


async def _say(session: VoiceSession, _host: SessionHost | None, args: dict[str, Any]) -> dict[str, Any]:
    await session.say(args["text"], interrupt=args["interrupt"])
    return {"said": True}


async def _send_text(session: VoiceSession, _host: SessionHost | None, args: dict[str, Any]) -> dict[str, Any]:
    await session.send_text(args["text"], run_immediately=args["run_immediately"], audio_response=args["audio_response"])
    return {"sent": True}


async def _interrupt(session: VoiceSession, _host: SessionHost | None, _args: dict[str, Any]) -> dict[str, Any]:
    await session.interrupt()
    return {"interrupted": True}


async def _mute(session: VoiceSession, _host: SessionHost | None, args: dict[str, Any]) -> dict[str, Any]:
    session.set_muted(args["muted"])
    return {"muted": args["muted"]}


async def _unmute(session: VoiceSession, _host: SessionHost | None, _args: dict[str, Any]) -> dict[str, Any]:
    session.set_muted(False)
    return {"muted": False}


async def _push_to_talk(session: VoiceSession, _host: SessionHost | None, args: dict[str, Any]) -> dict[str, Any]:
    session.push_to_talk(args["pressed"])
    return {"pressed": args["pressed"]}


async def _volume(_session: VoiceSession, host: SessionHost | None, args: dict[str, Any]) -> dict[str, Any]:
    device = getattr(host, "device", None)
    if device is None or not hasattr(device, "set_volume"):
        raise CommandError("this daemon has no device volume control")
    device.set_volume(args["volume"])
    return {"volume": args["volume"]}


COMMANDS: dict[str, Command] = {command.name: command for command in (
    Command("say", "Speak text as the bot, without the LLM.", (Param("text", str, aliases=("content",)),
                                                               Param("interrupt", bool, False)), _say),
    Command("send-text", "A typed user message.", (Param("text", str, aliases=("content",)),
                                                   Param("run_immediately", bool, True),
                                                   Param("audio_response", bool, True)), _send_text),
    Command("interrupt", "Stop the bot now.", (), _interrupt),
    Command("mute", "Mute or unmute the microphone.", (Param("muted", bool, True, aliases=("mute",)),), _mute),
    Command("unmute", "Unmute the microphone.", (), _unmute),
    Command("push-to-talk", "Press or release the talk button.", (Param("pressed", bool),), _push_to_talk),
    Command("volume", "Set the speaker volume, 0 to 1.", (Param("volume", float, minimum=0.0, maximum=1.0,
                                                                aliases=("value",)),), _volume),
)}


async def run_command(name: str, data: dict[str, Any] | str | None, session: VoiceSession,
                      host: SessionHost | None) -> dict[str, Any]:
    """Parse and run catalogue command `name` on `session`; CommandError when unknown or malformed."""
    command = COMMANDS.get(name)
    if command is None:
        raise CommandError(f"unknown command {name!r}; known: {', '.join(COMMANDS)}")
    return await command.run(session, host, command.arguments(data))
