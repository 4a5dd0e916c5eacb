"""Putting the chain together from the settings: devices and conversation commands join the tool registry
(so intents and the LLM run them the same way, with the same events), then intents and knowledge."""

from __future__ import annotations

import logging
import time
from typing import Any

from ..commands import run_command
from ..config import Settings
from ..events import EventBus
from ..integrations.devices import DEVICE_TOOLS, DeviceDirectory, DeviceHandlers, parse_devices
from ..llm.builtin_tools import BUILTIN_TOOLS, NO_ARGS, Tool
from ..llm.tools import ToolRegistry
from ..session import SessionHost
from .base import Responder
from .chain import ResponderChain
from .custom import parse_custom_sentences
from .intents import create_intent_responder
from .library_cache import cache_dirs as library_cache_dirs

log = logging.getLogger(__name__)

CONVERSATION_TOOLS = (
    Tool("never_mind", "The user takes the request back.", NO_ARGS),
    Tool("repeat", "Say the last answer again.", NO_ARGS),
    Tool("help", "Say what the assistant can do.", NO_ARGS),
)


def help_text(directory: DeviceDirectory) -> str:
    devices = [device.name for device in directory.devices][:3]
    things = "set timers, alarms and reminders, tell you the time and date, change my volume"
    if devices:
        named = ", ".join(devices[:-1]) + f" and the {devices[-1]}" if len(devices) > 1 else f"the {devices[0]}"
        things += f", and turn {('the ' + named) if len(devices) > 1 else named} on or off"
    return f"I can {things}. For anything else, just ask."


def _last_answer(host: SessionHost, session_id: str) -> str:
    session = host.get_session(session_id)
    return str(session.status().get("last_answer", "")) if session else ""


async def _mute(host: SessionHost, session_id: str, muted: bool) -> dict[str, Any]:
    """Mute the microphone of the session that asked (a satellite mutes itself, not the hub)."""
    session = host.get_session(session_id)
    if session is None:
        raise ValueError("that conversation has ended")
    await run_command("mute", {"muted": muted}, session, host)
    return {"muted": muted, "summary": "The microphone is off. Press the button or use the app to turn it back on."
            if muted else "I'm listening again."}


def load_responders(settings: Settings, directory: DeviceDirectory | None = None) -> list[Responder]:
    """The responders, loaded and warmed: the sentence library and its first match, the document index.
    About a second of work with no need of the engines: run it off the event loop, beside their loading."""
    started = time.monotonic()
    responders: list[Responder] = []
    if settings.intents.enabled:
        directory = directory or device_directory(settings)
        intents = create_intent_responder(settings.intents.language, directory,
                                          parse_custom_sentences(settings.sentences), settings.intents.area,
                                          library_cache_dirs())
        intents.warm_up()
        responders.append(intents)
    from .knowledge import create_knowledge_responder

    knowledge = create_knowledge_responder(settings)
    if knowledge is not None:
        responders.append(knowledge)
    log.info("responders ready", extra={"secs": round(time.monotonic() - started, 2),
                                        "responders": [r.name for r in responders]})
    return responders


def device_directory(settings: Settings) -> DeviceDirectory:
    return DeviceDirectory(parse_devices(settings.devices))


def build_chain(settings: Settings, tools: ToolRegistry, bus: EventBus, host: SessionHost,
                responders: list[Responder] | None = None, directory: DeviceDirectory | None = None) -> ResponderChain:
    """The chain for every session, with the device and conversation actions registered as tools."""
    # one directory for the intents and the device actions: what was last commanded is what is asked about
    directory = directory or device_directory(settings)
    devices = DeviceHandlers(directory, bus, settings.mqtt.enabled)
    for tool in DEVICE_TOOLS:
        tools.register(tool, devices.handlers[tool.name], offered=bool(directory.devices))
    replies = {"never_mind": lambda _a, _s: {"summary": "Okay."},
               "repeat": lambda _a, s: {"summary": _last_answer(host, s) or "I haven't said anything yet."},
               "help": lambda _a, _s: {"summary": help_text(directory)}}
    for tool in CONVERSATION_TOOLS:
        tools.register(tool, replies[tool.name], offered=False)
    mute = next(tool for tool in BUILTIN_TOOLS if tool.name == "set_mute")
    tools.register(mute, lambda args, session_id: _mute(host, session_id, bool(args["muted"])))
    if settings.intents.enabled and not settings.intents.llm_actions:
        # the sentences own these actions: the LLM keeps the user's [[tools]] and the app's own functions
        tools.withhold_from_llm(tool.name for tool in (*BUILTIN_TOOLS, *DEVICE_TOOLS))
    return ResponderChain(load_responders(settings, directory) if responders is None else responders)
