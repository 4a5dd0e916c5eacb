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
    # A set `cancel` drops an end marker into the queue, so the loop below needs one plain `get` per item.
    cancelled = asyncio.ensure_future(cancel.wait())
    cancelled.add_done_callback(lambda _f: queue.put_nowait(_End()))
    try:
        while not cancel.is_set():
            item = await queue.get()
            if isinstance(item, _End) or cancel.is_set():
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        cancelled.cancel()
