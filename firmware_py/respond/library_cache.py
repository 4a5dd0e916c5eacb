"""The parsed sentence library kept on disk, so that a start does not parse it again.

hassil parses each of the library's ~900 sentence templates on first use and formats 1,001 numbers into its
range trie: ~0.4 s of CPU, on the way to "ready" (the LLM's prompt prefix waits for the responder chain).
Unpickled with the collector off, as start-up runs, the same objects take ~0.05 s.

The file is named by a digest of everything it depends on (this format, Python's, hassil's and the library's
versions, the language, the product's and the user's sentences). It is written atomically with mode 0600 into
the daemon's own cache; since loading a pickle runs code, a file another user owns or could have written is
never loaded. A missing, stale or unreadable file is simply rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from hassil import Intents

from ..cache_dir import atomic_write, user_cache_dir

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
KEEP_FILES = 3
"""Libraries kept per directory (languages or user sentences switched back and forth)."""


@dataclass
class ParsedLibrary:
    """The sentence library as the matcher uses it."""

    intents: Intents
    skip_words: list[str]
    words: frozenset[str]
    """Every word of the templates, lists and expansion rules (what a mis-heard word may be mended into)."""
    range_tries: dict[Any, Any]
    """hassil's number tries for this language, made on the first match (empty until then)."""


def cache_dirs() -> list[Path]:
    """The user's cache directory (under systemd, the service's state directory: its HOME)."""
    return [user_cache_dir() / "sentences"]


def library_key(language: str, sources: str) -> str:
    """Digest of what a parsed library depends on; `sources` is the product's and the user's sentences."""
    versions = "|".join(_version(name) for name in ("hassil", "home-assistant-intents", "unicode-rbnf"))
    identity = f"{FORMAT_VERSION}|{sys.version_info[:2]}|{versions}|{language}|{sources}"
    return hashlib.sha256(identity.encode()).hexdigest()[:24]


def load_library(key: str, directories: list[Path]) -> ParsedLibrary | None:
    for directory in directories:
        path = directory / f"{key}.pickle"
        try:
            info = path.stat()
        except OSError:
            continue
        if not _written_by_us(info):
            log.warning("parsed sentence library not loaded: not this user's own file", extra={"file": str(path)})
            continue
        try:
            library = pickle.loads(path.read_bytes())
        except Exception as err:  # a truncated or foreign file: rebuild it
            log.warning("parsed sentence library unreadable; parsing again", extra={"file": str(path), "error": str(err)})
            continue
        if isinstance(library, ParsedLibrary):
            return library
    return None


def save_library(key: str, library: ParsedLibrary, directories: list[Path]) -> Path | None:
    blob = pickle.dumps(library, protocol=pickle.HIGHEST_PROTOCOL)
    for directory in directories:
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = directory / f"{key}.pickle"
            atomic_write(path, lambda temporary: Path(temporary).write_bytes(blob))   # mode 0600
        except OSError as err:
            log.debug("cannot keep the parsed sentence library here", extra={"dir": str(directory), "error": str(err)})
            continue
        _prune(directory)
        return path
    return None


def _written_by_us(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _prune(directory: Path) -> None:
    files = sorted(directory.glob("*.pickle"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in files[KEEP_FILES:]:
        old.unlink(missing_ok=True)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "-"
