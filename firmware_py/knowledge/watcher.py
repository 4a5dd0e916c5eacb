"""Re-indexing while the daemon runs: the sources are checked every few seconds and changed files re-read.

Polling a handful of file stats costs microseconds and needs no inotify (which misses files replaced over
network mounts and by some editors); the re-read runs on a worker thread so the event loop never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from .library import KnowledgeBase

log = logging.getLogger("rtvi_edge.knowledge")


class SourceWatcher:
    def __init__(self, base: KnowledgeBase, interval_secs: float) -> None:
        self.base = base
        self.interval_secs = interval_secs
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching on the running event loop (no-op when already watching or disabled)."""
        if self._task is None and self.interval_secs > 0:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="knowledge-watch")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_secs)
            try:
                await asyncio.to_thread(self.base.refresh)
            except Exception:  # a failed pass is retried at the next one; the daemon goes on
                log.exception("knowledge refresh failed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
