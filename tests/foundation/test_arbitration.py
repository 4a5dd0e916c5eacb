"""Arbitration between rooms: which room is sure not to answer while the user is still speaking."""

from __future__ import annotations

from firmware_py.arbitration import Arbiter, outranked
from firmware_py.config import ArbitrationSettings
from firmware_py.events import EventBus


def rooms(*names: str) -> tuple[EventBus, Arbiter]:
    bus = EventBus()
    arbiter = Arbiter(bus, ArbitrationSettings(window_secs=0.5))
    for name in names:
        arbiter.register_room(name, name)
    return bus, arbiter


def test_the_quieter_of_two_rooms_that_heard_the_wake_word_is_outranked() -> None:
    bus, arbiter = rooms("kitchen", "hall")
    arbiter.claim("kitchen", score=0.9, level_dbfs=-20.0)
    arbiter.claim("hall", score=0.9, level_dbfs=-38.0)
    assert outranked(bus, "hall") and not outranked(bus, "kitchen")
    arbiter.close()


def test_a_room_alone_or_without_a_wake_word_is_never_outranked() -> None:
    bus, arbiter = rooms("kitchen", "hall")
    arbiter.claim("kitchen", score=0.9, level_dbfs=-20.0)
    assert not outranked(bus, "kitchen")
    arbiter.claim("hall", level_dbfs=-38.0)   # speech started, no wake word: the same request or not, unknown yet
    assert not outranked(bus, "hall")
    arbiter.close()
    assert not outranked(EventBus(), "kitchen"), "no arbiter: no room is held back"
