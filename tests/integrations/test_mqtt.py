"""The MQTT bridge against a real mosquitto: a turn's events, discovery, commands, a broker restart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from firmware_py.config import MqttSettings
from firmware_py.events import (BotAnswered, BotLlmStarted, BotLlmStopped, BotLlmText, BotOutput, BotStartedSpeaking,
                                BotStoppedSpeaking, BotTtsStarted, DeviceStatus, EventBus, StateChanged,
                                ToolMessage, UserStartedSpeaking, UserStoppedSpeaking, UserTranscript)
from firmware_py.integrations.mqtt import MqttBridge

from .doubles import RecordingHost
from .mqtt_helpers import Broker, Gate, Listener, eventually

BASE = "rtvi-edge/kitchen"


class Device:
    """The device volume control the appliance exposes as `host.device`."""

    def __init__(self) -> None:
        self.volume = 1.0

    def get_volume(self) -> float:
        return self.volume

    def set_volume(self, value: float) -> None:
        self.volume = value


@pytest.fixture
def host() -> RecordingHost:
    host = RecordingHost(EventBus())
    host.device = Device()  # type: ignore[attr-defined]
    return host


@pytest.fixture
async def bridge(broker: Broker, host: RecordingHost) -> AsyncIterator[MqttBridge]:
    bridge = MqttBridge(MqttSettings(enabled=True, port=broker.port, device_id="kitchen"), host.bus, host, host.live)
    await bridge.start()
    await eventually(lambda: bridge.connected)
    yield bridge
    await bridge.stop()


def a_turn(bus: EventBus) -> None:
    for event in (UserStartedSpeaking(), StateChanged(state="user_speaking"),
                  UserTranscript(text="turn on the", final=False),
                  UserTranscript(text="Turn on the kitchen light.", final=True), UserStoppedSpeaking(),
                  StateChanged(state="thinking"), BotLlmStarted(), BotLlmText(text="The kitchen"),
                  BotLlmText(text=" light is"), BotLlmText(text=" on."), BotLlmStopped(),
                  BotAnswered(text="The kitchen light is on.", responder="llm"),
                  ToolMessage(topic="lights/kitchen", body={"state": "on"}), BotTtsStarted(),
                  BotStartedSpeaking(), StateChanged(state="speaking"),
                  BotOutput(text="The kitchen light is on."), BotStoppedSpeaking(), StateChanged(state="listening")):
        bus.publish(event)


async def test_a_spoken_turn_reaches_the_broker(broker: Broker, host: RecordingHost, bridge: MqttBridge) -> None:
    listener = Listener(broker.port, f"{BASE}/#")
    a_turn(host.bus)
    await eventually(lambda: len(listener.on(f"{BASE}/event/state")) == 4)
    events = listener.under(f"{BASE}/event/")
    kinds = [m.topic.removeprefix(f"{BASE}/event/") for m in events]
    assert kinds == ["user-started-speaking", "state", "user-transcription", "user-transcription",
                     "user-stopped-speaking", "state", "bot-llm-started", "bot-llm-stopped", "bot-answer",
                     "bot-tts-started", "bot-started-speaking", "state", "bot-output", "bot-stopped-speaking",
                     "state"]
    final = events[3].json()
    assert final["text"] == "Turn on the kitchen light." and final["final"] is True
    assert final["session_id"] == "local" and isinstance(final["ts"], float)
    assert events[8].json()["text"] == "The kitchen light is on."  # the whole answer, not token by token
    assert [m.json() for m in listener.on(f"{BASE}/lights/kitchen")] == [{"state": "on"}]
    await eventually(lambda: listener.on(f"{BASE}/state") and listener.on(f"{BASE}/state")[-1].payload == "listening")
    assert listener.on(f"{BASE}/transcript")[-1].json() == {"text": "Turn on the kitchen light."}
    assert listener.on(f"{BASE}/answer")[-1].json() == {"text": "The kitchen light is on."}
    # a client's turn is published as events but does not change the device's state topics
    host.bus.publish(StateChanged(state="thinking", session_id="client-7"))
    await eventually(lambda: len(listener.on(f"{BASE}/event/state")) == 5)
    assert listener.on(f"{BASE}/event/state")[-1].json()["session_id"] == "client-7"
    assert listener.on(f"{BASE}/state")[-1].payload == "listening"
    listener.close()


async def test_discovery_and_status_are_retained(broker: Broker, bridge: MqttBridge) -> None:
    late = Listener(broker.port, "homeassistant/#", f"{BASE}/status", f"{BASE}/volume")
    # the broker sends each subscription's retained messages on its own: wait for all three
    await eventually(lambda: len(late.under("homeassistant/")) == 7 and late.on(f"{BASE}/status")
                     and late.on(f"{BASE}/volume"))
    assert all(m.retain for m in late.messages)
    assert late.on(f"{BASE}/status")[0].payload == "online"
    assert late.on(f"{BASE}/volume")[0].payload == "1"
    configs = {m.topic: m.json() for m in late.under("homeassistant/")}
    assert set(configs) == {f"homeassistant/{c}/kitchen/{o}/config" for c, o in (
        ("sensor", "assist_state"), ("sensor", "last_transcript"), ("sensor", "last_answer"), ("switch", "mute"),
        ("button", "interrupt"), ("number", "volume"), ("text", "say"))}
    mute = configs["homeassistant/switch/kitchen/mute/config"]
    assert mute["command_topic"] == f"{BASE}/cmd/mute" and mute["state_topic"] == f"{BASE}/muted"
    assert mute["availability_topic"] == f"{BASE}/status"
    assert len({c["unique_id"] for c in configs.values()}) == 7
    assert {tuple(c["device"]["identifiers"]) for c in configs.values()} == {("rtvi-edge-kitchen",)}
    late.close()


async def test_commands_reach_the_session(broker: Broker, host: RecordingHost, bridge: MqttBridge) -> None:
    other = await host.open_session("client-7", sink=None)  # type: ignore[arg-type]
    client = Listener(broker.port, f"{BASE}/result/#", f"{BASE}/muted", f"{BASE}/volume")
    sent = [("say", "Hello there"), ("say", '{"text": "Hi app", "session": "client-7", "interrupt": true}'),
            ("send-text", '{"text": "what time is it", "run_immediately": false}'), ("interrupt", "PRESS"),
            ("mute", "ON"), ("mute", "OFF"), ("mute", ""), ("unmute", ""), ("volume", "0.3"),
            ("update-config", '{"llm": {"temperature": 0.7}, "vad": {"stop_secs": 0.4}}'),
            # refused ones: each gets a reason, none crashes the bridge
            ("update-config", '{"section": "vad", "values": {"stop_secs": -1}}'), ("volume", "loud"),
            ("say", '{"text": '), ("say", '{"session": "nobody", "text": "x"}'), ("launch", "rockets"),
            ("send-text", "")]
    for name, payload in sent:
        client.publish(f"{BASE}/cmd/{name}", payload)
    await eventually(lambda: len(client.under(f"{BASE}/result/")) == len(sent))
    results = [m.json() for m in client.under(f"{BASE}/result/")]
    assert [r["ok"] for r in results] == [True] * 10 + [False] * 6
    errors = [r["error"] for r in results[10:]]
    assert "vad.stop_secs" in errors[0] and "must be at least" in errors[0]
    assert "volume takes a number" in errors[1] and "not valid JSON" in errors[2]
    assert "no session 'nobody'" in errors[3] and "unknown command 'launch'" in errors[4] and "needs text" in errors[5]

    # say/send-text/interrupt run as tasks (a long `say` must not hold up an interrupt behind it)
    await eventually(lambda: len(host.local.calls) == 7)
    assert [c for c in host.local.calls if c[0] != "set_muted"] == [
        ("say", "Hello there", False), ("send_text", "what time is it", False, True), ("interrupt",)]
    assert [c for c in host.local.calls if c[0] == "set_muted"] == [
        ("set_muted", True), ("set_muted", False), ("set_muted", True), ("set_muted", False)]
    assert other.calls == [("say", "Hi app", True)]  # type: ignore[attr-defined]
    assert host.device.volume == 0.3  # type: ignore[attr-defined]
    assert host.live.current.llm.temperature == 0.7 and host.live.current.vad.stop_secs == 0.4
    await eventually(lambda: client.on(f"{BASE}/volume") and client.on(f"{BASE}/volume")[-1].payload == "0.3")
    assert [m.payload for m in client.on(f"{BASE}/muted")][-4:] == ["ON", "OFF", "ON", "OFF"]
    client.close()


async def test_retained_commands_are_not_replayed(broker: Broker, host: RecordingHost) -> None:
    setter = Listener(broker.port, "unused/#")
    setter.publish(f"{BASE}/cmd/say", "stale words", retain=True)
    bridge = MqttBridge(MqttSettings(enabled=True, port=broker.port, device_id="kitchen"), host.bus, host, host.live)
    await bridge.start()
    await eventually(lambda: bridge.connected)
    setter.publish(f"{BASE}/cmd/say", "fresh words")
    await eventually(lambda: host.local.calls)
    assert host.local.calls == [("say", "fresh words", False)]
    await bridge.stop()
    setter.close()


async def test_broker_restart_loses_no_queued_event(tmp_path: Path, broker: Broker, host: RecordingHost) -> None:
    gate = Gate(broker.port)
    await gate.start()
    outages: list[DeviceStatus] = []
    host.bus.subscribe(outages.append, DeviceStatus)
    bridge = MqttBridge(MqttSettings(enabled=True, port=gate.port, device_id="kitchen"), host.bus, host, host.live)
    await bridge.start()
    await eventually(lambda: bridge.connected)
    before = Listener(broker.port, f"{BASE}/event/user-transcription")
    for n in range(3):
        host.bus.publish(UserTranscript(text=f"before {n}", final=True))
    await eventually(lambda: len(before.messages) == 3)
    before.close()

    gate.open = False
    broker.kill()
    await eventually(lambda: not bridge.connected)
    assert [(s.part, s.ok) for s in outages] == [("mqtt", True), ("mqtt", False)]
    for n in range(20):
        host.bus.publish(UserTranscript(text=f"while down {n}", final=True))
    broker.start()  # same port, empty: no persistence, no retained messages
    after = Listener(broker.port, f"{BASE}/event/user-transcription", f"{BASE}/status")
    gate.open = True  # only now may the bridge reconnect, so the listener cannot miss anything
    await eventually(lambda: len(after.on(f"{BASE}/event/user-transcription")) >= 20, timeout=60)
    host.bus.publish(UserTranscript(text="after", final=True))
    await eventually(lambda: len(after.on(f"{BASE}/event/user-transcription")) >= 21)
    texts = [m.json()["text"] for m in after.on(f"{BASE}/event/user-transcription")]
    assert texts == [f"while down {n}" for n in range(20)] + ["after"]
    assert after.on(f"{BASE}/status")[-1].payload == "online"  # re-announced to the fresh broker
    assert bridge.dropped == 0
    after.close()
    await bridge.stop()
    await gate.close()
