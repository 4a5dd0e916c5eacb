"""A conversation answering with scripted speech engines and the real responder chain: commands run as
function calls with templated answers and no LLM pass, unknown devices are refused by name, questions go to
the LLM, and no turn ends without an answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from firmware_py.config import Settings
from firmware_py.conversation import Conversation
from firmware_py.events import (BotAnswered, BotOutput, DeviceCommand, ErrorEvent, Event, EventBus,
                                FunctionCallInProgress, FunctionCallStarted, FunctionCallStopped, StateChanged)
from firmware_py.listening import TurnTiming
from firmware_py.respond.assembly import build_chain
from firmware_py.respond.base import Answer
from firmware_py.respond.chain import ResponderChain

from .scripted import ScriptedHost, ScriptedLlm, close_engines, conversation_on_chain, scripted_engines, settle

DEVICES = [{"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"}]


def settings() -> Settings:
    base = Settings()
    return replace(base, audio=replace(base.audio, enabled=False), mqtt=replace(base.mqtt, enabled=True),
                   devices=DEVICES)


@pytest.fixture(scope="module")
def chain_settings() -> Settings:
    return settings()


class Recorder:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(self.events.append)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
async def world(chain_settings: Settings) -> AsyncIterator[tuple[Conversation, Recorder, ScriptedLlm, ResponderChain]]:
    bus = EventBus()
    recorder = Recorder(bus)
    llm = ScriptedLlm("Paris is the capital of France.")
    async with conversation_on_chain(chain_settings, bus, llm=llm) as (conversation, chain):
        yield conversation, recorder, llm, chain


def spoken(seconds: float = 1.2) -> TurnTiming:
    return TurnTiming(voiced_secs=seconds)


async def answered(recorder: Recorder, count: int = 1) -> list[BotAnswered]:
    await settle(lambda: len(recorder.of(BotAnswered)) >= count)
    await settle(lambda: recorder.of(StateChanged)[-1].state == "listening")
    return recorder.of(BotAnswered)


async def test_a_command_runs_as_a_function_call_with_a_templated_answer(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    answer = (await answered(recorder))[0]
    assert answer.responder == "intent" and answer.text == "The kitchen light is on."
    assert llm.asked == [], "a matched command needs no LLM pass"
    started, progress, stopped = recorder.of(FunctionCallStarted), recorder.of(FunctionCallInProgress), recorder.of(FunctionCallStopped)
    assert [e.function_name for e in started] == ["turn_on"]
    assert progress[0].arguments == {"device": "kitchen light"}
    assert stopped[0].result["state"] == "on"
    command = recorder.of(DeviceCommand)[0]
    assert command.topic == "home/kitchen/light/set" and json.loads(command.command) == {"state": "ON"}
    assert [e.text for e in recorder.of(BotOutput)] == ["The kitchen light is on."]


async def test_an_unknown_device_is_refused_and_nothing_else_happens(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Switch on the garage heater.", spoken())
    answer = (await answered(recorder))[0]
    assert answer.text == "I don't know a device called garage heater."
    assert recorder.of(DeviceCommand) == [] and llm.asked == []
    assert "error" in recorder.of(FunctionCallStopped)[0].result


async def test_a_question_goes_to_the_llm(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("What is the capital of France?", spoken())
    answer = (await answered(recorder))[0]
    assert answer.responder == "llm" and "Paris" in answer.text
    assert llm.asked and llm.asked[0][-1] == {"role": "user", "content": "What is the capital of France?"}


async def test_a_turn_with_no_words_is_answered_with_an_apology(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("", spoken(1.0))
    await settle(lambda: any("catch that" in e.text for e in recorder.of(BotOutput)))
    assert recorder.of(ErrorEvent), "the client is told nothing was understood"
    await settle(lambda: recorder.of(StateChanged)[-1].state == "listening")
    await conversation.on_user_turn("", spoken(1.0))   # again at once (music?): told, but not said again
    await settle(lambda: len(recorder.of(ErrorEvent)) == 2)
    await asyncio.sleep(0.2)
    assert len([e for e in recorder.of(BotOutput) if "catch that" in e.text]) == 1


async def test_a_cough_is_not_apologised_for(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("", spoken(0.2))
    await asyncio.sleep(0.2)
    assert recorder.of(BotOutput) == [] and recorder.of(ErrorEvent) == []


async def test_a_failing_responder_never_loses_the_turn(world: Any) -> None:
    conversation, recorder, llm, chain = world

    class Broken:
        name = "broken"

        async def match(self, text: str, session_id: str) -> Answer | None:
            raise RuntimeError("index corrupt")

    chain.responders.insert(0, Broken())
    await conversation.on_user_turn("What time is it?", spoken())
    answer = (await answered(recorder))[0]
    assert answer.responder == "intent" and answer.text.startswith("It is ")


async def test_the_early_match_is_used_when_the_words_stay_the_same(world: Any) -> None:
    conversation, recorder, _, chain = world
    calls: list[str] = []
    original = chain.match

    async def counting(text: str, session_id: str) -> Answer | None:
        calls.append(text)
        return await original(text, session_id)

    chain.match = counting  # type: ignore[method-assign]
    await conversation.on_early_transcript("turn on the kitchen light")
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    assert calls == ["turn on the kitchen light"]


async def test_an_early_match_is_dropped_when_the_user_went_on(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_early_transcript("turn on the")
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    answer = (await answered(recorder))[0]
    assert answer.text == "The kitchen light is on."


async def test_a_voice_failure_still_ends_the_turn(world: Any) -> None:
    conversation, recorder, _, _ = world

    def broken(text: str) -> Any:
        raise RuntimeError("voice model gone")

    conversation._engines.speech.tts.synthesize = broken  # type: ignore[attr-defined]
    await conversation.on_user_turn("What time is it?", spoken())
    await settle(lambda: bool(recorder.of(ErrorEvent)))
    await settle(lambda: recorder.of(StateChanged)[-1].state == "listening")


async def test_mute_yourself_mutes_the_conversation_that_asked(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("Mute yourself.", spoken())
    await settle(lambda: bool(recorder.of(BotAnswered)))
    assert conversation.listener.muted and "microphone is off" in recorder.of(BotAnswered)[0].text
    await settle(lambda: recorder.of(StateChanged)[-1].state == "muted")


async def test_repeat_says_the_last_answer_again(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("What time is it?", spoken())
    first = (await answered(recorder))[0]
    await conversation.on_user_turn("Repeat that.", spoken())
    await settle(lambda: len(recorder.of(BotAnswered)) == 2)
    assert recorder.of(BotAnswered)[1].text == first.text


async def test_the_llm_answer_started_at_the_pause_is_adopted(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_early_transcript("what is the capital of france")
    await settle(lambda: len(llm.asked) == 1)
    assert recorder.of(BotAnswered) == [], "nothing is shown before the turn ends"
    await conversation.on_user_turn("What is the capital of France?", spoken())
    answer = (await answered(recorder))[0]
    assert "Paris" in answer.text and len(llm.asked) == 1, "the early generation was used, not run again"
    assert conversation.get_context()[-2] == {"role": "user", "content": "what is the capital of france"}


async def test_an_early_llm_answer_is_dropped_when_the_words_change(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_early_transcript("what is the capital")
    await settle(lambda: len(llm.asked) == 1)
    await conversation.on_user_turn("What is the capital of Spain?", spoken())
    await answered(recorder)
    assert len(llm.asked) == 2 and llm.asked[1][-1]["content"] == "What is the capital of Spain?"


async def test_a_tool_call_waits_for_the_commit() -> None:
    from firmware_py.llm.base import ToolCall
    from firmware_py.respond.early_llm import CommitGatedTools

    from .scripted import NoDevice
    from firmware_py.llm.tools import ToolRegistry

    bus = EventBus()
    recorder = Recorder(bus)
    committed = asyncio.Event()
    gated = CommitGatedTools(ToolRegistry(bus, NoDevice(), []), committed)
    call = asyncio.create_task(gated.call("s1", ToolCall(id="c1", name="set_volume", arguments={"percent": 20})))
    await asyncio.sleep(0.05)
    assert not call.done() and recorder.of(FunctionCallStarted) == []
    committed.set()
    assert (await call).ok and recorder.of(FunctionCallStarted)


async def test_the_llm_is_not_offered_the_actions_the_sentences_own(world: Any) -> None:
    conversation, _, _, _ = world
    offered = {schema["function"]["name"] for schema in conversation._engines.tools.schemas()}
    assert not offered & {"get_time", "set_timer", "turn_on", "set_volume"}


async def test_a_large_model_may_be_offered_them(chain_settings: Settings) -> None:
    bus = EventBus()
    engines = scripted_engines(bus)
    settings_with_actions = replace(chain_settings, intents=replace(chain_settings.intents, llm_actions=True))
    chain = await asyncio.to_thread(build_chain, settings_with_actions, engines.tools, bus, ScriptedHost(), [])
    offered = {schema["function"]["name"] for schema in engines.tools.schemas()}
    assert {"get_time", "set_timer", "turn_on"} <= offered
    await chain.close()
    close_engines(engines)


async def say_in_two_pieces(conversation: Conversation, recorder: Recorder, first: str, rest: str) -> BotAnswered:
    """`first`, a pause in which nothing is answered, then `rest`: the answer."""
    await conversation.on_user_turn(first, spoken())
    await asyncio.sleep(0.3)
    assert recorder.of(BotAnswered) == [], "half a request is not answered at once"
    await conversation.on_user_speech_started()
    await conversation.on_user_turn(rest, spoken())
    return (await answered(recorder))[0]


async def test_a_command_cut_short_by_a_pause_waits_for_its_rest(world: Any) -> None:
    conversation, recorder, llm, _ = world
    answer = await say_in_two_pieces(conversation, recorder, "Set the kitchen light.", "To fifty percent.")
    assert answer.text == "The kitchen light is at 50 percent." and llm.asked == []
    assert [e.arguments for e in recorder.of(FunctionCallInProgress)] == [{"device": "kitchen light", "percent": 50}]


@pytest.mark.parametrize(("first", "rest"), [("How much time is?", "Left on my timer."),
                                             ("Never,", "Mind."), ("Said the kitchen light.", "To fifty percent.")])
async def test_a_piece_that_sounds_cut_off_waits_for_its_rest(world: Any, first: str, rest: str) -> None:
    conversation, recorder, llm, _ = world
    await say_in_two_pieces(conversation, recorder, first, rest)
    assert llm.asked == [] or first.rstrip(",.?") in str(llm.asked[-1])


async def test_the_rest_that_comes_while_the_first_piece_is_still_read_is_joined_to_it(world: Any) -> None:
    """On a busy board the first piece may still be read when its rest starts: it is held for it all the
    same, never dropped for the rest alone (the CI machine once sent "To fifty percent." alone to the LLM)."""
    conversation, recorder, llm, _ = world
    reading = conversation._speculator.claim
    slow_once = [True]

    async def slow_claim(text: str) -> Any:
        if slow_once.pop() if slow_once else False:
            await asyncio.sleep(0.6)
        return await reading(text)

    conversation._speculator.claim = slow_claim   # type: ignore[method-assign]
    await conversation.on_user_turn("Set the kitchen light.", spoken())
    await asyncio.sleep(0.1)   # the rest starts while the first piece is still being read
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("To fifty percent.", spoken())
    answer = (await answered(recorder))[0]
    assert answer.text == "The kitchen light is at 50 percent." and llm.asked == []


async def test_a_command_that_ends_on_a_dangling_word_waits_for_its_rest(world: Any) -> None:
    """"Add one minute to. | The rice timer,": the first piece matched (the one timer running) and ran at once,
    and its rest went to the LLM; it now waits, and the request runs once, named."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set a rice timer for twenty minutes.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Add one minute to.", spoken())
    await asyncio.sleep(0.3)
    assert len(recorder.of(BotAnswered)) == 1, "the piece waits for its rest"
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("The rice timer.", spoken())
    await answered(recorder, 2)
    adds = [e.arguments for e in recorder.of(FunctionCallInProgress) if e.function_name == "add_timer_time"]
    assert adds == [{"seconds": 60, "label": "rice"}] and llm.asked == []


async def test_a_sums_first_number_waits_for_its_rest(world: Any) -> None:
    """Seed 1063: "What is five? | Plus three." was answered "Five is a magical number ..." in the pause."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("What is five?", spoken())
    await asyncio.sleep(0.3)
    assert recorder.of(BotAnswered) == [], "the first number waits for the rest of the sum"
    await conversation.on_user_speech_started()
    await conversation.on_user_turn("Plus three.", spoken())
    assert (await answered(recorder))[0].text == "5 plus 3 is 8."


def test_what_sounds_cut_off() -> None:
    from firmware_py.respond.unfinished import sounds_unfinished

    for text in ("Cancel the", "How much time is?", "Which day of the", "Never,", "Set the kitchen light.",
                 "Said a timer.", "Turned the porch.", "Started to pass the timer.", "Opened her.",
                 "How do I?", "Can you?",   # a question stopped at its subject
                 "What is five?", "What's 12?", "How much is twenty-five?",   # a sum's first number
                 "Who wrote Romeo,", "How many legs does a,", "Which, on the porch light,"):   # short, cut, or no asking word
        assert sounds_unfinished(text), text
    for text in ("What time is it?", "Tell me a joke.", "Good morning.", "Thank you", "What is going on?", "What is love?",
                 "Cancel the, um, I want to know the weather in Paris tomorrow morning please.",
                 "Who painted the Mona Lisa,"):   # a question asked in full, its voice not falling at the end
        assert not sounds_unfinished(text), text



def test_what_reads_as_a_finished_sentence() -> None:
    from firmware_py.respond.unfinished import reads_finished

    for text in ("Why is the sky blue?", "What is the boiling point of water?", "Timer for twenty five minutes, please.",
                 "What is the moiling point of water", "who wrote Romeo and Juliet"):   # a plain question, no mark
        assert reads_finished(text), text
    # (a question cut by a pause is written with a comma or a question mark: "How many legs does," and "What
    # is the boiling?" over the kept turns of 33 runs, never without a mark)
    for text in ("What timers?", "Good.", "How much time is?", "Set the kitchen light.", "Why is the sky,", "Never,",
                 "How much time is", "What is the", "Tell me a joke", "I had a long day", "How many legs does,"):
        assert not reads_finished(text), text


async def test_an_unknown_device_not_named_like_one_waits_for_the_rest(world: Any) -> None:
    """"Turn the porch | light off": the piece before the pause names no device ("porch"); refusing it at
    once lost the command."""
    conversation, recorder, _, _ = world
    answer = await say_in_two_pieces(conversation, recorder, "Turned the porch.", "Light off.")
    assert "porch light" in answer.text, answer.text   # one request: "I don't know a device called porch light."


async def test_an_unfinished_command_with_no_rest_is_still_answered(world: Any) -> None:
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Set the kitchen light.", spoken())
    await asyncio.sleep(0.5)
    assert recorder.of(BotAnswered) == []
    await settle(lambda: bool(recorder.of(BotAnswered)), timeout=5.0)
    assert llm.asked, "after the wait, the turn is answered as it is"


async def test_an_interrupted_match_leaves_the_history_alone(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("What time is it?", spoken())
    await answered(recorder)
    before = conversation.get_context()
    await conversation.on_user_turn("Set the kitchen light.", spoken())   # held...
    await asyncio.sleep(0.1)
    await conversation.on_user_speech_started()                         # ...and the user goes on
    assert conversation.get_context() == before


async def test_the_device_state_asked_for_is_the_one_last_commanded(world: Any) -> None:
    conversation, recorder, _, _ = world
    await conversation.on_user_turn("Turn on the kitchen light.", spoken())
    await answered(recorder)
    await conversation.on_user_turn("Is the kitchen light on?", spoken())
    await settle(lambda: len(recorder.of(BotAnswered)) == 2)
    assert recorder.of(BotAnswered)[1].text == "The kitchen light should be on: that is what I last told it."


async def test_one_word_mended_into_a_command_waits_for_the_rest_of_the_sentence(world: Any) -> None:
    """"Canzola," (cancel) then "the pasta timer": one mended word is no stop order while a rest may come."""
    conversation, recorder, llm, _ = world
    await conversation.on_user_turn("Canzola,", spoken())
    await settle(lambda: conversation._held is not None)   # (read on a loaded machine, it may take a while)
    assert recorder.of(BotAnswered) == [] and conversation._held == "Canzola,"


@pytest.mark.parametrize(("said_by_llm", "asked", "said", "told"), [
    # a small model repeats words it cannot make sense of (a mis-heard request): the user hears that nothing was
    # understood, never their words as a promise
    ("I'll open the front gate.", "I'll open the front gate.", "Sorry, I didn't catch that.", True),
    # an answer that opens with the request speaks only the rest
    ("What is the capital of Brazil? The capital of Brazil is Brasilia.", "What is the capital of Brazil?",
     "The capital of Brazil is Brasilia.", False),
])
async def test_an_answer_never_says_the_request_back(world: Any, said_by_llm: str, asked: str, said: str,
                                                     told: bool) -> None:
    """What is spoken, answered and kept in the history leaves out the sentences that said the request back;
    the client is told when nothing else was left."""
    conversation, recorder, llm, _ = world
    llm.answer = said_by_llm
    await conversation.on_user_turn(asked, spoken())
    answer = (await answered(recorder))[0]
    assert answer.text == said and [e.text for e in recorder.of(BotOutput)] == [said]
    assert bool(recorder.of(ErrorEvent)) is told
    assert conversation.context.messages()[-1] == {"role": "assistant", "content": said}
