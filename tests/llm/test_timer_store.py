"""Timers and alarms kept across restarts: saved at every change, brought back by the next start, those that
ended meanwhile ringing late (within the hour) or dropped; a corrupt file is put aside, never fatal."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from firmware_py.config import Settings
from firmware_py.events import EventBus, TimerFired
from firmware_py.live_config import LiveSettings
from firmware_py.llm.timer_store import TimerStore
from firmware_py.llm.timers import MISSED_RING_SECS, TimerService, timer_done_words


def saved_service(path: Path) -> TimerService:
    service = TimerService(EventBus())
    service.keep_in(TimerStore(path))
    return service


def close(service: TimerService) -> None:
    service.close()   # flushes the store's writes


def saved_pasta_timer(tmp_path: Path) -> Path:
    """A file as a run that set a 10-minute pasta timer leaves it."""
    path = tmp_path / "timers.json"
    first = saved_service(path)
    first.start(600, "pasta", "s1")
    close(first)
    return path


async def test_timers_come_back_after_a_restart_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "timers.json"
    first = saved_service(path)
    pasta = first.start(600, "pasta", "s1")
    tea = first.start(300, "tea", "s1")
    first.pause(tea.timer_id)
    later = first.start(900, "", "s2", command="turn off the porch light")
    close(first)

    second = saved_service(path)
    back = {t.timer_id: t for t in second.list()}
    assert set(back) == {pasta.timer_id, tea.timer_id, later.timer_id}
    assert back[pasta.timer_id].label == "pasta" and 595 < back[pasta.timer_id].remaining() <= 600
    assert back[tea.timer_id].paused and back[tea.timer_id].remaining() == pytest.approx(300, abs=1)
    assert back[later.timer_id].command == "turn off the porch light" and back[later.timer_id].session_id == "s2"
    newer = second.start(60, "eggs", "s1")
    assert int(newer.timer_id) > max(int(i) for i in back), "a new timer never takes a brought-back one's id"
    second.resume(tea.timer_id)
    second.cancel(pasta.timer_id)
    close(second)

    third = saved_service(path)
    assert sorted(t.label for t in third.list()) == ["", "eggs", "tea"]
    assert not [t for t in third.list() if t.paused], "resumed before the restart: running after it"
    close(third)


async def test_a_timer_set_before_the_saved_ones_come_back_keeps_its_id(tmp_path: Path) -> None:
    path = saved_pasta_timer(tmp_path)
    second = TimerService(EventBus())
    early = second.start(300, "tea", "s2")   # a client that was quicker than the start's last step
    second.keep_in(TimerStore(path))
    assert sorted(t.label for t in second.list()) == ["pasta", "tea"] and second.find(timer_id=early.timer_id) == [early]
    assert len({t.timer_id for t in second.list()}) == 2
    close(second)


async def test_one_that_ended_while_off_rings_late_and_an_old_one_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "timers.json"
    first = saved_service(path)
    first.start(60, "pasta", "s1")
    first.start(7200, "roast", "s1")
    first.start(30, "", "s1", command="turn on the heater")
    close(first)

    bus = EventBus()
    fired: list[TimerFired] = []
    bus.subscribe(fired.append, TimerFired)
    back = TimerService(bus)
    back.keep_in(TimerStore(path), now=lambda: time.time() + 600)   # the device was off for ten minutes
    await asyncio.sleep(0.05)
    late = {event.label or event.command: event.late_secs for event in fired}
    assert set(late) == {"pasta", "turn on the heater"}
    assert 535 < late["pasta"] < 545 and 565 < late["turn on the heater"] < 575
    assert [t.label for t in back.list()] == ["roast"]
    close(back)

    gone = TimerService(bus)
    fired.clear()
    gone.keep_in(TimerStore(path), now=lambda: time.time() + 7200 + MISSED_RING_SECS + 60)
    await asyncio.sleep(0.05)
    assert fired == [] and gone.list() == [], "ended over an hour ago: news to nobody"
    close(gone)


async def test_a_clock_behind_the_saved_time_counts_from_when_it_was_saved(tmp_path: Path) -> None:
    """A board with no clock of its own can start with its clock hours behind: the timer is not made longer."""
    path = saved_pasta_timer(tmp_path)
    back = TimerService(EventBus())
    back.keep_in(TimerStore(path), now=lambda: time.time() - 3 * 3600)
    assert 590 < back.list()[0].remaining() <= 600
    close(back)


async def test_a_corrupt_file_is_put_aside_and_timers_still_save(tmp_path: Path) -> None:
    path = tmp_path / "timers.json"
    for junk in (b"{not json", b'{"version": 1, "saved_at": 1, "timers": [{"label": "x"}]}', b"[]", b"\x00" * 10):
        path.write_bytes(junk)
        service = saved_service(path)
        assert service.list() == []
        assert (tmp_path / "timers.json.bad").read_bytes() == junk
        service.start(60, "pasta", "s1")
        close(service)
        assert [t["label"] for t in json.loads(path.read_text())["timers"]] == ["pasta"]


async def test_an_unwritable_directory_costs_only_the_saving(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    service = saved_service(blocker / "timers.json")   # its directory is a file: nothing can be written
    timer = service.start(60, "pasta", "s1")
    assert service.list() == [timer]
    close(service)


async def test_a_timer_rings_where_someone_can_hear_it(tmp_path: Path) -> None:
    """Set by a client that has gone (or by a session of the last run): the device's own session rings it,
    else any session still open."""
    from firmware_py.appliance import Appliance

    bus = EventBus()
    appliance = Appliance(Settings(), bus, LiveSettings(Settings(), bus))
    appliance.sessions = {"phone": object(), "local": object()}   # type: ignore[dict-item]
    appliance.local_session_id = "local"
    assert appliance._rings_on("phone") == "phone"
    assert appliance._rings_on("tablet-gone") == "local"
    appliance.sessions = {"kitchen": object()}   # type: ignore[dict-item]
    assert appliance._rings_on("tablet-gone") == "kitchen"
    appliance.sessions = {}
    assert appliance._rings_on("tablet-gone") == "tablet-gone"


def test_the_words_of_a_late_ring() -> None:
    assert timer_done_words("pasta", late_secs=720) == "Your pasta timer ended 12 minutes ago, while I was off."
    assert timer_done_words("", late_secs=30) == "Your timer is done."
    assert timer_done_words("7 AM alarm", late_secs=1200).endswith(": your 7 AM alarm, which rang while I was off.")


async def test_a_repeating_alarm_missed_long_ago_is_set_for_its_next_day(tmp_path: Path) -> None:
    path = tmp_path / "timers.json"
    first = saved_service(path)
    first.start(600, "7 AM alarm", "s1", repeat="daily")
    close(first)
    assert json.loads(path.read_text())["timers"][0]["repeat"] == "daily"
    fired: list[TimerFired] = []
    bus = EventBus()
    bus.subscribe(fired.append, TimerFired)
    back = TimerService(bus)
    back.keep_in(TimerStore(path), now=lambda: time.time() + 3 * 86400)   # off for three days
    await asyncio.sleep(0.05)
    [alarm] = back.list()
    assert fired == [] and alarm.repeat == "daily" and alarm.label == "7 AM alarm"
    close(back)


async def test_alarms_on_named_days_come_back(tmp_path: Path) -> None:
    """A weekly alarm and a one-off one five days away (beyond a timer's 24 hours) are kept; a saved repeat
    that names no day is read as ringing once."""
    path = tmp_path / "timers.json"
    first = saved_service(path)
    first.start(3 * 86400, "7 AM alarm", "s1", repeat="monday,thursday")
    first.start(5 * 86400, "9 AM alarm", "s1", dated=True)
    close(first)
    saved = json.loads(path.read_text())
    saved["timers"][1]["repeat"] = "funday"
    path.write_text(json.dumps(saved))
    back = TimerService(EventBus())
    back.keep_in(TimerStore(path))
    weekly, once = back.list()
    assert weekly.repeat == "monday,thursday" and once.repeat == "" and once.remaining() > 4 * 86400
    with pytest.raises(ValueError):
        back.start(5 * 86400, "pasta", "s1")   # a timer still lasts at most a day
    close(back)
