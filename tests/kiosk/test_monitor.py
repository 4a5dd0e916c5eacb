"""`?mode=monitor`: the page follows the device's own microphone session (fed from a WAV here).

Events only: the page opens no microphone and plays no audio, yet shows the device's turns.
"""

from __future__ import annotations

import pytest

from tests.kiosk.conftest import TOKEN
from tests.kiosk.harness import Daemon, drive, explain
from tests.kiosk.test_page import in_order, page_errors

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_monitor_shows_the_devices_own_turn(monitor_daemon: Daemon) -> None:
    result = drive("monitor", {"url": f"{monitor_daemon.url}?mode=monitor&token={TOKEN}&transport=websocket"}, monitor_daemon)
    final, why = result["final"], explain(result, monitor_daemon)
    assert result["ready"] and result["badge"], "the monitor page did not connect" + why
    assert final["mic"] is None and final["audio"] is None, "a monitor must not open the mic or play audio"
    users = [entry["text"].lower() for entry in final["transcript"] if entry["role"] == "user"]
    assert result["userFinal"] and any("france" in text for text in users), "the device's question is missing" + why
    assert result["botDone"] and any(e["role"] == "bot" and e["text"] for e in final["transcript"]), why
    assert in_order(final["stateHistory"], ["user_speaking", "thinking"]), why
    assert not page_errors(result), page_errors(result)
