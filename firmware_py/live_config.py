"""Settings that can change while the daemon runs (RTVI `update-config`, MQTT, the kiosk settings panel).

Parts read `live.current` when they need a value, and may subscribe to `ConfigChanged` to react at once.
Updates go through the same validation as the config file, so a bad value is refused with the same message.
Only keys that really take effect on the next turn are accepted (`LIVE_KEYS`); any other key is refused
with a message naming it and what can change, so nothing is ever stored and echoed without being used.
"""

from __future__ import annotations

import typing
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from .config import ConfigError, Settings, build_section, check_consistency
from .events import ConfigChanged, EventBus

LIVE_KEYS: dict[str, tuple[str, ...]] = {
    # read by the listener at every frame or turn
    "vad": ("confidence", "start_secs", "stop_secs", "min_volume"),
    "turn": ("enabled", "threshold", "max_silence_secs"),
    "stt": ("interim_results",),
    # any change reloads the voice off the event loop (appliance); the next answer uses it
    "tts": ("engine", "voice", "speed", "threads"),
    # sampling is read at every generation; model/backend changes reload the engine (llm/live.py)
    "llm": ("backend", "model", "n_ctx", "threads", "temperature", "max_tokens", "seed", "chat_format",
            "system_prompt", "tools", "remote_url", "remote_api_key", "remote_timeout_secs"),
    "conversation": ("activation", "barge_in", "barge_in_min_secs", "barge_in_pause_secs", "follow_up_secs",
                     "history_idle_secs"),
    "intents": ("speculate", "reread", "not_heard_reply"),  # read at every turn by the conversation
    "timers": ("ring_secs", "alarm_ring_secs", "ring_gap_secs", "tone"),   # read when one rings or is snoozed
}
LIVE_SECTIONS = tuple(LIVE_KEYS)
"""Sections with at least one live key; the rest (ports, devices, pins, models) need a restart."""


def check_live_keys(section: str, values: dict[str, Any]) -> None:
    """ConfigError unless every key of `values` takes effect while running."""
    if section not in LIVE_KEYS:
        raise ConfigError(f"[{section}] cannot change while running (restart needed); "
                          f"live sections: {', '.join(LIVE_SECTIONS)}")
    if not isinstance(values, dict):
        raise ConfigError(f"values for [{section}] must be an object of setting: value, got {values!r}")
    for key in values:
        if key not in LIVE_KEYS[section]:
            raise ConfigError(f"{section}.{key} cannot change while running (restart needed); "
                              f"live {section} settings: {', '.join(LIVE_KEYS[section])}")


class LiveSettings:
    def __init__(self, settings: Settings, bus: EventBus) -> None:
        self.current = settings
        self._bus = bus

    def section(self, name: str) -> dict[str, Any]:
        return asdict(getattr(self.current, name))

    def validate(self, section: str, values: dict[str, Any]) -> Settings:
        """The settings `values` would make, without applying them; ConfigError names the offending key."""
        check_live_keys(section, values)
        section_type = typing.get_type_hints(Settings)[section]
        updated_section = build_section(section_type, section, values, base=getattr(self.current, section))
        updated = replace(self.current, **{section: updated_section})
        check_consistency(updated)
        if section == "llm" and {"model", "backend"} & set(values):
            _check_model_exists(updated)
        return updated

    def update(self, section: str, values: dict[str, Any], session_id: str = "local") -> Settings:
        """Validate and apply `values` to `section`; raises ConfigError naming the offending key."""
        self.current = self.validate(section, values)
        self._bus.publish(ConfigChanged(section=section, values=dict(values), session_id=session_id))
        return self.current


def _check_model_exists(settings: Settings) -> None:
    """A local model change must name a GGUF that is there: refused now, not failed later in the reload."""
    llm = settings.llm
    if llm.backend != "local" or not llm.model:
        return
    from .models import models_dir

    path = Path(llm.model).expanduser()
    path = path if path.is_absolute() else models_dir(settings.models.dir) / path
    if not path.is_file():
        raise ConfigError(f"llm.model = {llm.model!r}: no GGUF file at {path}")
