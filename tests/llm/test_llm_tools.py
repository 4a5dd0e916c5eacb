from __future__ import annotations

import asyncio
import datetime as dt

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_py.events import (EventBus, FunctionCallInProgress, FunctionCallStarted, FunctionCallStopped,
                                TimerFired, ToolMessage)
from firmware_py.llm.base import ToolCall
from firmware_py.llm.builtin_tools import BUILTIN_TOOLS, BuiltinHandlers
from firmware_py.llm.schema import validate
from firmware_py.llm.timers import TimerService, spoken_duration
from firmware_py.llm.tools import ToolRegistry

from .conftest import Recorder, SpeakerControls

LIGHT_TOOL = {"name": "set_light", "description": "Switch a light.", "topic": "home/light",
              "parameters": {"type": "object", "properties": {"room": {"type": "string", "enum": ["kitchen", "hall"]},
                                                              "on": {"type": "boolean"}},
                             "required": ["room", "on"]}}
CLIENT_TOOL = {"type": "function", "function": {"name": "show_map", "description": "Show a map in the app.",
                                                "parameters": {"type": "object", "properties": {"place": {"type": "string"}}}}}


def call(name: str, raw: str = "{}") -> ToolCall:
    return ToolCall.parse(f"id-{name}", name, raw)


# --- schema validation -------------------------------------------------------------------------------

SCHEMA = {"type": "object", "required": ["n"], "additionalProperties": False,
          "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 10},
                         "mode": {"enum": ["a", "b"]}, "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
                         "name": {"type": "string", "minLength": 1, "maxLength": 3}, "x": {"type": ["number", "null"]}}}


@pytest.mark.parametrize(("value", "problem"), [
    ({"n": 3}, None),
    ({}, "arguments.n: required but missing"),
    ({"n": "3"}, "arguments.n: expected integer, got string '3'"),
    ({"n": True}, "arguments.n: expected integer, got boolean True"),
    ({"n": 11}, "arguments.n: 11 is above the maximum 10"),
    ({"n": -1}, "arguments.n: -1 is below the minimum 0"),
    ({"n": 1, "mode": "c"}, "arguments.mode: 'c' is not one of 'a', 'b'"),
    ({"n": 1, "tags": ["x", 2]}, "arguments.tags[1]: expected string, got integer 2"),
    ({"n": 1, "tags": ["x", "y", "z"]}, "arguments.tags: allows at most 2 items"),
    ({"n": 1, "name": "long"}, "arguments.name: must be at most 3 characters"),
    ({"n": 1, "x": None}, None),
    ({"n": 1, "extra": 1}, "arguments.extra: unknown argument"),
    ([], "arguments: expected object, got array"),
])
def test_validator_messages(value: object, problem: str | None) -> None:
    problems = validate(value, SCHEMA)
    if problem is None:
        assert problems == []
    else:
        assert problems and problems[0].startswith(problem)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-20, 20) | st.floats(-20, 20, allow_nan=False)
                           | st.text(max_size=5), lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(["n", "mode", "tags", "name", "x", "z"]), inner, max_size=4),
                           max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_validator_agrees_with_jsonschema(value: object) -> None:
    expected_valid = jsonschema.Draft202012Validator(SCHEMA).is_valid(value)
    assert (validate(value, SCHEMA) == []) == expected_valid


def test_builtin_schemas_are_valid_json_schemas() -> None:
    for tool in BUILTIN_TOOLS:
        jsonschema.Draft202012Validator.check_schema(tool.parameters)


# --- the registry ------------------------------------------------------------------------------------

@pytest.fixture
def registry(bus: EventBus, device: SpeakerControls) -> ToolRegistry:
    tools = ToolRegistry(bus, device, [LIGHT_TOOL], client_timeout=0.2)
    yield tools
    tools.close()


def test_schemas_list_builtin_configured_then_client_tools(registry: ToolRegistry) -> None:
    names = [s["function"]["name"] for s in registry.schemas([CLIENT_TOOL, {"name": "get_time"}, {"nameless": 1}])]
    builtin = [tool.name for tool in BUILTIN_TOOLS]
    assert names == [*builtin, "set_light", "show_map"]
    assert all(s["type"] == "function" and s["function"]["parameters"]["type"] == "object" for s in registry.schemas())


async def test_builtin_call_publishes_started_in_progress_stopped(registry: ToolRegistry, recorder: Recorder,
                                                                  device: SpeakerControls) -> None:
    result = await registry.call("s1", call("set_volume", '{"percent": 30}'))
    assert result.ok and result.value["volume"] == 30 and device.volume == pytest.approx(0.3)
    kinds = [type(e) for e in recorder.events]
    assert kinds == [FunctionCallStarted, FunctionCallInProgress, FunctionCallStopped]
    progress = recorder.of(FunctionCallInProgress)[0]
    assert progress.session_id == "s1" and progress.arguments == {"percent": 30} and not progress.run_on_client
    stopped = recorder.of(FunctionCallStopped)[0]
    assert stopped.tool_call_id == "id-set_volume" and stopped.result == result.value and not stopped.cancelled


@pytest.mark.parametrize(("name", "raw", "error"), [
    ("open_door", "{}", "there is no tool called 'open_door'"),
    ("set_volume", '{"percent": 300}', "arguments.percent: 300 is above the maximum 100"),
    ("set_volume", "{}", "arguments.percent: required but missing"),
    ("set_mute", '{"muted": "yes"}', "arguments.muted: expected boolean"),
    ("set_volume", '{"percent": 3', "the arguments are not a JSON object"),
    ("set_timer", "{}", "say how long the timer should run"),
    ("cancel_timer", "{}", "no timer is running"),
    ("set_light", '{"room": "attic", "on": true}', "arguments.room: 'attic' is not one of"),
])
async def test_bad_calls_become_error_results(registry: ToolRegistry, recorder: Recorder, name: str, raw: str,
                                              error: str) -> None:
    result = await registry.call("s1", call(name, raw))
    assert not result.ok and result.value["error"].startswith(error)
    assert recorder.of(FunctionCallStopped)[0].result == result.value


async def test_configured_tool_publishes_a_tool_message(registry: ToolRegistry, recorder: Recorder) -> None:
    result = await registry.call("s1", call("set_light", '{"room": "kitchen", "on": true}'))
    assert result.ok
    message = recorder.of(ToolMessage)[0]
    assert (message.topic, message.body, message.session_id) == ("home/light", {"room": "kitchen", "on": True}, "s1")


async def test_client_tool_waits_for_the_client(registry: ToolRegistry, recorder: Recorder) -> None:
    task = asyncio.create_task(registry.call("s2", call("show_map", '{"place": "Rome"}'), [CLIENT_TOOL]))
    await asyncio.sleep(0.01)
    progress = recorder.of(FunctionCallInProgress)[0]
    assert progress.run_on_client and progress.function_name == "show_map"
    assert not registry.resolve_client("unknown-id", {"shown": True})
    assert registry.resolve_client(progress.tool_call_id, {"shown": True})
    result = await task
    assert result.ok and result.value == {"shown": True}
    assert not registry.resolve_client(progress.tool_call_id, {"again": True})


async def test_client_tool_times_out_with_an_error(registry: ToolRegistry) -> None:
    result = await registry.call("s2", call("show_map"), [CLIENT_TOOL])
    assert not result.ok and "did not answer the show_map call" in result.value["error"]


async def test_cancelled_call_reports_cancelled(registry: ToolRegistry, recorder: Recorder) -> None:
    task = asyncio.create_task(registry.call("s2", call("show_map"), [CLIENT_TOOL]))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert recorder.of(FunctionCallStopped)[0].cancelled


async def test_get_time_reads_the_clock(bus: EventBus, device: SpeakerControls) -> None:
    fixed = dt.datetime(2025, 6, 3, 14, 5, tzinfo=dt.timezone.utc)
    handlers = BuiltinHandlers(TimerService(bus), device, now=lambda: fixed)
    value = handlers.get_time({}, "s1")
    assert value["time"] == "2:05 PM" and value["summary"] == "It is 2:05 PM."
    date = handlers.get_date({}, "s1")
    assert date["iso"] == "2025-06-03" and date["summary"] == "Today is Tuesday, June 3, 2025."


async def test_mute_and_unmute(registry: ToolRegistry, device: SpeakerControls) -> None:
    assert (await registry.call("s1", call("set_mute", '{"muted": true}'))).ok and device.muted
    assert (await registry.call("s1", call("set_mute", '{"muted": false}'))).ok and not device.muted


# --- timers ------------------------------------------------------------------------------------------

async def test_timer_tools_set_list_and_cancel(registry: ToolRegistry) -> None:
    set_pasta = await registry.call("s1", call("set_timer", '{"minutes": 5, "label": "pasta"}'))
    assert set_pasta.value["seconds"] == 300 and set_pasta.value["summary"] == "The pasta timer is set for 5 minutes."
    set_eggs = await registry.call("s1", call("set_timer", '{"seconds": 90, "label": "eggs"}'))
    assert set_eggs.value["summary"] == "The eggs timer is set for 1 minute 30 seconds."
    listed = (await registry.call("s1", call("list_timers"))).value
    assert [t["label"] for t in listed["timers"]] == ["eggs", "pasta"]
    ambiguous = await registry.call("s1", call("cancel_timer"))
    assert not ambiguous.ok and "say which one" in ambiguous.value["error"]
    cancelled = await registry.call("s1", call("cancel_timer", '{"label": "Pasta"}'))
    assert cancelled.ok and cancelled.value["label"] == "pasta"
    assert [t.label for t in registry.timers.list()] == ["eggs"]
    assert (await registry.call("s1", call("cancel_timer"))).ok
    assert (await registry.call("s1", call("list_timers"))).value["summary"] == "No timers are running."


async def test_a_timer_acted_on_without_its_name_is_named_in_the_result(registry: ToolRegistry) -> None:
    """"Add thirty seconds to the timer" with one timer running: the result says which timer it was, for the
    client's function-call message as for the spoken answer."""
    await registry.call("s1", call("set_timer", '{"minutes": 20, "label": "pizza"}'))
    for name, raw in [("add_timer_time", '{"seconds": 30}'), ("pause_timer", "{}"), ("resume_timer", "{}"),
                      ("cancel_timer", "{}")]:
        result = await registry.call("s1", call(name, raw))
        assert result.ok and result.value["label"] == "pizza", name


async def test_timer_fires_on_the_session_that_set_it(bus: EventBus, recorder: Recorder) -> None:
    timers = TimerService(bus)
    timer = timers.start(0.05, "tea", session_id="kitchen")
    timers.start(10, "later", session_id="kitchen")
    await asyncio.sleep(0.15)
    fired = recorder.of(TimerFired)
    assert [(f.session_id, f.timer_id, f.label) for f in fired] == [("kitchen", timer.timer_id, "tea")]
    assert [t.label for t in timers.list()] == ["later"]
    timers.close()
    assert timers.list() == []


async def test_cancelled_timer_does_not_fire(bus: EventBus, recorder: Recorder) -> None:
    timers = TimerService(bus)
    timer = timers.start(0.05, "", session_id="s1")
    assert timers.cancel(timer.timer_id) is timer
    await asyncio.sleep(0.1)
    assert recorder.of(TimerFired) == []


async def test_timer_limits(bus: EventBus) -> None:
    timers = TimerService(bus)
    with pytest.raises(ValueError, match="between 1 second and 24 hours"):
        timers.start(2 * 86400, "", "s1")
    for _ in range(20):
        timers.start(100, "", "s1")
    with pytest.raises(ValueError, match="already running"):
        timers.start(100, "", "s1")
    timers.close()


@pytest.mark.parametrize(("seconds", "spoken"), [(300, "5 minutes"), (61, "1 minute 1 second"),
                                                  (3600, "1 hour"), (45.4, "45 seconds"), (0, "0 seconds")])
def test_spoken_duration(seconds: float, spoken: str) -> None:
    assert spoken_duration(seconds) == spoken


async def test_unlabelled_timers_are_named_by_their_duration(registry: ToolRegistry) -> None:
    await registry.call("s1", call("set_timer", '{"minutes": 5}'))
    listed = (await registry.call("s1", call("list_timers"))).value["summary"]
    assert listed.startswith("The 5 minute timer has ") and listed.endswith(" left.")
    assert (await registry.call("s1", call("cancel_timer"))).value["summary"] == "The 5 minute timer is cancelled."


async def test_a_timer_name_heard_a_little_wrong_finds_the_running_timer() -> None:
    timers = TimerService(EventBus())
    pasta = timers.start(600, "pasta", session_id="s1")
    timers.start(600, "egg", session_id="s1")
    assert timers.find("pastor") == [pasta]          # "the pastor timer"
    assert timers.find("tea") == []                  # nothing sounds close: no guess
    timers.start(600, "pastry", session_id="s1")
    assert timers.find("pastor") == [], "two close names: neither is guessed"
    for timer in timers.list():
        timers.cancel(timer.timer_id)


async def test_a_timer_name_heard_one_sound_off_finds_it_but_another_food_never_does() -> None:
    """A name spelt far off but sounding one sound apart, with its beats ("the clocky timer" for the cookie
    one), is the running timer; a name people give timers is meant as said ("coffee" is not "cookie")."""
    timers = TimerService(EventBus())
    cookie = timers.start(600, "cookie", session_id="s1")
    assert timers.find("clocky") == [cookie]
    assert timers.find("coffee") == [] and timers.find("cakes") == []
    assert timers.find("cook") == [cookie]           # part of the name, as before
    assert timers.find("clock kit") == [], "another number of beats is another word"
    timers.cancel(cookie.timer_id)


async def test_the_timer_just_set_is_amended_and_never_offered_to_the_llm(registry: ToolRegistry) -> None:
    """The rest of a timer request said after it ran ("| And thirty seconds.", "| For the workout."): the
    session's newest timer, lengthened or named; another session's timer is never touched."""
    assert not (await registry.call("s1", call("amend_timer", '{"label": "tea"}'))).ok, "no timer: refused"
    await registry.call("s1", call("set_timer", '{"seconds": 60}'))
    await registry.call("s2", call("set_timer", '{"seconds": 600}'))
    result = await registry.call("s1", call("amend_timer", '{"add_seconds": 30, "label": "tea"}'))
    assert result.ok and result.value["summary"] == "The tea timer is set for 1 minute 30 seconds."
    assert sorted((t.session_id, t.label, t.seconds) for t in registry.timers.list()) == [("s1", "tea", 90), ("s2", "", 600)]
    assert "amend_timer" not in [s["function"]["name"] for s in registry.schemas()]


async def test_a_command_for_later_is_a_timer_that_carries_it_and_never_offered_to_the_llm(
        registry: ToolRegistry, recorder: Recorder) -> None:
    result = await registry.call("s1", call("run_later", '{"seconds": 1, "command": "Turn off my lamp."}'))
    assert result.ok and result.value["summary"] == "I'll turn off your lamp in 1 second."
    assert [t.command for t in registry.timers.list()] == ["turn off my lamp"]
    await asyncio.sleep(1.1)
    assert [(f.session_id, f.command) for f in recorder.of(TimerFired)] == [("s1", "turn off my lamp")]
    assert not (await registry.call("s1", call("run_later", '{"seconds": 0, "command": "x"}'))).ok
    assert "run_later" not in [s["function"]["name"] for s in registry.schemas()]
