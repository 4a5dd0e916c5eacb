"""Run blocking generation in a worker thread and consume its output as an async stream.

The worker gets `emit` (hand one item to the event loop) and `should_stop` (checked between tokens).
The consumer stops at once when `cancel` is set, even while the worker is inside a long prompt
evaluation; the worker notices at its next check and ends on its own.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor
from typing import AsyncIterator, Callable, Generic, TypeVar

T = TypeVar("T")

Work = Callable[[Callable[[T], None], Callable[[], bool]], None]


class _End:
    pass


class _Failure(Generic[T]):
    def __init__(self, error: BaseException) -> None:
        self.error = error


async def stream_from_thread(executor: Executor, work: Work[T], cancel: asyncio.Event) -> AsyncIterator[T]:
    """Items `work` emits, in order; re-raises the worker's exception; returns early when cancelled."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def put(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody listens any more
            stop.set()

    def run() -> None:
        try:
            work(put, lambda: stop.is_set() or cancel.is_set())
        except BaseException as err:  # handed to the consumer, which raises it in its own context
            put(_Failure(err))
        else:
            put(_End())

    loop.run_in_executor(executor, run)
    cancelled = asyncio.ensure_future(cancel.wait())
    try:
        while True:
            item = await _next_or_cancel(queue, cancel, cancelled)
            if item is None or isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        cancelled.cancel()


async def _next_or_cancel(queue: asyncio.Queue[object], cancel: asyncio.Event,
                          cancelled: asyncio.Future[object]) -> object | None:
    if cancel.is_set():
        return None
    if not queue.empty():
        return queue.get_nowait()
    getter = asyncio.ensure_future(queue.get())
    done, _ = await asyncio.wait({getter, cancelled}, return_when=asyncio.FIRST_COMPLETED)
    if getter in done:
        return getter.result()
    getter.cancel()
    return None
