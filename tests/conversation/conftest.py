"""Real engines (default models), loaded once per module on the module's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING
from dataclasses import replace

import pytest
import pytest_asyncio

from firmware_py.config import Settings
from firmware_py.events import Event, EventBus
from firmware_py.live_config import LiveSettings
from firmware_py.models import models_dir

from .scripted import NoDevice

if TYPE_CHECKING:
    from firmware_py.engines import SharedEngines


def conversation_settings() -> Settings:
    settings = Settings()
    return replace(settings, audio=replace(settings.audio, enabled=False),
                   llm=replace(settings.llm, max_tokens=80, seed=1))


@pytest.fixture(scope="module")
def bus() -> EventBus:
    return EventBus()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def engines(bus: EventBus) -> AsyncIterator["SharedEngines"]:
    from firmware_py.engines import load_engines

    loaded = await load_engines(conversation_settings(), models_dir(), bus, NoDevice())
    await loaded.warm_up(conversation_settings().llm.system_prompt)
    yield loaded
    loaded.close()


@pytest.fixture
def events(bus: EventBus) -> Iterator[list[Event]]:
    """Everything published on the bus during one test."""
    seen: list[Event] = []
    unsubscribe = bus.subscribe(seen.append)
    yield seen
    unsubscribe()


@pytest.fixture
def live(bus: EventBus) -> LiveSettings:
    return LiveSettings(conversation_settings(), bus)
