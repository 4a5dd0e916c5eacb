"""Alarms and commands at a time of day: the clock's words read, the next such moment found, the sentences
matched only where they plainly ask for it, and the alarm run as a timer that ends then."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from firmware_py.events import EventBus
from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.llm.builtin_tools import JUST_SET_SECS, BuiltinHandlers, next_time_of_day
from firmware_py.llm.timers import TimerService, timer_done_words, timer_name
from firmware_py.llm.weekdays import day_said, is_repeat, next_repeat, repeat_of, repeat_words
from firmware_py.respond.alarms import ClockTime, clock_time
from firmware_py.respond.intents import IntentResponder, create_intent_responder


class SpeakerControls:
    """A device without a speaker: alarms need none."""

    def get_volume(self) -> float:
        return 0.5

    def set_volume(self, value: float) -> None: ...

    def set_muted(self, muted: bool) -> None: ...

HOUSE = [{"name": "porch light", "area": "porch", "kind": "switch", "command_topic": "h/porch"}]


@pytest.mark.parametrize(("words", "expected"), [
    ("7", ClockTime(7, 0)),
    ("7 am", ClockTime(7, 0, "am")),
    ("7 a.m.", ClockTime(7, 0, "am")),
    ("7am", ClockTime(7, 0, "am")),
    ("630", ClockTime(6, 30)),
    ("6.30 p.m.", ClockTime(6, 30, "pm")),
    ("7:30 pm", ClockTime(7, 30, "pm")),
    ("19:05", ClockTime(19, 5)),
    ("seven", ClockTime(7, 0)),
    ("seven thirty", ClockTime(7, 30)),
    ("six oh five", ClockTime(6, 5)),
    ("eleven forty-five", ClockTime(11, 45)),
    ("five-fourty-five", ClockTime(5, 45)),   # as the recogniser spelt it (seed 661)
    ("five-four-five", ClockTime(5, 45)),   # the minutes' digits said one by one (seed 1051), as "630" is written
    ("six three oh", ClockTime(6, 30)),
    ("seven nine five", None),   # no minute of the hour
    ("seven o'clock", ClockTime(7, 0)),
    ("half past six", ClockTime(6, 30)),
    ("half six", ClockTime(6, 30)),   # as said in Britain
    ("half 7 in the evening", ClockTime(7, 30, "pm")),
    ("half an hour", None),
    ("quarter to eight", ClockTime(7, 45)),
    ("ten to twelve", ClockTime(11, 50)),
    ("twenty past nine in the evening", ClockTime(9, 20, "pm")),
    ("six in the morning", ClockTime(6, 0, "am")),
    ("noon", ClockTime(12, 0, "pm")),
    ("midnight", ClockTime(0, 0)),
    ("tomorrow at 6", ClockTime(6, 0, "", True)),
    ("6 tomorrow morning", ClockTime(6, 0, "am", True)),
    ("ten minutes", None),
    ("the meeting", None),
    ("25", None),
    ("13 pm", None),
])
def test_the_clocks_words_are_read(words: str, expected: ClockTime | None) -> None:
    assert clock_time(words) == expected


NIGHT = dt.datetime(2026, 12, 4, 23, 10, tzinfo=dt.timezone.utc)
MORNING = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(("now", "args", "expected"), [
    (NIGHT, (7, 0, "", False), dt.datetime(2026, 12, 5, 7, 0)),        # "7" at night: the morning's
    (MORNING, (7, 0, "", False), dt.datetime(2026, 12, 5, 19, 0)),     # "7" after 7 am: the evening's
    (MORNING, (7, 0, "am", False), dt.datetime(2026, 12, 6, 7, 0)),    # 7 am gone today: tomorrow's
    (MORNING, (19, 30, "", False), dt.datetime(2026, 12, 5, 19, 30)),
    (NIGHT, (12, 0, "", False), dt.datetime(2026, 12, 5, 0, 0)),       # "12" at night: midnight
    (MORNING, (9, 0, "", True), dt.datetime(2026, 12, 6, 9, 0)),       # "tomorrow at 9": not tonight's
    (dt.datetime(2026, 12, 5, 0, 30, tzinfo=dt.timezone.utc), (7, 0, "", True),
     dt.datetime(2026, 12, 5, 7, 0)),                                    # "tomorrow" at 00:30: this morning
])
def test_the_next_such_moment(now: dt.datetime, args: tuple[int, int, str, bool], expected: dt.datetime) -> None:
    assert next_time_of_day(now, *args) == expected.replace(tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def intents() -> IntentResponder:
    responder = create_intent_responder("en", DeviceDirectory(parse_devices(HOUSE)), ())
    responder.warm_up()
    return responder


async def calls(intents: IntentResponder, text: str) -> list[tuple[str, dict[str, Any]]] | None:
    answer = await intents.match(text, "s")
    return None if answer is None else [(call.name, call.arguments) for call in answer.actions]


@pytest.mark.parametrize(("text", "expected"), [
    ("Set an alarm for 7 am.", {"hour": 7, "minute": 0, "meridiem": "am"}),
    ("Can you set an alarm for half past six please?", {"hour": 6, "minute": 30}),
    ("Set a 6:45 alarm.", {"hour": 6, "minute": 45}),
    ("Set the alarm to 7:15.", {"hour": 7, "minute": 15}),
    ("Set in alarm for six thirty.", {"hour": 6, "minute": 30}),   # seed 359: "an" written "in"
    ("I need to get up at 6.", {"hour": 6, "minute": 0, "command": "wake me up"}),
    ("Set a timer for 7 am.", {"hour": 7, "minute": 0, "meridiem": "am"}),
    ("Wake me up at 7 tomorrow.", {"hour": 7, "minute": 0, "tomorrow": True, "command": "wake me up"}),
    ("Remind me to call mom at 5 pm.", {"hour": 5, "minute": 0, "meridiem": "pm", "command": "Remind me to call mom"}),
    ("Remind me at 5 pm to call mom.", {"hour": 5, "minute": 0, "meridiem": "pm", "command": "remind me to call mom"}),
    ("Turn off the porch light at 11.", {"hour": 11, "minute": 0, "command": "Turn off the porch light"}),
    ("Um set an alarm for five forty five.", {"hour": 5, "minute": 45}),   # seed 347: the filler kept it the LLM's
    ("Said an alarm for noon, please.", {"hour": 12, "minute": 0, "meridiem": "pm"}),   # seed 353: "set" heard "said"
    ("Said Anne. Said an alarm for noon, please.", {"hour": 12, "minute": 0, "meridiem": "pm"}),   # begun again
    ("Set an, set an alarm for noon, please.", {"hour": 12, "minute": 0, "meridiem": "pm"}),
    ("Seddon set an alarm for half-past six.", {"hour": 6, "minute": 30}),   # seed 739: that false start run together
    ("wake me up at At nine fifteen", {"hour": 9, "minute": 15, "command": "wake me up"}),   # a reply put in its frame
    ("Set on alarm for seven.", {"hour": 7, "minute": 0}),   # seed 523: "an" heard "on"
    ("Add an alarm for quarter to eight on Sunday, please.", {"hour": 7, "minute": 45, "day": "sunday"}),   # seed 839
    ("Set an alarm for nine, fifteen on Sunday, please.", {"hour": 9, "minute": 15, "day": "sunday"}),   # a pause
    # seed 877: "please" heard "police", "wake" in the past
    ("Police waked me up at quarter to 8 on Friday.", {"hour": 7, "minute": 45, "day": "friday", "command": "wake me up"}),
    ("Police set an alarm for seven.", {"hour": 7, "minute": 0}),
])
async def test_alarms_and_commands_at_a_time_of_day(intents: IntentResponder, text: str,
                                                    expected: dict[str, Any]) -> None:
    assert await calls(intents, text) == [("set_alarm", expected)]


async def test_a_command_at_a_time_no_clock_gives_is_asked_about_never_run_now(intents: IntentResponder) -> None:
    answer = await intents.match("Turn on the porch light at sunset.", "s")
    assert answer is not None and not answer.actions and answer.frame == "Turn on the porch light at {reply}"


@pytest.mark.parametrize(("text", "frame"), [
    ("Please wake me up.", "wake me up at {reply}"),   # seed 347: "Please wake me up. | At nine fifteen."
    ("Set an alarm.", "set an alarm for {reply}"),
    ("Said an alarm for.", "set an alarm for {reply}"),   # cut by a pause, its verb heard wrong (seed 367: "Saith")
    ("Wake me up at the San Bernard in the morning.", "wake me up at {reply}"),   # seed 349: the time heard wrong
    # seed 1049 (both went to the LLM: "I'm sorry for your loss."): "an" heard "and" with the "a" run into the verb;
    # a false start ended with a question mark
    ("Sets and alarm for San Francisco. In the morning on Sunday, please.", "set an alarm for {reply}"),
    ("Can you? Can you set an alarm for several in the morning and refuse me?", "set an alarm for {reply}"),
])
async def test_an_alarm_without_its_time_asks_for_it(intents: IntentResponder, text: str, frame: str) -> None:
    answer = await intents.match(text, "s")
    assert answer is not None and answer.text == "For what time?" and answer.frame == frame and not answer.actions


@pytest.mark.parametrize(("text", "expected"), [
    ("Set an alarm for 10 minutes.", [("set_timer", {"seconds": 600})]),   # a length: a timer, as before
    ("Cancel the alarm.", [("cancel_timer", {"label": "alarm"})]),          # the alarm, not whichever timer
    ("Cancel all my alarms.", [("cancel_timer", {"label": "alarm", "all": True})]),
    ("Turn the alarm off.", [("cancel_timer", {"label": "alarm"})]),
    ("What time is my alarm set for?", [("list_alarms", {})]),
    ("Do I have any alarms set?", [("list_alarms", {})]),
    ("What reminders do I have?", [("list_alarms", {"kind": "reminder"})]),
    ("Do I have any reminders?", [("list_alarms", {"kind": "reminder"})]),
    ("Set the volume at 50.", [("set_volume", {"percent": 50})]),          # no command before "at": the library's
    ("Set a timer for 7.", []),                                            # 7 what? asked: no plain time of day
    ("What's on TV at 8?", None),                                          # a question
    ("Dinner at 7.", None),                                                # nothing to do
])
async def test_no_alarm_where_none_is_plainly_asked_for(intents: IntentResponder, text: str, expected: Any) -> None:
    assert await calls(intents, text) == expected


async def test_an_alarm_is_a_timer_that_ends_at_that_time() -> None:
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls(), now=lambda: NIGHT)
    alarm = handlers.set_alarm({"hour": 7, "minute": 0}, "s1")
    assert alarm["seconds"] == 7 * 3600 + 50 * 60 and alarm["at"] == "2026-12-05T07:00+00:00"
    assert alarm["summary"] == "The alarm is set for 7:00 AM tomorrow, 7 hours 50 minutes from now."
    woken = handlers.set_alarm({"hour": 23, "minute": 40, "command": "Wake me up"}, "s1")
    assert woken["summary"] == "I'll wake you up at 11:40 PM." and woken["seconds"] == 30 * 60
    later = handlers.set_alarm({"hour": 23, "minute": 30, "command": "turn off my lamp"}, "s1")
    assert later["summary"] == "I'll turn off your lamp at 11:30 PM."
    assert [timer_name(t) for t in timers.list()] == ["The timer to turn off your lamp", "The 11:40 PM alarm",
                                                      "The 7 AM alarm"]
    assert len(handlers.timers.find(label="alarm")) == 2   # "cancel the alarm" means these, never the lamp's
    assert [t.label for t in handlers.timers.find(label="7 am")] == ["7 AM alarm"]   # "cancel the 7 am alarm"
    assert handlers.cancel_timer({"label": "alarm", "all": True}, "s1")["cancelled"] == 2
    assert [timer_name(t) for t in timers.list()] == ["The timer to turn off your lamp"]
    timers.close()


def test_an_alarm_rings_with_the_time() -> None:
    rung = timer_done_words("7 AM alarm")
    assert rung.startswith("It's ") and rung.endswith(": your alarm.")
    assert timer_done_words("pasta") == "Your pasta timer is done." and timer_done_words("") == "Your timer is done."


@pytest.mark.parametrize(("text", "expected"), [
    ("Set an alarm for 7 am every weekday.", {"hour": 7, "minute": 0, "meridiem": "am", "repeat": "weekdays"}),
    ("Wake me up at 6:30 every day.", {"hour": 6, "minute": 30, "command": "wake me up", "repeat": "daily"}),
    ("Wake me up every morning at 7.", {"hour": 7, "minute": 0, "meridiem": "am", "command": "wake me up",
                                        "repeat": "daily"}),
    ("Set an alarm for 9 on weekends.", {"hour": 9, "minute": 0, "repeat": "weekends"}),
    ("Every weekday, wake me up at 6:45 please.", {"hour": 6, "minute": 45, "command": "wake me up",
                                                   "repeat": "weekdays"}),
    # seed 1153: "wake" heard "wait", twice
    ("Please wait me up at 6:30 every day.", {"hour": 6, "minute": 30, "command": "wake me up", "repeat": "daily"}),
])
async def test_an_alarm_said_to_repeat_repeats(intents: IntentResponder, text: str, expected: dict[str, Any]) -> None:
    """It was asked "For what time?": the repeat's words were read as part of the time."""
    assert await calls(intents, text) == [("set_alarm", expected)]


FRIDAY_EVENING = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.timezone.utc)   # a Friday


async def test_a_weekday_alarm_set_on_friday_first_rings_on_monday() -> None:
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls(), now=lambda: FRIDAY_EVENING)
    alarm = handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "repeat": "weekdays"}, "s1")
    assert alarm["at"] == "2026-12-07T07:00+00:00" and alarm["seconds"] == (2 * 24 + 11) * 3600
    assert alarm["summary"] == "The alarm is set for 7 AM every weekday; the first is Monday at 7:00 AM."
    daily = handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "repeat": "daily"}, "s1")
    assert daily["summary"] == "The alarm is set for 7 AM every day; the first is tomorrow at 7:00 AM."
    listed = handlers.list_timers({}, "s1")["summary"]
    assert "The 7 AM alarm (every day) has 11 hours left." in listed and "(every weekday)" in listed
    timers.close()


def test_a_repeating_alarm_rings_next_on_its_next_day() -> None:
    friday_seven = dt.datetime(2026, 12, 4, 7, 0).timestamp()   # local time, as the alarm is set
    monday = dt.datetime.fromtimestamp(next_repeat(friday_seven, "weekdays", after=friday_seven))
    assert (monday.weekday(), monday.hour, monday.minute) == (0, 7, 0)
    saturday = dt.datetime.fromtimestamp(next_repeat(friday_seven + 20, "daily", after=friday_seven + 20))
    assert (saturday.day, saturday.hour, saturday.minute) == (5, 7, 0), "rung a little late: still 7:00"
    sunday = dt.datetime.fromtimestamp(next_repeat(friday_seven, "weekends", after=friday_seven + 86400 + 60))
    assert (sunday.weekday(), sunday.hour) == (6, 7)


async def test_a_repeating_alarm_is_set_again_when_it_rings() -> None:
    bus = EventBus()
    fired: list[Any] = []
    bus.subscribe(fired.append)
    timers = TimerService(bus)
    timers.start(0.05, "7 AM alarm", "s1", repeat="weekdays")
    await asyncio.sleep(0.2)
    assert [event.label for event in fired if getattr(event, "kind", "") == "timer-fired"] == ["7 AM alarm"]
    [again] = timers.list()
    assert again.label == "7 AM alarm" and again.repeat == "weekdays" and 20 * 3600 < again.remaining() < 74 * 3600
    timers.cancel(again.timer_id)   # "cancel the alarm": no more rings
    assert timers.list() == []
    timers.close()


@pytest.mark.parametrize(("text", "said"), [("Turn on the porch light at 7 every day.", "every day"),
                                            ("Turn on the porch light every Friday at 7.", "every Friday")])
async def test_a_request_said_to_repeat_that_is_no_alarm_is_not_done_once_silently(intents: IntentResponder,
                                                                                   text: str, said: str) -> None:
    answer = await intents.match(text, "s")
    assert answer is not None and not answer.actions and "repeat alarms and reminders" in answer.text
    assert f'without "{said}"' in answer.text


@pytest.mark.parametrize(("text", "expected"), [
    ("Set an alarm for 7 am every Tuesday.", {"hour": 7, "minute": 0, "meridiem": "am", "repeat": "tuesday"}),
    ("Set an alarm for 7 am on Tuesdays.", {"hour": 7, "minute": 0, "meridiem": "am", "repeat": "tuesday"}),
    ("Wake me up at 6 on Mondays and Wednesdays.", {"hour": 6, "minute": 0, "command": "wake me up",
                                                    "repeat": "monday,wednesday"}),
    ("Wake me up at 6:30 every Monday, Wednesday and Friday.", {"hour": 6, "minute": 30, "command": "wake me up",
                                                               "repeat": "monday,wednesday,friday"}),
    ("Set an alarm for 8 every Saturday and Sunday.", {"hour": 8, "minute": 0, "repeat": "weekends"}),
    # "Mondays and" written as a possessive before the next day (seed 701)
    ("Set in alarm for 10 at night on Monday's Thursdays.", {"hour": 10, "minute": 0, "meridiem": "pm",
                                                             "repeat": "monday,thursday"}),
    ("Every Thursday morning, wake me up at 6:45.", {"hour": 6, "minute": 45, "meridiem": "am",
                                                     "command": "wake me up", "repeat": "thursday"}),
    ("Wake me up every weekday morning at 6.", {"hour": 6, "minute": 0, "meridiem": "am", "command": "wake me up",
                                                "repeat": "weekdays"}),
    ("Set an alarm for 7 am on Tuesday.", {"hour": 7, "minute": 0, "meridiem": "am", "day": "tuesday"}),
    ("Set an alarm for Tuesday at 7 am.", {"hour": 7, "minute": 0, "meridiem": "am", "day": "tuesday"}),
    ("Set an alarm for 9 on Saturday morning.", {"hour": 9, "minute": 0, "meridiem": "am", "day": "saturday"}),
    ("Wake me up next Monday at 6.", {"hour": 6, "minute": 0, "command": "wake me up", "day": "monday"}),
    ("Set an alarm for 5 pm today.", {"hour": 5, "minute": 0, "meridiem": "pm"}),
    ("Remind me to call mom on Friday at 5 pm.", {"hour": 5, "minute": 0, "meridiem": "pm",
                                                  "command": "Remind me to call mom", "day": "friday"}),
    ("Remind me to take out the trash every Tuesday at 7 pm.", {"hour": 7, "minute": 0, "meridiem": "pm",
                                                                "command": "Remind me to take out the trash",
                                                                "repeat": "tuesday"}),
    ("Turn on the porch light on Friday at 7.", {"hour": 7, "minute": 0, "command": "Turn on the porch light",
                                                 "day": "friday"}),
    # a day that is the reminder's own words stays in them
    ("Remind me to buy tickets for Friday at 5 pm.", {"hour": 5, "minute": 0, "meridiem": "pm",
                                                      "command": "Remind me to buy tickets for Friday"}),
    ("Remind me about Friday's party at 5 pm.", {"hour": 5, "minute": 0, "meridiem": "pm",
                                                 "command": "Remind me about Friday's party"}),
])
async def test_an_alarm_for_named_days(intents: IntentResponder, text: str, expected: dict[str, Any]) -> None:
    """Any named day was asked "For what time?", and "Remind me to call mom on Friday at 5 pm" was set for today."""
    assert await calls(intents, text) == [("set_alarm", expected)]


async def test_an_alarm_on_a_named_day_rings_that_day() -> None:
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls(), now=lambda: FRIDAY_EVENING)
    tuesday = handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "day": "tuesday"}, "s1")
    assert tuesday["at"] == "2026-12-08T07:00+00:00" and tuesday["summary"] == "The alarm is set for Tuesday at 7:00 AM."
    tonight = handlers.set_alarm({"hour": 9, "minute": 0, "meridiem": "pm", "day": "friday"}, "s1")
    assert tonight["at"] == "2026-12-04T21:00+00:00", "said on a Friday before 9 pm: today"
    next_week = handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "day": "friday"}, "s1")
    assert next_week["at"] == "2026-12-11T07:00+00:00", "Friday's 7 am has passed: next Friday"
    weekly = handlers.set_alarm({"hour": 6, "minute": 30, "command": "remind me to put the bins out",
                                 "repeat": "monday,thursday"}, "s1")
    assert weekly["at"] == "2026-12-07T06:30+00:00"
    assert weekly["summary"] == ("I'll remind you to put the bins out at 6:30 AM every Monday and Thursday; the first is "
                                 "Monday at 6:30 AM.")
    listed = handlers.list_timers({}, "s1")["summary"]
    assert "The 7 AM alarm rings Tuesday at 7:00 AM." in listed
    assert "(every Monday and Thursday) rings Monday at 6:30 AM." in listed
    with pytest.raises(ValueError):
        handlers.set_alarm({"hour": 7, "minute": 0, "repeat": "funday"}, "s1")
    timers.close()


def test_named_days_repeat_on_those_days_only() -> None:
    tuesday_seven = dt.datetime(2026, 12, 8, 7, 0).timestamp()
    following = dt.datetime.fromtimestamp(next_repeat(tuesday_seven, "tuesday", after=tuesday_seven))
    assert (following.month, following.day, following.hour) == (12, 15, 7)
    thursday = dt.datetime.fromtimestamp(next_repeat(tuesday_seven, "tuesday,thursday", after=tuesday_seven))
    assert (thursday.day, thursday.weekday()) == (10, 3)
    assert repeat_of({5, 6}) == "weekends" and repeat_of({0, 1, 2, 3, 4}) == "weekdays" and repeat_of({4, 0}) == "monday,friday"
    assert repeat_words("monday,wednesday,friday") == "every Monday, Wednesday and Friday"
    assert repeat_words("weekends") == "every weekend" and repeat_words("sunday") == "every Sunday"
    assert not is_repeat("funday") and not is_repeat("") and not is_repeat("monday,,friday")


async def test_a_repeating_reminder_is_said_and_set_again() -> None:
    bus = EventBus()
    fired: list[Any] = []
    bus.subscribe(fired.append)
    timers = TimerService(bus)
    timers.start(0.05, "", "s1", command="remind me to water the plants", repeat="sunday")
    await asyncio.sleep(0.2)
    assert [event.command for event in fired if getattr(event, "kind", "") == "timer-fired"] == \
        ["remind me to water the plants"]
    [again] = timers.list()
    assert again.repeat == "sunday" and again.command == "remind me to water the plants"
    assert 0 < again.remaining() <= 7 * 24 * 3600 + 60
    timers.close()


async def test_alarms_are_told_apart_and_picked_by_their_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two 7 AM alarms, on Tuesday and on Friday, were both "The 7 AM alarm", and "Cancel the Tuesday alarm" found
    no timer called "Tuesday"."""
    import time
    import types

    from firmware_py.llm import timers as timers_module

    friday = dt.datetime(2026, 12, 4, 20, 0).astimezone()   # local time, as the device keeps it
    monkeypatch.setattr(timers_module, "time", types.SimpleNamespace(monotonic=time.monotonic,
                                                                     time=lambda: friday.timestamp()))
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls(), now=lambda: friday)
    handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "day": "tuesday"}, "s1")
    handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "day": "friday"}, "s1")
    handlers.set_alarm({"hour": 6, "minute": 0, "meridiem": "am", "repeat": "weekdays"}, "s1")
    handlers.set_timer({"minutes": 10, "label": "pasta"}, "s1")
    with pytest.raises(ValueError, match="The 7 AM alarm on Tuesday, The 7 AM alarm on Friday"):
        handlers.cancel_timer({"label": "7 am"}, "s1")
    assert [t.label for t in timers.find(label="weekday")] == ["6 AM alarm"], "the weekday alarm, not the pasta timer"
    assert [t.label for t in timers.find(label="Mondays")] == ["6 AM alarm"], "it rings on Mondays too"
    assert [round(t.remaining() / 3600) for t in timers.find(label="Tuesday's")] == [83], \
        "the one for Tuesday, before the weekday one that rings on Tuesday too"
    assert timers.find(label="the weekend") == []
    cancelled = handlers.cancel_timer({"label": "Tuesday"}, "s1")
    assert cancelled["label"] == "7 AM alarm"
    left = [(t.label, round(t.remaining() / 3600)) for t in timers.list()]
    assert left == [("pasta", 0), ("6 AM alarm", 58), ("7 AM alarm", 155)], "the Friday one is left"
    assert [t.label for t in timers.find(label="sunday roast")] == []
    timers.close()


async def test_reminders_and_alarms_for_days_are_cancelled_by_what_was_said(intents: IntentResponder) -> None:
    """ "Cancel my Tuesday reminder" and "Cancel the reminder to call mom" went to the LLM, which cannot cancel."""
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())

    async def run(text: str) -> str:
        answer = await intents.match(text, "s")
        assert answer is not None and len(answer.actions) == 1, text
        call = answer.actions[0]
        return str(getattr(handlers, call.name)(call.arguments, "s1")["summary"])

    await run("Remind me to take out the trash every Tuesday at 7 pm.")
    await run("Remind me to call mom on Friday at 5 pm.")
    await run("Set an alarm for 7 am on Mondays and Thursdays.")
    await run("Set an alarm for 6 am every day.")
    assert await run("Cancel the alarm on Mondays and Thursdays.") == "The 7 AM alarm is cancelled."
    assert await run("Cancel my Tuesday reminder.") == "The reminder to take out the trash is cancelled."
    assert await run("Don't remind me to call mom.") == "The reminder to call mom is cancelled."
    assert [timer_name(t) for t in timers.list()] == ["The 6 AM alarm"]
    timers.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("Remind me every morning at 8 to take my pills.", ("set_alarm", {
        "hour": 8, "minute": 0, "meridiem": "am", "command": "remind me to take my pills", "repeat": "daily"})),
    ("Remind me every evening at 9 to lock the door.", ("set_alarm", {
        "hour": 9, "minute": 0, "meridiem": "pm", "command": "remind me to lock the door", "repeat": "daily"})),
    ("Remind me every night at 11 to lock the door.", ("set_alarm", {
        "hour": 11, "minute": 0, "meridiem": "pm", "command": "remind me to lock the door", "repeat": "daily"})),
    ("Set an alarm for 2 every night.", ("set_alarm", {"hour": 2, "minute": 0, "meridiem": "am", "repeat": "daily"})),
    ("Set a reminder for 5 pm to call mom.", ("set_alarm", {
        "hour": 5, "minute": 0, "meridiem": "pm", "command": "remind me to call mom"})),
    ("When is my next alarm?", ("list_alarms", {})),
    ("How long until my alarm?", ("list_alarms", {})),
    ("Change my alarm to 7:30.", ("set_alarm", {"hour": 7, "minute": 30, "move": True})),
    ("Put an alarm for 7 am.", ("set_alarm", {"hour": 7, "minute": 0, "meridiem": "am"})),   # a new one
    ("Change the 6:30 alarm to 7:30.", ("set_alarm", {"hour": 7, "minute": 30, "move": True, "label": "6:30"})),
    ("Change my daily alarm to 6:50.", ("set_alarm", {"hour": 6, "minute": 50, "move": True, "label": "daily alarm"})),
    ("Push my alarm back to 7:15.", ("set_alarm", {"hour": 7, "minute": 15, "move": True})),
    ("Push back my alarm to 8.", ("set_alarm", {"hour": 8, "minute": 0, "move": True})),
    ("Set my alarm to 7:15 instead.", ("set_alarm", {"hour": 7, "minute": 15, "move": True})),
])
async def test_more_ways_to_set_ask_about_and_move_alarms(intents: IntentResponder, text: str,
                                                          expected: tuple[str, dict[str, Any]]) -> None:
    """The morning said with the days was put after the reminder's words ("... take my pills in the morning") and
    8 was read as the next 8, 8 pm in the evening; the others went to the LLM, which cannot do them."""
    assert await calls(intents, text) == [expected]


async def test_an_alarm_for_tomorrow_may_be_more_than_a_day_away_and_is_moved_on_its_day() -> None:
    """ "Set an alarm for 6:30 tomorrow" said at 6:15 was refused: a timer lasts at most 24 hours."""
    early = dt.datetime(2026, 12, 5, 6, 15).astimezone()   # a Saturday
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls(), now=lambda: early)
    handlers.set_alarm({"hour": 6, "minute": 30, "meridiem": "am", "tomorrow": True}, "s1")
    moved = handlers.set_alarm({"hour": 7, "minute": 30, "move": True}, "s1")
    assert moved["at"].startswith("2026-12-06T07:30"), "tomorrow's alarm stays tomorrow's"
    assert moved["summary"].startswith("The alarm is moved to 7:30 AM tomorrow")
    handlers.set_alarm({"hour": 7, "minute": 0, "command": "wake me up", "repeat": "daily"}, "s1")
    for timer in timers.list():
        timer.set_at -= JUST_SET_SECS + 1   # neither set just now
    with pytest.raises(ValueError, match="several alarms are set"):
        handlers.set_alarm({"hour": 6, "minute": 45, "move": True}, "s1")
    again = handlers.set_alarm({"hour": 6, "minute": 50, "move": True, "label": "daily alarm"}, "s1")
    assert again["summary"] == "I'll wake you up at 6:50 AM every day; the first is today at 6:50 AM."
    assert sorted((t.label, t.repeat) for t in timers.list()) == [("6:50 AM alarm", "daily"), ("7:30 AM alarm", "")]
    timers.close()


async def test_asked_for_alarms_or_reminders_it_lists_those_alone() -> None:
    """ "What alarms do I have?" listed every timer, the pasta timer and the reminders among them."""
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    assert handlers.list_alarms({}, "s1")["summary"] == "No alarms are set."
    handlers.set_timer({"minutes": 10, "label": "pasta"}, "s1")
    handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "repeat": "weekdays"}, "s1")
    handlers.set_alarm({"hour": 5, "minute": 0, "meridiem": "pm", "command": "remind me to call mom"}, "s1")
    alarms = handlers.list_alarms({}, "s1")["summary"]
    assert alarms.startswith("The 7 AM alarm (every weekday)") and "pasta" not in alarms and "mom" not in alarms
    reminders = handlers.list_alarms({"kind": "reminder"}, "s1")["summary"]
    assert reminders.startswith("The reminder to call mom has") and "alarm" not in reminders
    timers.close()


async def test_an_hour_without_am_or_pm_on_another_day_is_the_earlier_one_whenever_it_is_said() -> None:
    """Said at 8 am, "every day at 6:30" was 6:30 pm and "on Friday at 7" 7 pm: the next 6:30 or 7 to come
    today was moved to the day. "Change my alarm to 7:30", for tomorrow's 6:30 am alarm said at 7:34, was
    7:30 pm tomorrow."""
    morning = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.timezone.utc)   # a Saturday
    handlers = BuiltinHandlers(TimerService(EventBus()), SpeakerControls(), now=lambda: morning)
    assert handlers.set_alarm({"hour": 6, "minute": 30, "repeat": "daily"}, "s1")["at"] == "2026-12-06T06:30+00:00"
    assert handlers.set_alarm({"hour": 7, "minute": 0, "day": "friday"}, "s1")["at"] == "2026-12-11T07:00+00:00"
    assert handlers.set_alarm({"hour": 9, "minute": 0, "day": "saturday"}, "s1")["at"] == "2026-12-05T09:00+00:00"
    assert handlers.set_alarm({"hour": 7, "minute": 0, "day": "saturday"}, "s1")["at"] == "2026-12-05T19:00+00:00", \
        "only the later 7 is still ahead today"
    assert handlers.set_alarm({"hour": 12, "minute": 0, "repeat": "weekends"}, "s1")["at"] == "2026-12-05T12:00+00:00", \
        "12 is noon"
    handlers.timers.close()
    early = dt.datetime(2026, 12, 5, 7, 34).astimezone()
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls(), now=lambda: early)
    handlers.set_alarm({"hour": 6, "minute": 30, "meridiem": "am", "tomorrow": True}, "s1")
    assert handlers.set_alarm({"hour": 7, "minute": 30, "move": True}, "s1")["at"].startswith("2026-12-06T07:30")
    timers.close()


async def test_among_several_alarms_the_one_just_set_is_the_one_moved() -> None:
    """ "Set an alarm for 9 pm." then "Set my alarm to 9:30 pm instead." asked which of two alarms to change."""
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am", "repeat": "weekdays"}, "s1")
    timers.list()[0].set_at -= JUST_SET_SECS + 1   # set some time ago
    handlers.set_alarm({"hour": 9, "minute": 0, "meridiem": "pm"}, "s1")
    moved = handlers.set_alarm({"hour": 9, "minute": 30, "meridiem": "pm", "move": True}, "s1")
    assert moved["summary"].startswith("The alarm is moved to 9:30 PM")
    assert sorted(t.label for t in timers.list()) == ["7 AM alarm", "9:30 PM alarm"]
    timers.close()


async def test_a_wake_up_in_a_while_is_an_alarm() -> None:
    """ "Wake me in 20 minutes." was left out of "What alarms do I have?" and "Cancel my alarm"."""
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    handlers.run_later({"seconds": 1200, "command": "Wake me"}, "s1")
    handlers.run_later({"seconds": 600, "command": "Turn off the porch light"}, "s1")
    assert handlers.list_alarms({}, "s1")["summary"].endswith("alarm has 20 minutes left.")
    handlers.cancel_timer({"label": "alarm"}, "s1")
    assert [t.command for t in timers.list()] == ["turn off the porch light"]
    timers.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("Remind me in an hour to check the oven.", [("run_later", {"seconds": 3600, "command": "Remind me to check the oven"})]),
    ("Set a reminder to call the dentist at 3.",
     [("set_alarm", {"hour": 3, "minute": 0, "command": "remind me to call the dentist"})]),
    ("Set an alarm for several in the morning on Friday.",   # seed 431: "seven" heard as "several"
     [("set_alarm", {"hour": 7, "minute": 0, "meridiem": "am", "day": "friday"})]),
    ("Cancel tomorrow's alarm.", [("cancel_timer", {"label": "tomorrow's alarm"})]),
    ("Cancel the laundry timer and the pasta timer.", [("cancel_timer", {"label": "laundry"}), ("cancel_timer", {"label": "pasta"})]),
    ("Set two timers, one for 5 minutes and one for 10.", [("set_timer", {"seconds": 300}), ("set_timer", {"seconds": 600})]),
    ("Don't turn on the porch light.", []),   # "Okay, I won't.": left to the LLM, a small model may do it anyway
])
async def test_requests_the_tenth_set_found(intents: IntentResponder, text: str, expected: Any) -> None:
    assert await calls(intents, text) == expected


async def test_tomorrows_alarm_is_the_one_set_for_tomorrow_alone() -> None:
    """ "Cancel tomorrow's alarm" named a timer "tomorrow's"; a repeating alarm is never cancelled for one day."""
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    handlers.set_alarm({"hour": 6, "minute": 0, "repeat": "daily"}, "s1")
    with pytest.raises(ValueError):
        handlers.cancel_timer({"label": "tomorrow's alarm"}, "s1")
    handlers.set_alarm({"hour": 7, "minute": 30, "meridiem": "am", "tomorrow": True}, "s1")
    handlers.cancel_timer({"label": "tomorrow's alarm"}, "s1")
    assert [t.repeat for t in timers.list()] == ["daily"]
    timers.close()


def test_tomorrow_said_in_the_small_hours_is_the_morning_ahead_for_setting_and_naming_alike() -> None:
    """An alarm set at 1 am "for tomorrow at 7:30" rings this morning; "cancel tomorrow's alarm" said then
    was "no tomorrow's alarm is set": the two read "tomorrow" differently."""
    one_am, noon = dt.datetime(2026, 12, 5, 1, 0), dt.datetime(2026, 12, 5, 12, 0)
    assert day_said(one_am, 1) == day_said(one_am, 0) == dt.date(2026, 12, 5)
    assert day_said(noon, 1) == dt.date(2026, 12, 6) and day_said(noon, 0) == dt.date(2026, 12, 5)
    assert next_time_of_day(one_am, 7, 30, "am", tomorrow=True).date() == day_said(one_am, 1)


async def test_a_timer_restarted_resumes_when_paused_and_starts_over_when_reset() -> None:
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    handlers.set_timer({"minutes": 10, "label": "pasta"}, "s1")
    timers.list()[0].due -= 300   # five minutes gone
    handlers.pause_timer({}, "s1")
    assert handlers.restart_timer({}, "s1")["summary"].startswith("The pasta timer is running again, 5 minutes")
    assert handlers.restart_timer({"over": True}, "s1")["summary"] == "The pasta timer is started over: 10 minutes."
    assert [(t.label, round(t.remaining() / 60)) for t in timers.list()] == [("pasta", 10)]
    handlers.cancel_timer({}, "s1")
    handlers.set_alarm({"hour": 7, "minute": 0, "meridiem": "am"}, "s1")
    with pytest.raises(ValueError, match="cannot be started over"):
        handlers.restart_timer({"over": True}, "s1")
    timers.close()


async def test_a_word_left_out_before_timer_puts_the_name_in_doubt(intents: IntentResponder) -> None:
    """ "Antonin, timer for six minutes." ("Set an egg timer ...", seed 433) set a timer of no name, its name
    never read again: the word before "timer" was left out of what matched."""
    doubted = await intents.match("Antonin, timer for six minutes.", "s")
    plain = await intents.match("Ok, timer for six minutes.", "s")
    assert doubted is not None and doubted.name_in_doubt
    assert plain is not None and not plain.name_in_doubt


async def test_all_timers_paused_and_resumed_alarms_and_reminders_keep_their_time() -> None:
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    handlers.set_timer({"minutes": 10, "label": "pasta"}, "s1")
    handlers.set_timer({"minutes": 20, "label": "rice"}, "s1")
    handlers.set_alarm({"hour": 5, "minute": 0, "meridiem": "pm", "command": "remind me to call mom"}, "s1")
    assert handlers.pause_timer({"all": True}, "s1")["summary"] == "Both timers are paused."
    # by label: the list is in due order, and the alarm may fall before a timer at some hours of the day
    assert sorted(t.label for t in timers.list() if t.paused) == ["pasta", "rice"]
    assert [t.paused for t in timers.list() if t.command] == [False]
    assert handlers.resume_timer({"all": True}, "s1")["summary"] == "Both timers are running again."
    handlers.set_alarm({"hour": 6, "minute": 0, "meridiem": "pm", "command": "remind me to feed the cat"}, "s1")
    assert handlers.cancel_timer({"label": "reminder", "all": True}, "s1")["summary"] == "Both reminders are cancelled."
    assert sorted(t.label for t in timers.list()) == ["pasta", "rice"]
    timers.close()


async def test_an_alarm_for_a_date_says_alarms_go_by_the_weekday(intents: IntentResponder) -> None:
    """ "Set an alarm for the 15th at 9 am." was asked "For what time?": the time was said, the date cannot be."""
    answer = await intents.match("Set an alarm for the 15th at 9 am.", "s")
    assert answer is not None and not answer.actions and "day of the week" in answer.text


@pytest.fixture(scope="module")
def house() -> IntentResponder:
    devices = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "a"},
               {"name": "living room lamp", "area": "living room", "kind": "light", "command_topic": "b"},
               {"name": "porch light", "area": "porch", "kind": "switch", "command_topic": "c"},
               {"name": "bedroom fan", "area": "bedroom", "kind": "fan", "command_topic": "d"}]
    responder = create_intent_responder("en", DeviceDirectory(parse_devices(devices)), ())
    responder.warm_up()
    return responder


@pytest.mark.parametrize(("text", "expected"), [
    ("Switch off all the lights except the porch light.",
     [("turn_off", {"device": "kitchen light"}), ("turn_off", {"device": "living room lamp"})]),
    ("Turn off everything except the fan.", [("turn_off", {"device": "kitchen light"}),
                                             ("turn_off", {"device": "living room lamp"}), ("turn_off", {"device": "porch light"})]),
    ("Switch off all the lights except the garage light.", None),   # left out is nothing acted on: the LLM
    ("Turn on the lights in the kitchen and the living room.",
     [("turn_on", {"device": "kitchen light"}), ("turn_on", {"device": "living room lamp"})]),
    ("As soon the time.", None),   # "Esume the timer." (seed 443) refused as a device called "soon the time"
])
async def test_an_exception_to_all_and_a_second_room(house: IntentResponder, text: str, expected: Any) -> None:
    assert await calls(house, text) == expected


async def test_a_timer_named_by_its_length_or_as_the_last_one_set() -> None:
    """ "Cancel the 5 minute timer." (as lists name a timer with no name) lost its length and, with several
    running, asked which; "Cancel my last timer." looked for a timer called "last"."""
    timers = TimerService(EventBus())
    handlers = BuiltinHandlers(timers, SpeakerControls())
    handlers.set_timer({"minutes": 5}, "s1")
    handlers.set_timer({"minutes": 5, "label": "pasta"}, "s1")
    handlers.set_timer({"minutes": 10}, "s1")
    assert handlers.cancel_timer({"label": "10 minute"}, "s1")["summary"] == "The 10 minute timer is cancelled."
    assert handlers.pause_timer({"label": "5 minute"}, "s1")["label"] == ""   # the one with no name of its own
    assert handlers.cancel_timer({"label": "last"}, "s1")["summary"] == "The pasta timer is cancelled."
    assert [(t.label, t.paused) for t in timers.list()] == [("", True)]
    timers.close()
