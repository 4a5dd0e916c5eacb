"""The daemon's own cache directory, and atomic writes into it: prepared and exported models, saved prompt
states, the parsed sentence library."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "RTVI_EDGE_CACHE"


def user_cache_dir() -> Path:
    """$RTVI_EDGE_CACHE, else $XDG_CACHE_HOME/rtvi-edge, else ~/.cache/rtvi-edge (under systemd the service's
    state directory, its HOME)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rtvi-edge"


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """`write(temporary_path)` then a rename onto `path`: readers see the old file or the whole new one. The
    temporary file is created with mode 0600 (mkstemp), which the rename keeps."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
