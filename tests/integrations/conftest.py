"""A real mosquitto per test, for the MQTT bridge and the device commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .mqtt_helpers import Broker


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    broker.kill()
