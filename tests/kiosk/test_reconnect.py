"""The daemon restarts (an update, a crash, systemd): the open page notices and reconnects by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kiosk.conftest import TOKEN, daemon_sections
from tests.kiosk.harness import Daemon, drive, explain, start_daemon, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_page_reconnects_after_a_daemon_restart(browser_tools: None, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", daemon_sections())
    daemons: list[Daemon] = [start_daemon(config, ["--no-local-audio"])]

    def restart(step: str) -> None:
        assert step == "connected"
        first = daemons[0]
        first.stop()
        daemons.append(start_daemon(config, ["--no-local-audio"], port=first.port))

    try:
        result = drive("reconnect", {"url": f"{daemons[0].url}?token={TOKEN}&transport=websocket", "restartTimeoutMs": 240_000},
                       daemons[0], on_step=restart)
    finally:
        for daemon in daemons:
            daemon.stop()
    why = explain(result, daemons[-1])
    assert result["ready"] and result["lost"], "the page did not notice the daemon going away" + why
    assert result["whileDown"]["state"] in ("disconnected", "connecting"), result["whileDown"]["state"]
    assert result["back"], "the page did not reconnect to the restarted daemon" + why
    assert "Reconnected" in result["notices"], result["notices"]
    assert result["final"]["state"] not in ("disconnected", "connecting"), why
