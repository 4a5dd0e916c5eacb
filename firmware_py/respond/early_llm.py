"""An LLM answer started on the early transcript, at the user's first pause, and held back: nothing is
shown, spoken or done until the turn ends with the same words (then it is adopted, with its head start),
and it is dropped if the user goes on. A tool call the model makes meanwhile waits for the commit, so a
dropped guess never acts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator

from ..events import EventBus
from ..llm.agent import generate_reply
from ..llm.base import LlmEngine, ToolCall
from ..llm.context import Context
from ..llm.queue import LlmQueue
from ..llm.tools import ToolRegistry, ToolResult
from .chain import same_words

log = logging.getLogger(__name__)


class CommitGatedTools:
    """The registry, except that a call waits until the answer is committed."""

    def __init__(self, tools: ToolRegistry, committed: asyncio.Event) -> None:
        self._tools, self._committed = tools, committed

    def schemas(self, client_tools: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        return self._tools.schemas(client_tools)

    async def call(self, session_id: str, call: ToolCall,
                   client_tools: list[dict[str, Any]] | None = None) -> ToolResult:
        await self._committed.wait()
        return await self._tools.call(session_id, call, client_tools)


class EarlyLlmAnswer:
    """One speculative generation on a fork of the conversation's context."""

    def __init__(self, text: str, context: Context, engine: LlmEngine, queue: LlmQueue, tools: ToolRegistry | None,
                 session_id: str, bus: EventBus, client_tools: list[dict[str, Any]] | None) -> None:
        self.text = text
        self.context = context.fork()
        self.context.add("user", text)
        self.cancel = asyncio.Event()
        self._committed = asyncio.Event()
        self._deltas: asyncio.Queue[str | BaseException | None] = asyncio.Queue()
        gated = CommitGatedTools(tools, self._committed) if tools is not None else None
        self._task = asyncio.create_task(self._run(engine, queue, gated, session_id, bus, client_tools),
                                         name=f"early-llm-{session_id}")

    def matches(self, text: str) -> bool:
        return same_words(self.text, text)

    async def _run(self, engine: LlmEngine, queue: LlmQueue, tools: Any, session_id: str, bus: EventBus,
                   client_tools: list[dict[str, Any]] | None) -> None:
        try:
            async with queue.slot(session_id):
                async for delta in generate_reply(engine, self.context, tools, session_id, bus, self.cancel,
                                                  client_tools):
                    await self._deltas.put(delta)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # handed to whoever adopts the answer, as if it had happened then
            await self._deltas.put(err)
        finally:
            await self._deltas.put(None)

    async def adopt(self) -> AsyncIterator[str]:
        """The answer's text deltas, those already written first; LlmError and the like are raised here."""
        self._committed.set()
        while (delta := await self._deltas.get()) is not None:
            if isinstance(delta, BaseException):
                raise delta
            yield delta

    def abandon(self) -> None:
        """Stop the generation (between tokens) and let go of the model."""
        if not self._task.done():
            self.cancel.set()
            self._task.cancel()
            log.debug("early answer dropped")
