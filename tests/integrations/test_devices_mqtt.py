"""Spoken device commands reach a real mosquitto in Home Assistant's payload conventions: the intent's
action runs through the tool registry, the bridge publishes on the device's own command topic."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from firmware_py.config import MqttSettings
from firmware_py.events import EventBus
from firmware_py.integrations.devices import DEVICE_TOOLS, DeviceDirectory, DeviceHandlers, parse_devices
from firmware_py.integrations.mqtt import MqttBridge
from firmware_py.llm.tools import ToolRegistry
from firmware_py.respond.base import ActionCall, Answer
from firmware_py.respond.chain import run_actions

from tests.conversation.scripted import NoDevice

from .doubles import RecordingHost
from .mqtt_helpers import Broker, Listener, eventually

DEVICES = parse_devices([
    {"name": "kitchen light", "kind": "light", "area": "kitchen", "command_topic": "home/kitchen/light/set"},
    {"name": "porch light", "kind": "switch", "command_topic": "home/porch/switch/set"},
    {"name": "bedroom fan", "kind": "fan", "command_topic": "home/bedroom/fan/set"},
    {"name": "garage door", "kind": "cover", "command_topic": "home/garage/door/set"},
])


@pytest.fixture
async def registry(broker: Broker) -> AsyncIterator[ToolRegistry]:
    host = RecordingHost(EventBus())
    host.device = NoDevice()  # type: ignore[attr-defined]
    bridge = MqttBridge(MqttSettings(enabled=True, port=broker.port, device_id="hall"), host.bus, host, host.live)
    await bridge.start()
    await eventually(lambda: bridge.connected)
    tools = ToolRegistry(host.bus, NoDevice(), [])
    handlers = DeviceHandlers(DeviceDirectory(DEVICES), host.bus, mqtt_enabled=True)
    for tool in DEVICE_TOOLS:
        tools.register(tool, handlers.handlers[tool.name])
    yield tools
    await bridge.stop()


async def say(tools: ToolRegistry, *calls: ActionCall) -> str:
    return await run_actions(Answer("intent", actions=calls), tools, "local")


async def test_each_kind_gets_its_home_assistant_payload(broker: Broker, registry: ToolRegistry) -> None:
    listener = Listener(broker.port, "home/#")
    assert await say(registry, ActionCall("turn_on", {"device": "kitchen light"})) == "The kitchen light is on."
    await say(registry, ActionCall("set_brightness", {"device": "kitchen light", "percent": 50}))
    await say(registry, ActionCall("turn_off", {"device": "porch light"}))
    await say(registry, ActionCall("turn_on", {"device": "bedroom fan"}))
    await say(registry, ActionCall("open_cover", {"device": "garage door"}))
    await say(registry, ActionCall("turn_off", {"device": "garage door"}))  # a cover turned off closes
    await say(registry, ActionCall("stop_cover", {"device": "garage door"}))
    await eventually(lambda: len(listener.under("home/")) == 7)
    light = [m.json() for m in listener.on("home/kitchen/light/set")]
    assert light == [{"state": "ON"}, {"state": "ON", "brightness": 128}]
    assert [m.payload for m in listener.on("home/porch/switch/set")] == ["OFF"]
    assert [m.payload for m in listener.on("home/bedroom/fan/set")] == ["ON"]
    assert [m.payload for m in listener.on("home/garage/door/set")] == ["OPEN", "CLOSE", "STOP"]
    listener.close()


async def test_an_unknown_device_sends_nothing(broker: Broker, registry: ToolRegistry) -> None:
    listener = Listener(broker.port, "home/#")
    spoken = await say(registry, ActionCall("turn_on", {"device": "garage heater"}),
                       ActionCall("open_cover", {"device": "kitchen light"}))
    assert spoken.startswith("I don't know a device called garage heater.")
    assert spoken.endswith("The kitchen light is a light; it can be turned on or off, not opened or closed.")
    await say(registry, ActionCall("turn_on", {"device": "porch light"}))   # a later command still goes out
    await eventually(lambda: len(listener.under("home/")) == 1)
    assert listener.under("home/")[0].topic == "home/porch/switch/set"
    listener.close()


async def test_a_device_command_is_also_announced_as_an_event(broker: Broker, registry: ToolRegistry) -> None:
    """Home Assistant automations see what the device commanded, on its events topic, as for every event."""
    listener = Listener(broker.port, "rtvi-edge/hall/event/#")
    await say(registry, ActionCall("turn_on", {"device": "bedroom fan"}))
    await eventually(lambda: listener.on("rtvi-edge/hall/event/device-command"))
    event = listener.on("rtvi-edge/hall/event/device-command")[0].json()
    assert (event["device"], event["topic"], event["command"]) == ("bedroom fan", "home/bedroom/fan/set", "ON")
    listener.close()


async def test_dimming_steps_from_the_brightness_last_set(broker: Broker, registry: ToolRegistry) -> None:
    listener = Listener(broker.port, "home/kitchen/#")
    assert await say(registry, ActionCall("change_brightness", {"device": "kitchen light", "delta": -25})) \
        == "The kitchen light is at 75 percent."   # on, brightness not known: from full
    await say(registry, ActionCall("set_brightness", {"device": "kitchen light", "percent": 20}))
    assert await say(registry, ActionCall("change_brightness", {"device": "kitchen light", "delta": -25})) \
        == "The kitchen light is at 5 percent."    # never dimmed off
    await say(registry, ActionCall("turn_off", {"device": "kitchen light"}))
    assert await say(registry, ActionCall("change_brightness", {"device": "kitchen light", "delta": 25})) \
        == "The kitchen light is at 25 percent."   # from off
    await eventually(lambda: len(listener.under("home/")) == 5)
    assert [m.json().get("brightness") for m in listener.on("home/kitchen/light/set")] == [191, 51, 13, None, 64]
    refused = await say(registry, ActionCall("change_brightness", {"device": "bedroom fan", "delta": 25}))
    assert refused == "The bedroom fan is a fan; only lights have a brightness."
    listener.close()
