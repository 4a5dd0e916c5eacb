"""A question asked back: "Set a timer." -> "For how long?" -> "Five minutes." sets the timer; a reply that
completes nothing, or another request, is a turn of its own. Scripted speech engines, the real chain."""

from __future__ import annotations

from typing import Any

from firmware_py.events import FunctionCallInProgress
from firmware_py.respond.asked import AskedBack

from .test_answering_scripted import answered, chain_settings, spoken, world  # noqa: F401 (fixtures)


def calls(recorder: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(e.function_name, e.arguments) for e in recorder.of(FunctionCallInProgress)]


async def test_a_timer_without_its_length_asks_and_the_reply_sets_it(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set a timer.", spoken())
    assert (await answered(recorder))[0].text == "For how long?"
    assert calls(recorder) == []
    await conversation.on_user_turn("Um, five minutes.", spoken())
    assert (await answered(recorder, 2))[1].text == "A timer is set for 5 minutes."
    assert calls(recorder) == [("set_timer", {"seconds": 300})] and llm.asked == []


async def test_a_reply_whose_an_was_lost_sets_the_timer(world: Any) -> None:
    """Seed 877: "Can you set a timer for | an hour and fifteen minutes?" heard "Hour and fifteen minutes."
    after the pause went to the LLM."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Can you set a timer for?", spoken())
    assert (await answered(recorder))[0].text == "For how long?"
    await conversation.on_user_turn("Hour and fifteen minutes.", spoken())
    await answered(recorder, 2)
    assert calls(recorder) == [("set_timer", {"seconds": 4500})] and llm.asked == []


async def test_a_named_timer_without_its_length_keeps_its_name(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("Set a pasta timer.", spoken())
    assert (await answered(recorder))[0].text == "For how long?"
    await conversation.on_user_turn("Eight minutes.", spoken())
    await answered(recorder, 2)
    assert calls(recorder) == [("set_timer", {"seconds": 480, "label": "pasta"})]


async def test_a_switch_that_names_nothing_asks_and_the_reply_names_it(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn it on.", spoken())
    assert (await answered(recorder))[0].text == "What should I turn on?"
    await conversation.on_user_turn("The kitchen light, please.", spoken())
    await answered(recorder, 2)
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"})] and llm.asked == []


async def test_a_sum_whose_number_was_lost_asks_and_the_reply_works_it_out(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("What is by plus three?", spoken())
    assert (await answered(recorder))[0].text == "Sorry, I didn't catch the first number: what plus 3?"
    await conversation.on_user_turn("Five.", spoken())
    assert (await answered(recorder, 2))[1].text == "5 plus 3 is 8." and llm.asked == []


async def test_it_is_the_device_just_commanded(world: Any) -> None:
    """ "Turn on the kitchen light." then "Turn it off.": the kitchen light, never asked which."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Turn it off.", spoken())
    assert (await answered(recorder, 2))[1].text == "The kitchen light is off."
    assert calls(recorder) == [("turn_on", {"device": "kitchen light"}), ("turn_off", {"device": "kitchen light"})]
    await conversation.on_user_turn("Set a timer.", spoken())   # a question with a frame of its own
    assert (await answered(recorder, 3))[2].text == "For how long?"
    await conversation.on_user_turn("Turn on the.", spoken())   # the device left unsaid, not pointed at
    assert (await answered(recorder, 4))[3].text == "What should I turn on?"


async def test_another_request_after_the_question_is_its_own(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set a timer.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("What is the capital of France?", spoken())
    assert (await answered(recorder, 2))[1].responder == "llm"
    await conversation.on_user_turn("Five minutes.", spoken())   # asked once: the question is gone
    await answered(recorder, 3)
    assert calls(recorder) == []


def test_only_a_short_reply_soon_after_completes_the_request() -> None:
    asked = AskedBack("set a timer for {reply}", asked_at=100.0)
    assert asked.request("Make it ten minutes.", 105.0) == "set a timer for ten minutes"
    assert asked.request("Ten minutes.", 130.0) is None, "too late"
    assert asked.request("I think I would like it to be about ten minutes or so.", 101.0) is None
    assert asked.request("Um.", 101.0) is None
    # the rest of the sentence the question came between: "Please wake me up. | And half past six." (seed 593)
    wake = AskedBack("wake me up at {reply}", asked_at=100.0)
    assert wake.request("And half-past six,", 101.0) == "wake me up at half-past six"
    assert wake.request("At seven.", 101.0) == "wake me up at seven"
    assert asked.request("And.", 101.0) is None


async def test_a_reply_that_completes_nothing_is_asked_again_with_a_sorry(world: Any) -> None:
    """Seed 1051: "Please wake me up. | At time, forty-five," was asked "For what time?" twice in the same
    words, as if the reply went unheard."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set a timer.", spoken())
    assert (await answered(recorder))[0].text == "For how long?"
    await conversation.on_user_turn("Set a timer for.", spoken())
    assert (await answered(recorder, 2))[1].text == "Sorry, for how long?"
    await conversation.on_user_turn("Ten minutes.", spoken())
    await answered(recorder, 3)
    assert calls(recorder) == [("set_timer", {"seconds": 600})] and llm.asked == []
