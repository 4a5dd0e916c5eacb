"""The daemon's own directories, and atomic writes into them: the cache (prepared and exported models, saved
prompt states, the parsed sentence library) and the state it keeps across restarts (timers and alarms)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

CACHE_ENV = "RTVI_EDGE_CACHE"
STATE_ENV = "RTVI_EDGE_STATE"


def user_cache_dir() -> Path:
    """$RTVI_EDGE_CACHE, else $XDG_CACHE_HOME/rtvi-edge, else ~/.cache/rtvi-edge (under systemd the service's
    state directory, its HOME)."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rtvi-edge"


def user_state_dir() -> Path:
    """$RTVI_EDGE_STATE, else $XDG_STATE_HOME/rtvi-edge, else ~/.local/state/rtvi-edge (under systemd inside
    the service's state directory, its HOME). Unlike the cache, what is here cannot be made again."""
    configured = os.environ.get(STATE_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "rtvi-edge"


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
