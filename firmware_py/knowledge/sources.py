"""Where documents come from: the configured files and directories, plus the operator's library directory.

`rtvi-edge knowledge add` copies a document into the library directory; the daemon watches it like any
configured source, so a document added, changed or removed there reaches a running daemon.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .formats import SUPPORTED_SUFFIXES

DEVICE_STATE_DIR = Path("/var/lib/rtvi-edge")
LIBRARY_ENV = "RTVI_EDGE_KNOWLEDGE_DIR"


def library_dir(configured: str = "") -> Path:
    """Config value, else $RTVI_EDGE_KNOWLEDGE_DIR, else the device's state directory if present, else the
    user's data directory."""
    if configured:
        return Path(configured).expanduser()
    if os.environ.get(LIBRARY_ENV):
        return Path(os.environ[LIBRARY_ENV])
    if DEVICE_STATE_DIR.is_dir():
        return DEVICE_STATE_DIR / "knowledge"
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "rtvi-edge" / "knowledge"


@dataclass(frozen=True)
class Scan:
    files: dict[str, tuple[int, int]]
    """Every document file found, with its (mtime_ns, size) signature, by path."""
    problems: dict[str, str]
    """Configured sources that cannot be used, with the reason."""


def scan_sources(sources: Iterable[str], library: Path) -> Scan:
    """Document files of the configured `sources` and the `library` directory (missing library: none)."""
    files: dict[str, tuple[int, int]] = {}
    problems: dict[str, str] = {}
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            _walk(path, files)
        elif path.exists():
            _add(path, files, problems)
        else:
            problems[str(path)] = "does not exist"
    if library.is_dir():
        _walk(library, files)
    return Scan(files, problems)


def is_document_name(name: str) -> bool:
    """A supported file that is not hidden nor an editor's temporary copy."""
    return (name.lower().endswith(SUPPORTED_SUFFIXES) and not name.startswith((".", "~", "#"))
            and not name.endswith("~"))


def _walk(directory: Path, files: dict[str, tuple[int, int]]) -> None:
    for root, dirs, names in os.walk(directory, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if is_document_name(name):
                _add(Path(root) / name, files, {})


def _add(path: Path, files: dict[str, tuple[int, int]], problems: dict[str, str]) -> None:
    try:
        info = path.stat()
    except OSError as err:
        problems[str(path)] = err.strerror or str(err)
        return
    files[str(path.resolve())] = (info.st_mtime_ns, info.st_size)
