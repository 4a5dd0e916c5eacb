"""The services API of the first RTVI generation (describe-config, get/update-config, actions).

Declared once as a catalogue: each service lists its options (JSON type, and the LiveSettings
section/key it maps to, or a getter/setter on the conversation) and each action its arguments and
result type. Every request of that API is answered from this catalogue, so adding an option is one line.
Config changes go through LiveSettings, so they are validated exactly like the config file and apply
to the whole device.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field, fields
from typing import Any, Awaitable, Callable

from ..commands import COMMANDS, CommandError
from ..config import ConfigError, Settings
from ..live_config import LiveSettings
from ..session import VoiceSession
from .protocol.messages import MessageError, RtviMessage

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "bool": (bool,), "number": (int, float), "string": (str,), "array": (list,), "object": (dict,)}
ROLES = ("system", "user", "assistant", "tool")


def check_type(where: str, value: Any, type_name: str) -> Any:
    kinds = _JSON_TYPES[type_name]
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        raise ConfigError(f"{where} = {value!r}: expected {type_name}")
    return value


def check_messages(where: str, value: Any) -> list[dict[str, Any]]:
    """LLM messages: a list of {role, content} with a known role and text content."""
    check_type(where, value, "array")
    for index, message in enumerate(value):
        if not isinstance(message, dict) or message.get("role") not in ROLES \
                or not isinstance(message.get("content"), str):
            raise ConfigError(f"{where}[{index}] must be {{role: one of {', '.join(ROLES)}, content: text}}")
    return value


# --- the catalogue ----------------------------------------------------------------------------------

SessionGetter = Callable[[VoiceSession], Any]
SessionSetter = Callable[[VoiceSession, Any], None]


@dataclass(frozen=True)
class Option:
    name: str
    type: str
    section: str = ""
    """LiveSettings section; empty for an option of the conversation itself (getter/setter)."""
    key: str = ""
    get: SessionGetter | None = None
    set: SessionSetter | None = None


def live(name: str, type_name: str, section: str, key: str | None = None) -> Option:
    return Option(name, type_name, section, key or name)


def _set_context(session: VoiceSession, value: Any) -> None:
    session.set_context(check_messages("llm.initial_messages", value))


RUN_ON_CONFIG = "run_on_config"

SERVICES: dict[str, tuple[Option, ...]] = {
    "vad": (live("confidence", "number", "vad"), live("start_secs", "number", "vad"),
            live("stop_secs", "number", "vad"), live("min_volume", "number", "vad")),
    "turn": (live("enabled", "bool", "turn"), live("threshold", "number", "turn"),
             live("max_silence_secs", "number", "turn")),
    "stt": (live("interim_results", "bool", "stt"),),
    "llm": (live("model", "string", "llm"), live("temperature", "number", "llm"),
            live("max_tokens", "number", "llm"), live("system_prompt", "string", "llm"),
            Option("initial_messages", "array", get=lambda s: s.get_context(), set=_set_context),
            Option(RUN_ON_CONFIG, "bool", get=lambda s: False)),
    "tts": (live("voice", "string", "tts"), live("speed", "number", "tts"), live("engine", "string", "tts")),
    "conversation": (live("activation", "string", "conversation"), live("barge_in", "bool", "conversation"),
                     live("follow_up_secs", "number", "conversation"),
                     live("history_idle_secs", "number", "conversation")),
}


@dataclass(frozen=True)
class Arg:
    name: str
    type: str
    required: bool = True


ActionRun = Callable[[VoiceSession, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True)
class Action:
    service: str
    action: str
    result: str
    run: ActionRun
    arguments: tuple[Arg, ...] = field(default=())


async def _catalogue(name: str, session: VoiceSession, args: dict[str, Any]) -> None:
    """The device commands are the shared catalogue's (firmware_py/commands.py): same checks everywhere."""
    try:
        await COMMANDS[name].run(session, None, COMMANDS[name].arguments(args))
    except CommandError as err:
        raise MessageError(str(err)) from None


async def _say(session: VoiceSession, args: dict[str, Any]) -> bool:
    await _catalogue("say", session, args)
    return True


async def _interrupt(session: VoiceSession, args: dict[str, Any]) -> bool:
    await _catalogue("interrupt", session, args)
    return True


async def _append(session: VoiceSession, args: dict[str, Any]) -> bool:
    messages = check_messages("messages", args["messages"])
    for index, message in enumerate(messages):
        last = index == len(messages) - 1
        await session.append_to_context(message["role"], message["content"],
                                        run_immediately=last and args.get("run_immediately", False))
    return True


async def _get_context(session: VoiceSession, args: dict[str, Any]) -> dict[str, Any]:
    return {"messages": session.get_context()}


async def _set_context_action(session: VoiceSession, args: dict[str, Any]) -> bool:
    session.set_context(check_messages("messages", args["messages"]))
    if args.get("run_immediately", False):
        await session.run_llm()
    return True


async def _run(session: VoiceSession, args: dict[str, Any]) -> bool:
    if args.get("interrupt", False):
        await session.interrupt()
    await session.run_llm()
    return True


async def _mute(session: VoiceSession, args: dict[str, Any]) -> bool:
    await _catalogue("mute", session, args)
    return True


async def _push_to_talk(session: VoiceSession, args: dict[str, Any]) -> bool:
    await _catalogue("push-to-talk", session, args)
    return True


async def _status(session: VoiceSession, args: dict[str, Any]) -> dict[str, Any]:
    return session.status()


ACTIONS: tuple[Action, ...] = (
    Action("tts", "say", "bool", _say, (Arg("text", "string"), Arg("interrupt", "bool", False))),
    Action("tts", "interrupt", "bool", _interrupt),
    Action("llm", "append_to_messages", "bool", _append,
           (Arg("messages", "array"), Arg("run_immediately", "bool", False))),
    Action("llm", "get_context", "object", _get_context),
    Action("llm", "set_context", "bool", _set_context_action,
           (Arg("messages", "array"), Arg("run_immediately", "bool", False))),
    Action("llm", "run", "bool", _run, (Arg("interrupt", "bool", False),)),
    Action("user", "mute", "bool", _mute, (Arg("muted", "bool"),)),
    Action("user", "push_to_talk", "bool", _push_to_talk, (Arg("pressed", "bool"),)),
    Action("bot", "status", "object", _status),
)
_ACTIONS_BY_NAME = {(a.service, a.action): a for a in ACTIONS}


# --- the API ----------------------------------------------------------------------------------------


def _described(option: Option) -> dict[str, Any]:
    """Name and type, plus the allowed values and range of a config-backed option (for settings UIs)."""
    entry: dict[str, Any] = {"name": option.name, "type": option.type}
    if option.section:
        section_type = typing.get_type_hints(Settings)[option.section]
        meta = {f.name: f.metadata for f in fields(section_type)}.get(option.key, {})
        if meta.get("choices"):
            entry["choices"] = list(meta["choices"])
        for bound in ("min", "max"):
            if meta.get(bound) is not None:
                entry[bound] = meta[bound]
        if meta.get("doc"):
            entry["description"] = meta["doc"]
    return entry


def describe_config() -> dict[str, Any]:
    return {"config": [{"service": service, "options": [_described(o) for o in options]}
                       for service, options in SERVICES.items()]}


def describe_actions() -> dict[str, Any]:
    return {"actions": [{"service": a.service, "action": a.action, "result": a.result,
                         "arguments": [{"name": arg.name, "type": arg.type} for arg in a.arguments]}
                        for a in ACTIONS]}


def get_config(live_settings: LiveSettings, session: VoiceSession | None) -> list[dict[str, Any]]:
    """The current value of every option; conversation options only when there is a conversation."""
    config = []
    for service, options in SERVICES.items():
        values = []
        for option in options:
            if option.section:
                values.append({"name": option.name, "value": live_settings.section(option.section)[option.key]})
            elif session is not None and option.get is not None:
                values.append({"name": option.name, "value": option.get(session)})
        config.append({"service": service, "options": values})
    return config


def _check_service(service: Any) -> str:
    if service not in SERVICES:
        raise ConfigError(f"unknown service {service!r}; known: {', '.join(SERVICES)}")
    return service


def _find_option(service: str, name: Any) -> Option:
    for option in SERVICES[service]:
        if option.name == name:
            return option
    known = ", ".join(o.name for o in SERVICES[service])
    raise ConfigError(f"unknown option {service}.{name}; known: {known}")


def _read_update(items: Any) -> tuple[dict[str, dict[str, Any]], list[tuple[Option, Any]], bool]:
    """Split an update into LiveSettings values per section and conversation options; checks shapes."""
    if not isinstance(items, list):
        raise ConfigError("config must be an array of {service, options}")
    sections: dict[str, dict[str, Any]] = {}
    session_values: list[tuple[Option, Any]] = []
    run_on_config = False
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("options"), list):
            raise ConfigError("each config entry must be {service, options: [{name, value}]}")
        service = _check_service(item.get("service"))
        for entry in item["options"]:
            if not isinstance(entry, dict) or "value" not in entry:
                raise ConfigError(f"{service}: each option must be {{name, value}}")
            option = _find_option(service, entry.get("name"))
            where = f"{service}.{option.name}"
            if option.section:
                sections.setdefault(option.section, {})[option.key] = entry["value"]
            elif option.name == RUN_ON_CONFIG:
                run_on_config = check_type(where, entry["value"], "bool")
            else:
                session_values.append((option, check_type(where, entry["value"], option.type)))
    return sections, session_values, run_on_config


async def update_config(live_settings: LiveSettings, session: VoiceSession | None, message: RtviMessage,
                        session_id: str) -> list[dict[str, Any]]:
    """Validate the whole update first, then apply it; ConfigError names the first bad value."""
    sections, session_values, run_on_config = _read_update(message.field("config", list))
    interrupt = message.field("interrupt", bool, False)
    for section, values in sections.items():  # nothing is applied unless every section is valid and live
        live_settings.validate(section, values)
    if (session_values or run_on_config) and session is None:
        raise ConfigError("conversation options need a conversation: send client-ready first")
    if interrupt and session is not None:
        await session.interrupt()
    for section, values in sections.items():
        live_settings.update(section, values, session_id=session_id)
    for option, value in session_values:
        assert session is not None and option.set is not None
        option.set(session, value)
    if run_on_config and session is not None:
        await session.run_llm()
    return get_config(live_settings, session)


def _read_arguments(action: Action, raw: Any) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(a, dict) and isinstance(a.get("name"), str) for a in raw):
            raise ConfigError("arguments must be an array of {name, value}")
        given = {a["name"]: a.get("value") for a in raw}
    declared = {arg.name: arg for arg in action.arguments}
    unknown = set(given) - set(declared)
    if unknown:
        raise ConfigError(f"{action.service}:{action.action} has no argument {sorted(unknown)[0]!r}; "
                          f"known: {', '.join(declared) or 'none'}")
    for arg in action.arguments:
        if given.get(arg.name) is None:
            if arg.required:
                raise ConfigError(f"{action.service}:{action.action} needs argument {arg.name!r} ({arg.type})")
            given.pop(arg.name, None)
            continue
        check_type(f"{action.service}:{action.action} {arg.name}", given[arg.name], arg.type)
    return given


async def run_action(session: VoiceSession | None, message: RtviMessage) -> Any:
    """Run an `action` request; returns its result (ConfigError / MessageError on a bad request)."""
    service = message.field("service", str)
    name = message.field("action", str)
    action = _ACTIONS_BY_NAME.get((service, name))
    if action is None:
        known = ", ".join(f"{a.service}:{a.action}" for a in ACTIONS)
        raise MessageError(f"unknown action {service}:{name}; known: {known}", message.id)
    arguments = _read_arguments(action, (message.data or {}).get("arguments"))
    if session is None:
        raise MessageError("actions need a conversation: send client-ready first", message.id)
    return await action.run(session, arguments)
