"""MQTT bridge: bus events out, commands in, Home Assistant discovery, device state as retained topics.

Topics under `<prefix>/<device_id>`:
    status               retained "online"; the broker's last will sets "offline"
    event/<kind>         every bus event as JSON (session_id, ts and the event's fields), QoS 1
    <tool topic>         what a user-declared tool published (events.ToolMessage)
    state, transcript, answer, muted, volume    retained device state (for Home Assistant)
    cmd/<name>           commands: say, send-text, interrupt, mute, unmute, volume, update-config
    result/<name>        {"ok": true} or {"ok": false, "error": ...} for each command

paho runs its network loop in its own thread (and reconnects there with back-off); everything it reports
is handed to the event loop. Events published while the broker is away wait in paho's ordered QoS 1
queue (bounded by `queue_size`) and go out, in order, after the reconnect. Device state is not queued:
it is re-published whole on every connect (a restarted broker has lost its retained messages).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from dataclasses import dataclass
from typing import Any

from ..config import MqttSettings
from ..events import (BotAnswered, BotLlmText, DeviceCommand, DeviceStatus, Event, EventBus, FunctionCallStopped,
                      StateChanged, ToolMessage, UserMuteChanged, UserTranscript)
from ..live_config import LiveSettings
from ..session import SessionHost
from .homeassistant import Topics, discovery_messages
from .mqtt_commands import CommandRunner

log = logging.getLogger(__name__)

QOS = 1
KEEPALIVE_SECS = 30
RECONNECT_MIN_SECS, RECONNECT_MAX_SECS = 1, 30


def topic_safe(name: str) -> str:
    """`name` usable as one topic level: no wildcards, separators or spaces."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "device"


@dataclass
class DeviceView:
    """What the retained state topics show; the device's own session (any session without one)."""

    state: str = "idle"
    transcript: str = ""
    answer: str = ""
    muted: bool = False
    volume: float | None = None


class MqttBridge:
    def __init__(self, settings: MqttSettings, bus: EventBus, host: SessionHost, live: LiveSettings) -> None:
        self._settings, self._bus, self._host = settings, bus, host
        self.device_id = topic_safe(settings.device_id or socket.gethostname())
        self.topics = Topics(f"{settings.prefix.strip('/')}/{self.device_id}")
        self.commands = CommandRunner(host, live, after=self._refresh_volume)
        self.view = DeviceView(volume=self._device_volume())
        self.connected = False
        self.dropped = 0
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = lambda: None

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        import paho.mqtt.client as mqtt

        self._loop = asyncio.get_running_loop()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"rtvi-edge-{self.device_id}",
                             protocol=mqtt.MQTTv311)
        client.max_queued_messages_set(self._settings.queue_size)
        client.will_set(self.topics.at("status"), "offline", qos=QOS, retain=True)
        if self._settings.username:
            client.username_pw_set(self._settings.username, self._settings.password or None)
        if self._settings.tls:
            client.tls_set()
        client.reconnect_delay_set(RECONNECT_MIN_SECS, RECONNECT_MAX_SECS)
        client.on_connect = self._paho_connected
        client.on_disconnect = self._paho_disconnected
        client.on_message = self._paho_message
        client.connect_async(self._settings.host, self._settings.port, keepalive=KEEPALIVE_SECS)
        client.loop_start()  # connects (and keeps reconnecting) in paho's thread
        self._client = client
        self._unsubscribe = self._bus.subscribe(self._on_event)
        log.info("mqtt bridge started", extra={"broker": f"{self._settings.host}:{self._settings.port}",
                                               "topics": self.topics.base})

    async def stop(self) -> None:
        self._unsubscribe()
        client, self._client = self._client, None
        if client is None:
            return
        if self.connected:  # a clean goodbye; the last will covers crashes
            info = client.publish(self.topics.at("status"), "offline", qos=QOS, retain=True)
            await asyncio.to_thread(info.wait_for_publish, 2.0)
        self.connected = False
        client.disconnect()
        await asyncio.to_thread(client.loop_stop)

    # --- paho thread -> event loop -----------------------------------------------------------------

    def _to_loop(self, callback: Any, *args: Any) -> None:
        if self._loop is None:
            return
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # loop closed while paho was still reporting
            pass

    def _paho_connected(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            self._to_loop(self._refused, str(reason))
        else:
            self._to_loop(self._connected)

    def _paho_disconnected(self, client: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self._to_loop(self._disconnected, str(reason))

    def _paho_message(self, client: Any, userdata: Any, message: Any) -> None:
        if message.retain:  # a retained command would re-run on every reconnect
            log.info("ignored retained mqtt command", extra={"topic": message.topic})
            return
        self._to_loop(self._command, message.topic, bytes(message.payload))

    # --- connection state (event loop) -------------------------------------------------------------

    def _connected(self) -> None:
        if self._client is None:
            return
        self.connected = True
        log.info("mqtt connected", extra={"broker": f"{self._settings.host}:{self._settings.port}"})
        self._client.subscribe(self.topics.command("+"), qos=QOS)
        self._send(self.topics.at("status"), "online", retain=True)
        if self._settings.discovery_prefix:
            for topic, payload in discovery_messages(self._settings.discovery_prefix, self.device_id, self.topics):
                self._send(topic, payload, retain=True)
        self._publish_view()
        self._bus.publish(DeviceStatus(part="mqtt", ok=True))

    def _refused(self, reason: str) -> None:
        log.warning("mqtt broker refused the connection", extra={"reason": reason})

    def _disconnected(self, reason: str) -> None:
        if self.connected and self._client is not None:
            log.warning("mqtt connection lost; reconnecting", extra={"reason": reason})
            self._bus.publish(DeviceStatus(part="mqtt", ok=False, detail=reason))
        self.connected = False

    def _command(self, topic: str, payload: bytes) -> None:
        name = topic.rsplit("/", 1)[-1]
        refused = self.commands.handle(name, payload)
        result = {"ok": True} if refused is None else {"ok": False, "error": refused}
        self._send(self.topics.result(topic_safe(name)), json.dumps(result))
        self._refresh_volume()

    # --- outgoing ----------------------------------------------------------------------------------

    def _send(self, topic: str, payload: str, retain: bool = False) -> None:
        """Publish at QoS 1; paho queues it (in order) while the broker is away."""
        if self._client is None:
            return
        import paho.mqtt.client as mqtt

        info = self._client.publish(topic, payload, qos=QOS, retain=retain)
        if info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                log.warning("mqtt queue full; dropping events", extra={"dropped": self.dropped,
                                                                       "queue_size": self._settings.queue_size})

    def _on_event(self, event: Event) -> None:
        if isinstance(event, ToolMessage):
            self._tool_message(event)
            return
        if isinstance(event, DeviceCommand):  # the device's own topic, verbatim: Home Assistant's payloads
            self._send(event.topic, event.command)
        if not isinstance(event, BotLlmText) or self._settings.publish_llm_tokens:
            data = {"session_id": event.session_id, "ts": round(event.ts, 3), **event.payload()}
            self._send(self.topics.event(event.kind), json.dumps(data, default=str))
        self._track_answer(event)
        self._track_view(event)

    def _tool_message(self, event: ToolMessage) -> None:
        topic = event.topic.strip("/")
        if not topic or "+" in topic or "#" in topic:
            log.warning("tool message with an unusable topic", extra={"topic": event.topic})
            return
        self._send(f"{self.topics.base}/{topic}", json.dumps(event.body, default=str))

    def _track_answer(self, event: Event) -> None:
        """The device's last whole answer (intent, knowledge or LLM) as a retained state topic."""
        if isinstance(event, BotAnswered) and event.text and self._is_device(event):
            self.view.answer = event.text
            self._send_view("answer")

    def _is_device(self, event: Event) -> bool:
        local = self._host.local_session_id
        return local is None or event.session_id == local

    def _track_view(self, event: Event) -> None:
        if isinstance(event, FunctionCallStopped):  # a tool may have changed the volume
            self._refresh_volume()
        if not self._is_device(event):
            return
        if isinstance(event, StateChanged):
            self.view.state = event.state
            self._send_view("state")
        elif isinstance(event, UserTranscript) and event.final and event.text.strip():
            self.view.transcript = event.text.strip()
            self._send_view("transcript")
        elif isinstance(event, UserMuteChanged):
            self.view.muted = event.muted
            self._send_view("muted")

    def _device_volume(self) -> float | None:
        device = getattr(self._host, "device", None)
        getter = getattr(device, "get_volume", None)
        return float(getter()) if getter else None

    def _refresh_volume(self) -> None:
        volume = self._device_volume()
        if volume is not None and volume != self.view.volume:
            self.view.volume = volume
            self._send_view("volume")

    def _view_payload(self, name: str) -> str | None:
        view = self.view
        if name == "state":
            return view.state
        if name in ("transcript", "answer"):
            return json.dumps({"text": getattr(view, name)})
        if name == "muted":
            return "ON" if view.muted else "OFF"
        return None if view.volume is None else f"{view.volume:g}"

    def _send_view(self, name: str) -> None:
        # Not queued while away: the whole view is re-sent on connect, so a stale value cannot land last.
        payload = self._view_payload(name)
        if self.connected and payload is not None:
            self._send(self.topics.at(name), payload, retain=True)

    def _publish_view(self) -> None:
        for name in ("state", "transcript", "answer", "muted", "volume"):
            self._send_view(name)
