"""Fixtures for the end-to-end run of the official web client against the real daemon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e_harness import TOKEN, DaemonProcess, build_page, ensure_node_modules, write_config
from tests.browser_tools import missing_browser_tools


@pytest.fixture(scope="session")
def page_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = missing_browser_tools()
    if reason:
        pytest.skip(reason)
    ensure_node_modules()
    return build_page(tmp_path_factory.mktemp("e2e-page"))


@pytest.fixture(scope="session")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    """The real daemon with the real models, RTVI clients only (no device audio), shared by this folder."""
    config = write_config(tmp_path_factory.mktemp("e2e-daemon") / "config.toml", {
        "server": {"token": TOKEN},
        "llm": {"max_tokens": 40, "seed": 1},
        "log": {"level": "info"},
    })
    process = DaemonProcess(config)
    yield process
    process.stop()
