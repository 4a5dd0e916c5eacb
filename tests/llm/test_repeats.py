"""An answer that says the request back is not spoken: which sentences count as saying it back."""

from __future__ import annotations

import pytest

from firmware_py.llm.repeats import RepeatFilter, repeats_an_earlier_answer, says_the_request_back


@pytest.mark.parametrize(("sentence", "asked"), [
    ("I'll open the front gate.", "I'll open the front gate."),                   # a promise nothing keeps
    ("Um, what is the capital of Brazil?", "Um, what is the capital of Brazil?"),
    ("To pay a lift", "How to pay a lift a day,"),                                 # a run of half the words
    ("Pernan, the television.", "Pernan, / The television,"),
    ("D. D. Five minutes to the workout timer:", "D. D. Five minutes to the workout timer."),   # a heading
])
def test_a_run_of_the_request_words_is_saying_it_back(sentence: str, asked: str) -> None:
    assert says_the_request_back(sentence, asked)


@pytest.mark.parametrize(("sentence", "asked"), [
    ("Good morning.", "Good morning."),                                 # greetings are said back in kind
    ("Thank you very much!", "Thank you very much"),
    ("The capital of Brazil is Brasilia.", "What is the capital of Brazil?"),
    ("The capital of Brazil,", "What is the capital of Brazil?"),      # a clause may go on to answer
    ("The quick brown fox.", "Repeat after me: the quick brown fox"),  # asked to say it
    ("Lights on.", "Turn the lights on."),                              # two words: a reply
    ("Of the moon.", "Tell me a fun fact about the moon, with its size and distance please"),  # under half
])
def test_an_answer_that_uses_the_request_words_is_not_saying_it_back(sentence: str, asked: str) -> None:
    assert not says_the_request_back(sentence, asked)


def test_only_the_sentences_before_the_answer_proper_are_dropped() -> None:
    repeats = RepeatFilter("what is the capital of Brazil")
    kept = [s for s in ("What is the capital of Brazil?", "It is Brasilia.", "What is the capital of Brazil?")
            if repeats.keep(s)]
    assert kept == ["It is Brasilia.", "What is the capital of Brazil?"] and not repeats.only_repeated
    nothing_else = RepeatFilter("I'll open the front gate")
    assert not nothing_else.keep("I'll open the front gate.") and nothing_else.only_repeated
    assert RepeatFilter(None).keep("Anything at all.")
    trailing = RepeatFilter("How to pay a lift a day,")
    assert trailing.keep("To pay a lift a day,") and not RepeatFilter("How to pay a lift a day,").keep(
        "To pay a lift a day,", last=True), "a clause the answer ended on can go on to nothing"


@pytest.mark.parametrize(("opening", "earlier"), [
    ("The number of hours in a day is 24.", ["The number of hours in a day is 24."]),
    ("The number of hours in a day is 2.", ["A bicycle has two wheels.", "The number of hours in a day is 24."]),
    ("La lumière de la lumière est un fact,", ["La lumière de la lumière est un color."]),   # a first clause
    ("Le Grand Pimpinen is the capital of France.", ["Le Grand Paris is the capital of France."]),
])
def test_an_opening_copied_from_an_earlier_answer_is_a_loop(opening: str, earlier: list[str]) -> None:
    assert repeats_an_earlier_answer(opening, earlier)


@pytest.mark.parametrize(("opening", "earlier"), [
    ("The capital of Italy is Rome.", ["The capital of France is Paris."]),       # the same pattern, new facts
    ("A week is approximately 7 days.", ["A year is approximately 365 days."]),
    ("I'm not sure.", ["I'm not sure."]),                                          # too short to tell
    ("The number of hours in a day is 24.", []),
    ("Bees make honey.", ["The number of hours in a day is 24."]),
])
def test_an_answer_that_only_begins_alike_is_not_a_loop(opening: str, earlier: list[str]) -> None:
    assert not repeats_an_earlier_answer(opening, earlier)
