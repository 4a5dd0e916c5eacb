"""The command sentences as an automaton a recogniser decodes against: it accepts what the intents accept
(with case, marks, spaces and numbers as STT writes them), and nothing a question or a chat is made of."""

from __future__ import annotations

import numpy as np
import pytest

from firmware_py.integrations.devices import DeviceDirectory, parse_devices
from firmware_py.respond.command_grammar import DEAD, CommandGrammar
from firmware_py.respond.command_reread import CommandReread
from firmware_py.respond.intent_matcher import FILLERS, IntentMatcher
from firmware_py.respond.intents import UNSUPPORTED
from firmware_py.speech.constrained import PER_STATE, GrammarFollower
from firmware_py.speech.moonshine import END_TOKEN

DEVICES = [
    {"name": "office blinds", "area": "office", "kind": "cover", "command_topic": "home/office/blinds/set"},
    {"name": "kitchen light", "area": "kitchen", "kind": "light", "command_topic": "home/kitchen/light/set"},
]


@pytest.fixture(scope="module")
def grammar() -> CommandGrammar:
    matcher = IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES)))
    return CommandReread(matcher, UNSUPPORTED).prepare()


def reads(grammar: CommandGrammar, text: str) -> bool:
    """`text` as a recogniser writes it, token by token (a leading space starts a word)."""
    state = grammar.start
    for word in text.split(" "):
        state = grammar.advance(state, " " + word)
    return grammar.accepts(state)


@pytest.mark.parametrize("text", [
    "Close the office blinds.", "Set a timer for ten minutes.", "Set a timer for 10 minutes.",
    "Set a timer for twenty-five minutes", "Set a pasta timer for eight minutes.", "What time is it?",
    "Turn on the kitchen light", "Turn the volume up a little.", "Set the volume to 30%.",
    "Um, so, mute yourself.", "Never mind.", "What day is it today?",
    # lengths in words, which the matcher rewrites before it matches ("an hour and a half": 90 minutes), seed 773
    "Start a pizza timer for an hour and a half.", "Set a timer for a minute and a half.",
    "Start a pizza timer for an hour.", "Timer for an hour and a half for the roast.",
])
def test_the_commands_read_as_written(grammar: CommandGrammar, text: str) -> None:
    assert reads(grammar, text)


@pytest.mark.parametrize("text", [
    "Close me off his lines.", "Why is the sky blue?", "Tell me a joke.", "Turn on the garage heater.",
    "Set a timer for", "What is the capital of France?", "Thanks a lot.", "Is the kitchen light on?",
    "Pasta timer status",   # a timer's name is never a sentence's first words ("what gay timer status")
])
def test_other_sentences_and_half_commands_do_not(grammar: CommandGrammar, text: str) -> None:
    assert not reads(grammar, text)


@pytest.mark.parametrize(("text", "read"), [
    ("What is five and three?", True), ("What's a hundred and five plus twenty-five?", True),
    ("Set the volume to eighty.", True), ("Set a timer for a minute.", True),
    ("And and and.", False), ("So, and? And and?", False), ("What is a plus a?", False),
    ("What is five plus and?", False), ("What is and five plus three?", False),
])
def test_a_number_is_never_its_joining_words_alone(grammar: CommandGrammar, text: str, read: bool) -> None:
    """"and" joins two number words and "a" opens one: the sum sentence "{number_a} and {number_b}" made of
    them alone fitted every mumble's "and"s, and such readings filled the beam."""
    assert reads(grammar, text) is read


def test_a_dead_end_stays_dead(grammar: CommandGrammar) -> None:
    state = grammar.advance(grammar.start, " Close me")
    assert state == DEAD and grammar.advance(state, " the office blinds") == DEAD and not grammar.accepts(state)


def test_the_questions_and_the_unserved_are_left_out(grammar: CommandGrammar) -> None:
    assert grammar.sentences > 100
    assert not reads(grammar, "What's the weather like?") and not reads(grammar, "Start the vacuum.")


TOKENS = ["<unk>", "<s>", "</s>", "\u2581Close", "\u2581me", "\u2581the", "\u2581office", "\u2581blinds", ".",
          "\u2581BLINDS", "T.", "\u2581close", ",", "\u2581Set"]


def log_probs(**scores: float) -> np.ndarray:
    row = np.full(len(TOKENS), -30.0)
    for text, value in scores.items():
        row[TOKENS.index(text.replace("_", "\u2581").replace("END", "</s>").replace("DOT", ".").replace("COMMA", ","))] = value
    return row


def test_the_follower_offers_only_what_a_sentence_can_hold(grammar: CommandGrammar) -> None:
    follower = GrammarFollower(grammar, TOKENS)
    state = follower.start()
    first = follower.options(state, log_probs(_me=-0.1, _Close=-1.0, DOT=-0.5, _Set=-2.0), 8)
    offered = [TOKENS[token] for token, _ in first]
    assert offered[:2] == ["\u2581Close", "\u2581Set"], "likeliest first"
    assert not {"\u2581me", ".", "T.", "\u2581BLINDS"} & set(offered), "no mark first, no 'me', no capitals"
    state = dict(first)[TOKENS.index("\u2581Close")]
    after = follower.options(state, log_probs(_me=-0.1, _the=-2.0, _BLINDS=-0.2, END=-0.3), 8)
    offered = [TOKENS[t] for t, _ in after]
    assert offered[0] == "\u2581the" and END_TOKEN not in dict(after), "no end before a sentence is whole"
    assert not {"\u2581me", "\u2581BLINDS", "T."} & set(offered)
    for word in ("\u2581the", "\u2581office", "\u2581blinds"):
        state = dict(follower.options(state, log_probs(**{word.replace("\u2581", "_"): 0.0}), 8))[TOKENS.index(word)]
    ends = [t for t, _ in follower.options(state, log_probs(END=-0.5, DOT=-0.1), 8)]
    assert ends[:2] == [TOKENS.index("."), END_TOKEN]
    after_mark = dict(follower.options(state, log_probs(DOT=-0.1), 8))[TOKENS.index(".")]
    marks = {TOKENS.index("."), TOKENS.index(",")}
    assert END_TOKEN in dict(follower.options(after_mark, log_probs(END=-1.0), 8))
    assert not marks & set(dict(follower.options(after_mark, log_probs(DOT=-0.1, COMMA=-0.2), 8))), "one mark at a time"


def test_people_start_again_and_the_reading_follows(grammar: CommandGrammar) -> None:
    follower = GrammarFollower(grammar, TOKENS)
    state = follower.start()
    for token in ("\u2581Close", "\u2581the", ",", "\u2581close", "\u2581the", "\u2581office", "\u2581blinds"):
        options = dict(follower.options(state, log_probs(**{token.replace("\u2581", "_").replace(",", "COMMA"): 0.0}), 8))
        assert TOKENS.index(token) in options, token
        state = options[TOKENS.index(token)]
    assert END_TOKEN in dict(follower.options(state, log_probs(END=0.0), 8))


def test_a_restart_is_the_same_first_word_again(grammar: CommandGrammar) -> None:
    """"Cancel the, pause the timer" is no restart: a reading's tail could otherwise be any command."""
    follower = GrammarFollower(grammar, TOKENS)
    state = follower.start()
    for token in ("\u2581Close", "\u2581the", ","):
        state = dict(follower.options(state, log_probs(**{token.replace("\u2581", "_").replace(",", "COMMA"): 0.0}), 8))[TOKENS.index(token)]
    offered = dict(follower.options(state, log_probs(_Set=0.0, _close=-1.0), 8))
    assert TOKENS.index("\u2581Set") not in offered and TOKENS.index("\u2581close") in offered


def test_fillers_open_a_sentence_but_never_end_one() -> None:
    matcher = IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES)))
    grammar = CommandGrammar(matcher.library_intents, ["HassNevermind"], matcher.slot_lists, FILLERS)
    assert reads(grammar, "Oh, never mind.") and reads(grammar, "Um so never mind")
    assert not reads(grammar, "Oh.") and not reads(grammar, "Never mind um")


def test_a_sentence_opens_with_a_few_fillers_not_any_number() -> None:
    """Noise read within the commands ran to the step limit as "Oh, oh, oh, oh, ..." (seed 953)."""
    from firmware_py.respond.command_grammar import MOST_OPENINGS

    matcher = IntentMatcher("en", DeviceDirectory(parse_devices(DEVICES)))
    grammar = CommandGrammar(matcher.library_intents, ["HassNevermind"], matcher.slot_lists, FILLERS)
    assert reads(grammar, "Oh, " * MOST_OPENINGS + "never mind.")
    assert not reads(grammar, "Oh, " * (MOST_OPENINGS + 1) + "never mind.")


def test_a_sentence_starts_again_a_few_times_not_any_number(grammar: CommandGrammar) -> None:
    """Noise read within the commands ran to the step limit as "Go on, go on, go on, ..." (seed 953)."""
    from firmware_py.speech.constrained import MOST_RESTARTS

    follower = GrammarFollower(grammar, TOKENS)
    words = ["\u2581Close", "\u2581the", ","] * (MOST_RESTARTS + 1) + ["\u2581close", "\u2581the", "\u2581office", "\u2581blinds"]
    ids = [TOKENS.index(word) for word in words]
    assert follower.holds(ids[3 * (MOST_RESTARTS + 1) - 3:]) and follower.holds(ids[3:])
    assert not follower.holds(ids)


@pytest.mark.parametrize(("text", "read"), [
    ("Please close the office blinds.", True),
    ("Could you turn on the kitchen light, please?", True),
    ("Can you please set a timer for ten minutes?", True),
    ("Volume up, please.", True),
    ("Please.", False),                                  # a politeness alone is no command
    ("Close the please office blinds.", False),          # nor is it read inside one
    ("Close the office blinds please please", False),
])
def test_a_command_read_again_may_be_asked_politely(grammar: CommandGrammar, text: str, read: bool) -> None:
    """"Please set a timer for twenty seconds" fitted no sentence, so a request said politely was never read again."""
    assert reads(grammar, text) is read


def test_the_memo_of_states_read_is_dropped_when_large_and_reading_goes_on(grammar: CommandGrammar) -> None:
    assert reads(grammar, "Close the office blinds.")
    grammar.forget(beyond=0)
    assert reads(grammar, "Close the office blinds.") and not reads(grammar, "Close me off his lines.")
    assert reads(grammar, "Set a timer for five minutes.")


NAMED = ["<unk>", "<s>", "</s>", "\u2581Set", "\u2581the", "\u2581value", "\u2581mail", "\u2581mile", "\u2581youth",
         "\u2581volume"]


def test_the_spellings_of_a_free_name_leave_room_for_the_command(grammar: CommandGrammar) -> None:
    """"Set the value", "mail", "mile", "youth": each can start a timer's name ("set the {name} timer for ..."),
    and each leads to the same place in the sentences. The likeliest few are offered, then other words
    ("Set the volume"), which were never looked at when every spelling of a name came first."""
    follower = GrammarFollower(grammar, NAMED)
    state = follower.start()
    for word in ("\u2581Set", "\u2581the"):
        state = dict(follower.options(state, _named_probs(**{word: 0.0}), 8))[NAMED.index(word)]
    names = {word: -1.0 - index * 0.1 for index, word in enumerate(NAMED[5:9])}
    offered = [NAMED[token] for token, _ in follower.options(state, _named_probs(**names, **{"\u2581volume": -5.0}), 4)]
    assert "\u2581volume" in offered and offered[0] == "\u2581value"
    assert len([word for word in offered if word != "\u2581volume"]) == PER_STATE


def _named_probs(**scores: float) -> np.ndarray:
    row = np.full(len(NAMED), -30.0)
    for text, value in scores.items():
        row[NAMED.index(text)] = value
    return row


KEYED = ["<unk>", "<s>", "</s>", "\u2581Lower", "\u2581the", "\u2581m", "\u2581my", "\u2581volume", "\u2581Close",
         "\u2581office", "\u2581mile"]


def test_a_key_word_is_looked_at_wherever_a_sentence_may_hold_it(grammar: CommandGrammar) -> None:
    """"Lower the mile, you.": after "Lower the", "volume" was not among the recogniser's likeliest tokens; a
    word only commands use is looked at all the same, and only where a sentence can hold it."""
    follower = GrammarFollower(grammar, KEYED)

    def row(**scores: float) -> np.ndarray:
        values = np.full(len(KEYED), -30.0)
        for text, value in scores.items():
            values[KEYED.index(text.replace("_", "\u2581"))] = value
        return values

    state = follower.start()
    for word in ("\u2581Lower", "\u2581the"):
        state = dict(follower.options(state, row(**{word.replace("\u2581", "_"): 0.0}), 1))[KEYED.index(word)]
    offered = [KEYED[token] for token, _ in follower.options(state, row(_m=-0.1, _my=-0.5, _office=-1.0), 1)]
    assert "\u2581volume" in offered and "\u2581office" not in offered[1:], offered
    state = follower.start()
    for word in ("\u2581Close", "\u2581the"):
        state = dict(follower.options(state, row(**{word.replace("\u2581", "_"): 0.0}), 1))[KEYED.index(word)]
    assert "\u2581volume" not in [KEYED[token] for token, _ in follower.options(state, row(_office=-1.0), 1)]
