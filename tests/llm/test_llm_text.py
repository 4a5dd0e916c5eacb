from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_py.llm.text import SentenceSplitter, clean_for_speech


@pytest.mark.parametrize(("raw", "spoken"), [
    ("**Paris** is the _capital_ of France.", "Paris is the capital of France."),
    ("# Steps\n- Boil water\n- Add *pasta*", "Steps. Boil water. Add pasta."),
    ("1. First\n2. Second!", "First. Second!"),
    ("See [the docs](https://example.com/x) for more.", "See the docs for more."),
    ("Visit https://example.com today 🙂👍🏽", "Visit today"),
    ("Use `set_timer` with ~~two~~ three minutes.", "Use set_timer with two three minutes."),
    ("```python\nprint('hi')\n```", "print('hi')"),
    ("It is 25°C and sunny ☀️.", "It is 25°C and sunny."),
    ("> quoted <b>bold</b> text", "quoted bold text"),
    ("", ""),
])
def test_clean_for_speech(raw: str, spoken: str) -> None:
    assert clean_for_speech(raw) == spoken


def feed(splitter: SentenceSplitter, text: str, step: int = 3) -> list[str]:
    """Push `text` in small pieces, as tokens arrive, then flush."""
    out = []
    for i in range(0, len(text), step):
        out += splitter.push(text[i:i + step])
    return out + splitter.flush()


def test_splits_sentences_as_they_complete() -> None:
    splitter = SentenceSplitter()
    assert splitter.push("Hello there. How are") == ["Hello there."]
    assert splitter.push(" you? I am") == ["How are you?"]
    assert splitter.push(" fine!") == []  # the "!" could still be followed by more punctuation or a quote
    assert splitter.flush() == ["I am fine!"]
    assert splitter.flush() == []


@pytest.mark.parametrize("text", [
    "The price is 3.5 dollars today.",
    "Dr. Smith lives in the U.S. near St. Louis.",
    "Bring fruit, e.g. apples and pears.",
    "J. R. R. Tolkien wrote it.",
])
def test_does_not_split_numbers_or_abbreviations(text: str) -> None:
    assert feed(SentenceSplitter(), text) == [text]


def test_splits_on_newlines_and_keeps_closing_quotes() -> None:
    text = 'He said "stop." Then he left\nNext line? Yes.'
    assert feed(SentenceSplitter(), text, step=1) == ['He said "stop."', "Then he left", "Next line?", "Yes."]


def test_first_clause_early() -> None:
    splitter = SentenceSplitter(first_clause_early=True, clause_min_words=4)
    text = "Well, the capital of France, as you know, is Paris. It is big, old and lovely."
    assert feed(splitter, text) == ["Well, the capital of France,", "as you know, is Paris.",
                                    "It is big, old and lovely."]


def test_first_clause_needs_enough_words() -> None:
    assert feed(SentenceSplitter(first_clause_early=True, clause_min_words=6), "Yes, it is. Ok.") == ["Yes, it is.", "Ok."]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .!?,\n3\"")), max_size=80), st.integers(1, 7))
def test_splitter_loses_no_text(text: str, step: int) -> None:
    pieces = feed(SentenceSplitter(first_clause_early=True), text, step)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert all(p == p.strip() and p for p in pieces)
