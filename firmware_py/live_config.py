"""Settings that can change while the daemon runs (RTVI `update-config`, MQTT, the kiosk settings panel).

Parts read `live.current` when they need a value, and may subscribe to `ConfigChanged` to react at once.
Updates go through the same validation as the config file, so a bad value is refused with the same message.
"""

from __future__ import annotations

import typing
from dataclasses import asdict, replace
from typing import Any

from .config import ConfigError, Settings, build_section, check_consistency
from .events import ConfigChanged, EventBus

# Sections whose values may change live; the rest (ports, devices, pins) need a restart.
LIVE_SECTIONS = ("vad", "turn", "stt", "tts", "llm", "conversation", "wakeword")


class LiveSettings:
    def __init__(self, settings: Settings, bus: EventBus) -> None:
        self.current = settings
        self._bus = bus

    def section(self, name: str) -> dict[str, Any]:
        return asdict(getattr(self.current, name))

    def update(self, section: str, values: dict[str, Any], session_id: str = "local") -> Settings:
        """Validate and apply `values` to `section`; raises ConfigError naming the offending key."""
        if section not in LIVE_SECTIONS:
            raise ConfigError(f"[{section}] cannot change while running; live sections: {', '.join(LIVE_SECTIONS)}")
        section_type = typing.get_type_hints(Settings)[section]
        updated_section = build_section(section_type, section, values, base=getattr(self.current, section))
        updated = replace(self.current, **{section: updated_section})
        check_consistency(updated)
        self.current = updated
        self._bus.publish(ConfigChanged(section=section, values=dict(values), session_id=session_id))
        return updated
