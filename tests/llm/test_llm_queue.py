from __future__ import annotations

import asyncio

import pytest

from firmware_py.events import EventBus, LlmQueued
from firmware_py.llm.queue import LlmQueue

from .conftest import Recorder


async def hold(queue: LlmQueue, session: str, log: list[str], release: asyncio.Event) -> None:
    async with queue.slot(session):
        log.append(f"start {session}")
        await release.wait()
        log.append(f"end {session}")


def positions(recorder: Recorder) -> list[tuple[str, int]]:
    return [(e.session_id, e.position) for e in recorder.of(LlmQueued)]


async def test_free_slot_is_taken_without_events(bus: EventBus, recorder: Recorder) -> None:
    queue = LlmQueue(bus)
    async with queue.slot("a"):
        pass
    async with queue.slot("a"):
        pass
    assert recorder.events == []


async def test_one_generation_at_a_time_in_arrival_order(bus: EventBus, recorder: Recorder) -> None:
    queue = LlmQueue(bus)
    log: list[str] = []
    gates = {name: asyncio.Event() for name in "abc"}
    tasks = {}
    for name in "abc":
        tasks[name] = asyncio.create_task(hold(queue, name, log, gates[name]))
        await asyncio.sleep(0)
    await asyncio.sleep(0.01)
    assert log == ["start a"] and queue.waiting == 2
    assert positions(recorder) == [("b", 1), ("c", 2)]
    for name in "abc":
        gates[name].set()
        await tasks[name]
    assert log == ["start a", "end a", "start b", "end b", "start c", "end c"]
    # b is told it is starting (0) and c moves up to 1; then c starts
    assert positions(recorder)[2:] == [("b", 0), ("c", 1), ("c", 0)]


async def test_a_session_asking_again_goes_to_the_back(bus: EventBus) -> None:
    queue = LlmQueue(bus)
    order: list[str] = []

    async def speaker(name: str, rounds: int) -> None:
        for _ in range(rounds):
            async with queue.slot(name):
                order.append(name)
                await asyncio.sleep(0.005)

    await asyncio.gather(speaker("a", 3), speaker("b", 3))
    assert order == ["a", "b", "a", "b", "a", "b"]


async def test_cancelled_waiter_leaves_the_line(bus: EventBus, recorder: Recorder) -> None:
    queue = LlmQueue(bus)
    log: list[str] = []
    gate = asyncio.Event()
    first = asyncio.create_task(hold(queue, "a", log, gate))
    await asyncio.sleep(0)
    second = asyncio.create_task(hold(queue, "b", log, gate))
    third = asyncio.create_task(hold(queue, "c", log, gate))
    await asyncio.sleep(0.01)
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    assert queue.waiting == 1 and positions(recorder)[-1] == ("c", 1)
    gate.set()
    await asyncio.gather(first, third)
    assert log == ["start a", "end a", "start c", "end c"]
    async with queue.slot("d"):  # the queue is free again
        pass


async def test_slot_is_released_when_the_generation_fails(bus: EventBus) -> None:
    queue = LlmQueue(bus)
    with pytest.raises(RuntimeError):
        async with queue.slot("a"):
            raise RuntimeError("model failed")
    await asyncio.wait_for(_enter(queue), 1)


async def _enter(queue: LlmQueue) -> None:
    async with queue.slot("b"):
        pass


async def test_waiter_cancelled_as_it_is_handed_the_slot_passes_it_on(bus: EventBus) -> None:
    queue = LlmQueue(bus)
    log: list[str] = []
    gate = asyncio.Event()

    async def first_then_cancel_second() -> None:
        async with queue.slot("a"):
            await gate.wait()
        second.cancel()  # same tick as the hand-over: b owns the slot but has not run yet

    first = asyncio.create_task(first_then_cancel_second())
    await asyncio.sleep(0)
    second = asyncio.create_task(hold(queue, "b", log, asyncio.Event()))
    await asyncio.sleep(0.01)
    gate.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    assert log == []
    await asyncio.wait_for(_enter(queue), 1)


async def test_parallel_slots_run_that_many_at_once_then_queue(bus: EventBus, recorder: Recorder) -> None:
    queue = LlmQueue(bus, slots=2)
    log: list[str] = []
    gates = {name: asyncio.Event() for name in "abc"}
    tasks = [asyncio.create_task(hold(queue, name, log, gates[name])) for name in "abc"]
    await asyncio.sleep(0.01)
    assert log == ["start a", "start b"] and queue.running == 2 and queue.waiting == 1
    assert positions(recorder) == [("c", 1)]
    gates["b"].set()
    await asyncio.sleep(0.01)
    assert log[-2:] == ["end b", "start c"] and queue.running == 2
    for gate in gates.values():
        gate.set()
    await asyncio.gather(*tasks)
    assert queue.running == 0 and queue.waiting == 0


def test_only_a_remote_backend_gets_parallel_slots() -> None:
    from firmware_py.config import LlmSettings
    from firmware_py.llm.queue import parallel_slots

    assert parallel_slots(LlmSettings(backend="remote", remote_url="http://x/v1", parallel=4)) == 4
    assert parallel_slots(LlmSettings(backend="local", parallel=4)) == 1
