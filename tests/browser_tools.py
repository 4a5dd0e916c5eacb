"""What the browser tests share: Debian's chromium, and npm packages installed once from a lock file."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CHROMIUM = Path(os.environ.get("RTVI_EDGE_CHROMIUM", "/usr/bin/chromium"))


def missing_browser_tools() -> str | None:
    """Why a browser test cannot run here, or None."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are needed (apt install nodejs npm)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt install chromium)"
    return None


def npm_ci(directory: Path, packages: tuple[str, ...]) -> None:
    """The pinned packages of `directory`'s lock file, installed once; never a browser download."""
    if all((directory / "node_modules" / name).is_dir() for name in packages):
        return
    env = {**os.environ, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=directory, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in {directory} failed:\n{done.stderr[-2000:]}")
