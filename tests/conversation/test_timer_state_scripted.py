"""A question between a pause and a resume of the timer ("Sorry, did you say "unpause the timer." or "pause the
timer."?") is not asked when the timers say which: only one of the two would change a timer. Scripted speech
engines, the real chain and timers."""

from __future__ import annotations

from typing import Any

from .test_answering_scripted import answered, chain_settings, spoken, world  # noqa: F401 (fixtures)
from .test_asked_scripted import calls

HEARD_EITHER_WAY = "Inpause the timer."   # "un" or a sound before the verb: the words do not say which


async def test_a_running_timer_is_paused_and_a_paused_one_resumed(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set a timer for ten minutes.", spoken())
    await answered(recorder)
    await conversation.on_user_turn(HEARD_EITHER_WAY, spoken())   # nothing paused: unpausing would do nothing
    assert (await answered(recorder, 2))[1].text.startswith("The 10 minute timer is paused")
    await conversation.on_user_turn(HEARD_EITHER_WAY, spoken())   # now it is: pausing would do nothing
    assert "running again" in (await answered(recorder, 3))[2].text
    assert [name for name, _ in calls(recorder)] == ["set_timer", "pause_timer", "resume_timer"]
    assert llm.asked == []


async def test_with_no_timer_to_tell_them_apart_it_is_asked(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn(HEARD_EITHER_WAY, spoken())
    assert (await answered(recorder))[0].text.startswith("Sorry, did you say")
    assert calls(recorder) == []


async def test_with_one_timer_paused_and_one_running_it_is_asked(world: Any) -> None:
    conversation, recorder, _, _ = world
    for count, request in enumerate(("Set a pasta timer for ten minutes.", "Set a tea timer for three minutes.",
                                     "Pause the tea timer."), 1):
        await conversation.on_user_turn(request, spoken())
        await answered(recorder, count)
    await conversation.on_user_turn(HEARD_EITHER_WAY, spoken())
    assert (await answered(recorder, 4))[3].text.startswith("Sorry, did you say")
