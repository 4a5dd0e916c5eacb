"""The sentence library the intent matcher uses: Home Assistant's, the device's own and the user's sentences,
parsed by hassil, with the words they hold (what a mis-heard word may be mended into)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from hassil import Intents

from .custom import CustomCommand
from .library_cache import ParsedLibrary

PRIORITY = "device_own"
"""Metadata key of the device's own and the user's sentences: they win over the library's when both match."""
SENTENCES_DIR = Path(__file__).with_name("sentences")
WORD = re.compile(r"[a-z][a-z']*")


def load_sentence_data(language: str, custom: tuple[CustomCommand, ...]) -> dict[str, Any]:
    """Home Assistant's library for `language`, plus the product's sentences and the user's commands."""
    from home_assistant_intents import get_intents

    data = get_intents(language)
    if data is None:
        raise ValueError(f"no sentence library for language {language!r}")
    own_file = SENTENCES_DIR / f"{language}.yaml"
    own = yaml.safe_load(own_file.read_text()) if own_file.is_file() else {}
    for name, intent in own.get("intents", {}).items():
        for block in intent.get("data", []):
            block.setdefault("metadata", {})[PRIORITY] = True
        data["intents"][name] = intent
    data["lists"].update(own.get("lists", {}))
    data.setdefault("expansion_rules", {}).update(own.get("expansion_rules", {}))
    for index, command in enumerate(custom):
        data["intents"][f"custom:{index}"] = {"data": [{"sentences": list(command.sentences),
                                                        "metadata": {PRIORITY: True}}]}
    return data


def parse_library(language: str, custom: tuple[CustomCommand, ...]) -> ParsedLibrary:
    data = load_sentence_data(language, custom)
    return ParsedLibrary(Intents.from_dict(data), list(data.get("skip_words", [])), frozenset(_words_of(data)), {})


def library_sources(language: str, custom: tuple[CustomCommand, ...]) -> str:
    """The product's and the user's sentences, as the parsed library's cache key sees them."""
    own_file = SENTENCES_DIR / f"{language}.yaml"
    own = own_file.read_text() if own_file.is_file() else ""
    return own + "\n" + repr([command.sentences for command in custom])


def _words_of(data: dict[str, Any]) -> set[str]:
    words: set[str] = set()
    for intent in data["intents"].values():
        for block in intent.get("data", []):
            for sentence in block.get("sentences", []):
                words.update(WORD.findall(sentence.lower()))
    for rule in data.get("expansion_rules", {}).values():
        words.update(WORD.findall(str(rule).lower()))
    for values in data.get("lists", {}).values():
        for value in values.get("values", []):
            words.update(WORD.findall(str(value.get("in", value) if isinstance(value, dict) else value).lower()))
    return words
