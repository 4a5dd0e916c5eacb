"""Fixtures for the RTVI server tests: a running server on a loopback port with a recording host."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from rtvi_harness import Harness, start_harness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    running = await start_harness(tmp_path, local=True)
    yield running
    for client in running.clients:
        await client.close()
    await running.server.stop()
