"""A fair first-come first-served queue in front of the shared LLM: `slots` generations at once.

A local model runs one generation at a time (one slot). A remote OpenAI-compatible server with parallel
slots (llama.cpp `--parallel N`, vLLM, Ollama `OLLAMA_NUM_PARALLEL`) can serve several: `llm.parallel`
sets how many, so sessions stop queueing behind each other.

Sessions waiting for the model learn their place through `LlmQueued(position)` events (position 1: next
when a slot frees), published when they join and whenever the line moves; position 0 tells a session
that waited that its generation starts now.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, AsyncIterator

from ..events import EventBus, LlmQueued

if TYPE_CHECKING:
    from ..config import LlmSettings

log = logging.getLogger(__name__)


def parallel_slots(settings: "LlmSettings") -> int:
    """Generations at once: `llm.parallel` for a remote server, always one for the local model."""
    return max(1, settings.parallel) if settings.backend == "remote" else 1


@dataclass(eq=False)
class _Waiter:
    session_id: str
    ready: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class LlmQueue:
    def __init__(self, bus: EventBus, slots: int = 1) -> None:
        self._bus = bus
        self.slots = max(1, slots)
        self._running = 0
        self._waiting: list[_Waiter] = []

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return self._running

    @asynccontextmanager
    async def slot(self, session_id: str) -> AsyncIterator[None]:
        """Hold one of the model's slots for one generation; waits its turn (cancellable) when all are busy."""
        await self._acquire(session_id)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, session_id: str) -> None:
        if self._running < self.slots and not self._waiting:
            self._running += 1
            return
        waiter = _Waiter(session_id)
        self._waiting.append(waiter)
        self._announce(waiter, len(self._waiting))
        log.debug("waiting for the LLM", extra={"session_id": session_id, "position": len(self._waiting)})
        try:
            await waiter.ready
        except asyncio.CancelledError:
            if waiter.ready.done() and not waiter.ready.cancelled():
                self._release()  # the slot was handed over just as we gave up: pass it on
            else:
                self._waiting.remove(waiter)
                self._announce_all()
            raise

    def _release(self) -> None:
        if not self._waiting:
            self._running -= 1
            return
        after = self._waiting.pop(0)
        after.ready.set_result(None)  # the slot stays taken: it passes to the next in line
        self._announce(after, 0)
        self._announce_all()

    def _announce_all(self) -> None:
        for position, waiter in enumerate(self._waiting, start=1):
            self._announce(waiter, position)

    def _announce(self, waiter: _Waiter, position: int) -> None:
        self._bus.publish(LlmQueued(session_id=waiter.session_id, position=position))
