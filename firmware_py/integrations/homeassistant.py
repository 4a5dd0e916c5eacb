"""Home Assistant MQTT discovery: the entities that make the device appear in Home Assistant by itself.

Each entity is a retained config message under `<discovery_prefix>/<component>/<device_id>/<object>/config`.
State topics carry JSON where text may exceed Home Assistant's 255-character state limit: the state
shows the start, the full text is an attribute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Topics:
    """Every topic of one device under `<prefix>/<device_id>`."""

    base: str

    def at(self, name: str) -> str:
        """A topic right under the device: status, state, transcript, answer, muted, volume."""
        return f"{self.base}/{name}"

    def command(self, name: str) -> str:
        return f"{self.base}/cmd/{name}"

    def event(self, kind: str) -> str:
        return f"{self.base}/event/{kind}"

    def result(self, command: str) -> str:
        return f"{self.base}/result/{command}"


def _version() -> str:
    try:
        return metadata.version("rtvi-edge")
    except metadata.PackageNotFoundError:
        return "unknown"


def discovery_messages(discovery_prefix: str, device_id: str, topics: Topics) -> list[tuple[str, str]]:
    """(topic, JSON payload) of every entity's retained discovery config."""
    device = {"identifiers": [f"rtvi-edge-{device_id}"], "name": f"rtvi-edge {device_id}",
              "model": "rtvi-edge voice assistant", "sw_version": _version()}
    common = {"availability_topic": topics.at("status"), "payload_available": "online",
              "payload_not_available": "offline", "device": device}
    text_state = {"value_template": "{{ value_json.text[:255] }}"}
    entities: list[tuple[str, str, dict[str, object]]] = [
        ("sensor", "assist_state", {"name": "Assist state", "state_topic": topics.at("state"),
                                    "icon": "mdi:account-voice"}),
        ("sensor", "last_transcript", {"name": "Last transcript", "state_topic": topics.at("transcript"),
                                       **text_state, "json_attributes_topic": topics.at("transcript"),
                                       "icon": "mdi:text-to-speech"}),
        ("sensor", "last_answer", {"name": "Last answer", "state_topic": topics.at("answer"),
                                   **text_state, "json_attributes_topic": topics.at("answer"), "icon": "mdi:robot"}),
        ("switch", "mute", {"name": "Microphone mute", "state_topic": topics.at("muted"),
                            "command_topic": topics.command("mute"), "payload_on": "ON", "payload_off": "OFF",
                            "icon": "mdi:microphone-off"}),
        ("button", "interrupt", {"name": "Interrupt", "command_topic": topics.command("interrupt"),
                                 "payload_press": "PRESS", "icon": "mdi:hand-back-left"}),
        ("number", "volume", {"name": "Volume", "state_topic": topics.at("volume"),
                              "command_topic": topics.command("volume"), "min": 0, "max": 1, "step": 0.05,
                              "mode": "slider", "icon": "mdi:volume-high"}),
        ("text", "say", {"name": "Say", "command_topic": topics.command("say"), "max": 255,
                         "icon": "mdi:message-text"}),
    ]
    messages = []
    for component, object_id, config in entities:
        payload = {**common, **config, "unique_id": f"rtvi_edge_{device_id}_{object_id}"}
        messages.append((f"{discovery_prefix}/{component}/{device_id}/{object_id}/config", json.dumps(payload)))
    return messages
