"""The words of an alarm request that may be its time misheard, and when a reading of the time is taken
(respond/alarm_reread.py)."""

from __future__ import annotations

import pytest

from firmware_py.integrations.devices import DeviceDirectory
from firmware_py.respond.alarm_reread import (TIME_MARGIN, AlarmTimeReading, asks_for_a_time, clock_words_heard,
                                              minute_one_sound_away, reading_taken, words_where_the_time_goes)
from firmware_py.respond.alarms import ALARM_FRAME
from firmware_py.respond.base import ActionCall, Answer
from firmware_py.respond.intent_matcher import IntentMatcher
from firmware_py.respond.intents import IntentAnswers, IntentResponder
from firmware_py.speech.stt import Rereading

SUNDAY_AT_EIGHT = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 8, "minute": 0, "day": "sunday"}),))


@pytest.mark.parametrize("heard, clock, misheard", [
    ("Can you set an alarm for me to clock on Sunday?", "me to clock?", True),
    ("Wake me up at the level of nonsense.", "the level of nonsense.", True),
    ("Set an alarm for tomorrow.", "", False),
    ("Set an alarm for tomorrow morning.", "tomorrow morning.", False),
    ("Set an alarm for every weekday.", "", False),
])
def test_words_where_the_time_goes(heard: str, clock: str, misheard: bool) -> None:
    assert clock_words_heard(heard) == clock
    assert words_where_the_time_goes(clock_words_heard(heard)) is misheard


@pytest.mark.parametrize("read, other", [
    ("Set an alarm for nine fifteen at night.", "Set an alarm for nine fifty at night."),
    ("Set an alarm for six thirty.", ""),   # "thirteen" is seldom meant
    ("Set an alarm for six thirteen.", "Set an alarm for six thirty."),
    ("Set an alarm for six forty-five.", ""),
    ("Set an alarm for seven o'clock.", ""),
])
def test_minutes_one_sound_from_others(read: str, other: str) -> None:
    assert minute_one_sound_away(read) == other


@pytest.mark.parametrize("read, below, taken", [
    ("Can you set an alarm for eight o'clock on Sunday?", 9.1, True),
    ("Can you set an alarm for eight o'clock on Sunday?", TIME_MARGIN + 0.5, False),
    ("Can you set an alarm for eight o'clock on Friday?", 1.0, False),   # the day heard is kept
])
def test_a_reading_is_taken_near_enough_with_the_days_heard(read: str, below: float, taken: bool) -> None:
    heard = "Can you set an alarm for me to clock on Sunday?"
    reading = Rereading(read, score=-3.0 - below, heard_score=-3.0)
    assert reading_taken(heard, reading, SUNDAY_AT_EIGHT) is taken


@pytest.mark.parametrize("heard, taken", [
    ("Set an alarm for half-past six-century Tuesday.", True),   # seed 1051: "century" was the "every"
    ("Set an alarm for half past six on Tuesday.", False),   # once, on Tuesday, as said
    ("Set an alarm for half past six Tuesday.", False),   # a day said bare after the time: as said
])
def test_a_word_before_a_bare_day_may_be_the_every_read(heard: str, taken: bool) -> None:
    reading = Rereading("Set an alarm for half past six every Tuesday.", score=-7.0, heard_score=-3.0)
    found = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 6, "minute": 30, "repeat": "tuesday"}),))
    assert reading_taken(heard, reading, found) is taken


def test_a_reading_that_sets_no_alarm_is_not_taken() -> None:
    reading = Rereading("Can you set an alarm for eight o'clock on Sunday?", score=-3.0, heard_score=-3.0)
    assert not reading_taken("Can you set an alarm for me to clock on Sunday?", reading, Answer("intent", text="?"))
    assert not reading_taken("Can you set an alarm for me to clock on Sunday?", reading, None)


def test_only_a_time_heard_as_other_words_is_read_again() -> None:
    assert asks_for_a_time(Answer("intent", text="For what time?", frame=ALARM_FRAME))
    assert not asks_for_a_time(Answer("intent", text="For what time?", frame=ALARM_FRAME, tentative=True))
    assert not asks_for_a_time(Answer("intent", text="For how long?", frame="set a timer for {reply}"))


def test_the_grammar_holds_the_times_people_say() -> None:
    grammar = AlarmTimeReading().prepare()
    for said in ["set an alarm for quarter to seven every weekday", "wake me up at six oh five",
                 "can you set an alarm for ten at night on friday", "set an alarm for 6:30 on mondays and thursdays",
                 "please set an alarm for noon on saturday please"]:
        assert grammar.accepts(grammar.advance(grammar.start, said)), said
    for said in ["set an alarm for my meeting", "turn on the kitchen light"]:
        assert not grammar.accepts(grammar.advance(grammar.start, said)), said


@pytest.mark.parametrize("heard, read, taken", [
    # seed 733: the reading ended where a sentence may, before the audio did ("... every weekday, please" unread)
    ("Set an alarm for new henry weed, they clean.", "Set an alarm for two", False),
    ("Sets an alarm for noon every week, please.", "Set an alarm for two", False),
    ("Set an alarm for new memory week, eh, please?", "Set an alarm for two every weekday", True),
    ("Set an alarm for mid-i-80s.", "Set an alarm for midnight.", True),   # 0.78 of its syllables
])
def test_a_reading_that_stops_short_of_the_words_heard_is_not_taken(heard: str, read: str, taken: bool) -> None:
    reading = Rereading(read, score=-9.0, heard_score=-3.0)
    found = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 2, "minute": 0}),))
    assert reading_taken(heard, reading, found) is taken


@pytest.mark.parametrize("heard, read, minute, taken", [
    ("Sets an alarm for I-45 in the morning.", "set an alarm for five in the morning.", 0, False),   # minutes lost
    ("Sets an alarm for I-45 in the morning.", "set an alarm for five forty-five in the morning.", 45, True),
    ("Please set alarm for 9:15 every week, they.", "Please set alarm for nine fifty every weekday.", 50, True),  # (asked)
    ("Could you set an alarm for 10, 1", "Could you set an alarm for quarter past eight every day?", 15, True),
])
def test_a_reading_keeps_the_minutes_the_recogniser_wrote_in_digits(heard: str, read: str, minute: int,
                                                                     taken: bool) -> None:
    reading = Rereading(read, score=-4.0, heard_score=-3.0)
    found = Answer("intent", actions=(ActionCall("set_alarm", {"hour": 5, "minute": minute}),))
    assert reading_taken(heard, reading, found) is taken


@pytest.mark.parametrize("rival, asked", [
    ("Wake me up at five forty five every weekday.", True),   # another alarm: which? asked
    ("Wake me up at five fourteen five every day.", False),   # no time at all (seed 1181): nothing to ask about
    ("Wake me up at five forty-five every day.", False),      # the same alarm
])
def test_only_a_rival_reading_that_sets_another_alarm_is_asked_about(rival: str, asked: bool) -> None:
    devices = DeviceDirectory(())
    responder = IntentResponder(IntentMatcher("en", devices), IntentAnswers(devices, ()))
    read = "Wake me up at five forty five every day."
    found = responder._at_a_time(read)
    assert found is not None
    reading = Rereading(read, score=-4.0, heard_score=-3.0, rivals=((rival, -4.2),))
    assert (responder._alarm_rival(reading, found) == rival) is asked
