from __future__ import annotations

import json

import pytest

from firmware_py.llm.base import ToolCall
from firmware_py.llm.context import Context


def words(text: str) -> int:
    """A predictable token count: one token per word."""
    return len(text.split())


def test_messages_start_with_the_system_prompt() -> None:
    context = Context("Be brief.", history_tokens=100, count_tokens=words)
    context.add("user", "hello")
    context.add("assistant", "hi there")
    assert context.messages() == [{"role": "system", "content": "Be brief."},
                                  {"role": "user", "content": "hello"},
                                  {"role": "assistant", "content": "hi there"}]
    context.system_prompt = "Be kind."
    assert context.messages()[0]["content"] == "Be kind."


def test_rejects_unknown_roles() -> None:
    with pytest.raises(ValueError, match="unknown message role"):
        Context("", 100).add("robot", "beep")


def turn(context: Context, n: int) -> None:
    context.add("user", f"question {n} " + "word " * 8)
    context.add("assistant", f"answer {n} " + "word " * 8)


def test_trims_oldest_whole_turns_to_the_budget() -> None:
    # each message: 10 words + 4 overhead = 14 tokens; a turn is 28
    context = Context("sys", history_tokens=100, count_tokens=words)
    for n in range(3):
        turn(context, n)
    assert len(context.messages()) == 1 + 6  # 84 tokens fit
    turn(context, 3)  # 112 > 100: trim to at most 75
    kept = context.messages()[1:]
    assert [m["content"].split()[1] for m in kept] == ["2", "2", "3", "3"]
    assert kept[0]["role"] == "user"


def test_trimmed_history_stays_stable_for_cache_reuse() -> None:
    context = Context("sys", history_tokens=100, count_tokens=words)
    for n in range(4):
        turn(context, n)
    first = context.messages()
    turn(context, 4)  # 84 tokens: still within budget, so nothing more is dropped
    assert context.messages()[: len(first)] == first


def test_never_drops_the_newest_turn_even_when_it_alone_is_too_big() -> None:
    context = Context("sys", history_tokens=10, count_tokens=words)
    turn(context, 0)
    context.add("user", "a very long question " * 10)
    kept = context.messages()[1:]
    assert len(kept) == 1 and kept[0]["content"].startswith("a very long question")


def test_tool_calls_share_a_message_and_leave_with_their_results() -> None:
    context = Context("sys", history_tokens=60, count_tokens=words)
    context.add("user", "set two timers")
    first = ToolCall("c1", "set_timer", {"minutes": 5})
    second = ToolCall("c2", "set_timer", {"seconds": 30}, raw_arguments='{"seconds": 30}')
    context.add_tool_call(first)
    context.add_tool_call(second)
    context.add_tool_result(first, {"summary": "ok"})
    context.add_tool_result(second, "done")
    context.add("assistant", "Both timers are set.")
    messages = context.messages()[1:]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool", "assistant"]
    calls = messages[1]["tool_calls"]
    assert [c["id"] for c in calls] == ["c1", "c2"]
    assert json.loads(calls[0]["function"]["arguments"]) == {"minutes": 5}
    assert calls[1]["function"]["arguments"] == '{"seconds": 30}'
    assert messages[2] == {"role": "tool", "tool_call_id": "c1", "name": "set_timer", "content": '{"summary": "ok"}'}
    # a big new turn pushes the whole tool exchange out, never half of it
    context.add("user", "word " * 30)
    assert [m["role"] for m in context.messages()[1:]] == ["user"]


def test_messages_are_copies() -> None:
    context = Context("sys", history_tokens=100)
    context.add_tool_call(ToolCall("c1", "get_time", {}))
    context.messages()[1]["tool_calls"][0]["function"]["name"] = "changed"
    assert context.messages()[1]["tool_calls"][0]["function"]["name"] == "get_time"


def test_replace_takes_the_system_prompt_from_the_first_message() -> None:
    context = Context("old", history_tokens=100)
    context.add("user", "gone")
    context.replace([{"role": "system", "content": "new"}, {"role": "user", "content": "hi"}, "junk"])  # type: ignore[list-item]
    assert context.messages() == [{"role": "system", "content": "new"}, {"role": "user", "content": "hi"}]
    context.replace([{"role": "user", "content": "only"}])
    assert context.system_prompt == "new"
    assert len(context) == 1


def test_clip_last_assistant_keeps_what_was_spoken() -> None:
    context = Context("sys", history_tokens=100)
    context.add("user", "tell me a story")
    context.add("assistant", "Once upon a time there was a fox. It lived in a wood.")
    context.clip_last_assistant("Once upon a time there was a fox.")
    assert context.messages()[-1] == {"role": "assistant", "content": "Once upon a time there was a fox."}


def test_clip_last_assistant_drops_an_unspoken_answer() -> None:
    context = Context("sys", history_tokens=100)
    context.add("user", "hi")
    context.add("assistant", "Hello!")
    context.clip_last_assistant("  ")
    assert context.messages()[-1] == {"role": "user", "content": "hi"}


def test_clip_last_assistant_keeps_tool_calls_and_ignores_older_turns() -> None:
    context = Context("sys", history_tokens=100)
    context.add("user", "first")
    context.add("assistant", "first answer")
    context.add("user", "what time is it")
    call = ToolCall("c1", "get_time", {})
    context.add_tool_call(call)
    context.add_tool_result(call, {"time": "9:00"})
    context.clip_last_assistant("")  # interrupted before any words: nothing to drop after the last question
    assert [m["role"] for m in context.messages()[1:]] == ["user", "assistant", "user", "assistant", "tool"]
    assert context.messages()[2]["content"] == "first answer"


def test_earlier_answers_are_those_before_the_turn_in_progress() -> None:
    context = Context("Be brief.", history_tokens=100, count_tokens=words)
    for role, text in [("user", "a"), ("assistant", "A."), ("user", "b"), ("assistant", "B."), ("user", "c")]:
        context.add(role, text)
    assert context.earlier_answers() == ["A.", "B."]
    context.add("assistant", "C.")
    assert context.earlier_answers() == ["A.", "B."]


def test_starting_over_keeps_the_turn_in_progress_with_its_passage() -> None:
    context = Context("Be brief.", history_tokens=100, count_tokens=words)
    for role, text in [("user", "a"), ("assistant", "A."), ("system", "Answer from: p"), ("user", "b")]:
        context.add(role, text)
    fork = context.fork()
    fork.start_over()
    assert fork.messages()[1:] == [{"role": "system", "content": "Answer from: p"}, {"role": "user", "content": "b"}]
    assert len(context) == 4, "the fork is a copy"


def test_a_tool_called_in_the_turn_in_progress_is_seen() -> None:
    context = Context("Be brief.", history_tokens=100, count_tokens=words)
    call = ToolCall("c1", "get_time", {})
    context.add("user", "What time is it?")
    context.add_tool_call(call)
    context.add_tool_result(call, {"time": "10:00"})
    assert context.turn_used_tools()
    context.add("user", "Thanks.")
    assert not context.turn_used_tools()


def test_a_history_resting_past_its_idle_time_is_forgotten_at_its_next_use() -> None:
    now = [0.0]
    idle = [60.0]
    context = Context("Be brief.", history_tokens=100, count_tokens=words, idle_secs=lambda: idle[0],
                      clock=lambda: now[0])
    context.add("user", "Who wrote Hamlet?")
    context.add("assistant", "Shakespeare.")
    now[0] = 59.0
    assert len(context.messages()) == 3
    context.add("user", "When was he born?")
    now[0] = 59.0 + 61.0
    assert context.fork().messages() == [{"role": "system", "content": "Be brief."}], "a fork keeps the rule"
    assert context.messages() == [{"role": "system", "content": "Be brief."}]
    context.add("user", "Hello.")
    idle[0] = 0.0   # none: kept however long it rests
    now[0] = 1e6
    assert len(context.messages()) == 2
