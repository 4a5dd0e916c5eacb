"""The user's own spoken commands from the config (`[[sentences]]`): templates that say a reply or run an
action with fixed arguments. Checked at load, so a bad template is named before the daemon starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import ConfigError


@dataclass(frozen=True)
class CustomCommand:
    sentences: tuple[str, ...]
    say: str = ""
    action: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)


def parse_custom_sentences(raw: Any) -> tuple[CustomCommand, ...]:
    from hassil import parse_sentence  # only needed when there are sentences to check

    if not isinstance(raw, list):
        raise ConfigError("[[sentences]] must be an array of tables")
    commands: list[CustomCommand] = []
    for index, table in enumerate(raw):
        where = f"sentences[{index}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = set(table) - {"sentences", "say", "action", "arguments"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}; allowed: sentences, say, action, arguments")
        templates = table.get("sentences")
        if not isinstance(templates, list) or not templates or not all(isinstance(t, str) and t.strip() for t in templates):
            raise ConfigError(f"{where}.sentences must be a non-empty list of sentence templates")
        for template in templates:
            try:
                parse_sentence(template)
            except Exception as err:  # hassil raises several parse error types
                raise ConfigError(f"{where}.sentences: {template!r} is not a valid template: {err}") from None
        say, action = table.get("say", ""), table.get("action", "")
        if not isinstance(say, str) or not isinstance(action, str) or bool(say) == bool(action):
            raise ConfigError(f"{where} needs exactly one of say (a reply) or action (a command name)")
        arguments = table.get("arguments", {})
        if not isinstance(arguments, dict):
            raise ConfigError(f"{where}.arguments must be a table")
        commands.append(CustomCommand(tuple(t.strip() for t in templates), say.strip(), action.strip(), arguments))
    return tuple(commands)
