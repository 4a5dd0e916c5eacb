"""A request that points at the timer just set ("Cancel it.", "Pause it.", "Add two minutes to it.") acts on
that timer: "Cancel it." was read as "stop talking" and the timer ran on. Scripted speech engines, the real
chain and timers."""

from __future__ import annotations

from typing import Any

import pytest

from firmware_py import conversation as conversation_module

from .test_answering_scripted import answered, chain_settings, spoken, world  # noqa: F401 (fixtures)
from .test_asked_scripted import calls


async def say(conversation: Any, recorder: Any, *requests: str) -> None:
    """Each request in turn, each answered before the next."""
    for count, request in enumerate(requests, 1):
        await conversation.on_user_turn(request, spoken())
        await answered(recorder, count)


async def test_cancel_it_cancels_the_timer_just_set(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await say(conversation, recorder, "Set a timer for five minutes.", "Cancel it.")
    assert calls(recorder) == [("set_timer", {"seconds": 300}), ("cancel_timer", {"label": "5 minute"})]
    assert conversation._engines.tools.timers.list() == []
    assert llm.asked == []


async def test_pause_add_and_resume_it_among_other_timers(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await say(conversation, recorder, "Set a tea timer for three minutes.", "Set a pasta timer for ten minutes.",
              "Pause it.", "How long is left on it?", "Add two minutes to it.", "Resume it.")
    assert calls(recorder)[2:] == [("pause_timer", {"label": "pasta"}), ("list_timers", {}),
                                   ("add_timer_time", {"seconds": 120, "label": "pasta"}), ("resume_timer", {"label": "pasta"})]
    tea = next(t for t in conversation._engines.tools.timers.list() if t.label == "tea")
    assert not tea.paused and llm.asked == []


async def test_it_after_another_answer_is_not_the_timer(world: Any) -> None:
    """The timer is forgotten once another answer is given: "Stop it." is then "stop talking", as before."""
    conversation, recorder, _, _ = world
    await say(conversation, recorder, "Set a timer for five minutes.", "What time is it?")
    await conversation.on_user_turn("Stop it.", spoken())
    await conversation.on_user_turn("What timers are running?", spoken())
    await answered(recorder, 3)
    assert [name for name, _ in calls(recorder)] == ["set_timer", "get_time", "list_timers"]


async def test_it_is_the_timer_just_set_when_another_has_its_name(world: Any) -> None:
    """Two 5-minute timers: "the 5 minute timer" picks both, the one set last is the one just set."""
    conversation, recorder, _, _ = world
    await say(conversation, recorder, "Set a timer for five minutes.", "Set a timer for five minutes.", "Cancel it.")
    assert calls(recorder)[2] == ("cancel_timer", {"label": "last"})
    assert [t.timer_id for t in conversation._engines.tools.timers.list()] == ["1"]


async def test_a_minute_later_it_is_no_longer_the_timer(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    conversation, recorder, _, _ = world
    await say(conversation, recorder, "Set a timer for five minutes.")
    monkeypatch.setattr(conversation_module, "IT_MEANS_THE_LAST_COMMANDED_SECS", 0.0)   # a minute later
    await conversation.on_user_turn("Add two minutes to it.", spoken())
    await answered(recorder, 2)
    assert [name for name, _ in calls(recorder)] == ["set_timer"]
