"""One splitter: text streamed token by token and the same text said whole are cut at the same places, so
what a client is shown matches what the voice speaks."""

from __future__ import annotations

import pytest

from firmware_py.sentences import SentenceSplitter, split_sentences
from firmware_py.speech.text import split_sentences as voice_split

TEXTS = [
    "The kitchen light is on. The timer has 5 minutes left.",
    "Dr. Smith arrives at 5 p.m. tomorrow. Bring the U.S. passport!",
    "It costs 3.50 euros, e.g. for one adult. Children go free?",
    "Open from 9 a.m. to 6 p.m. every day. Closed on holidays.",
    "First line\nSecond line. Third one…",
]


def streamed(text: str, step: int) -> list[str]:
    splitter = SentenceSplitter()
    pieces: list[str] = []
    for start in range(0, len(text), step):
        pieces += splitter.push(text[start:start + step])
    return pieces + splitter.flush()


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("step", [1, 3, 7])
def test_streamed_and_whole_text_split_alike(text: str, step: int) -> None:
    assert streamed(text, step) == split_sentences(text)


def test_the_voices_use_the_same_splitter() -> None:
    for text in TEXTS:
        assert voice_split(text) == split_sentences(text)


def test_abbreviations_and_lower_case_continuations_do_not_end_a_sentence() -> None:
    assert split_sentences("Dr. Smith arrives at 5 p.m. tomorrow. See you.") == [
        "Dr. Smith arrives at 5 p.m. tomorrow.", "See you."]


def test_a_quotation_ending_in_a_question_mark_goes_on_with_a_lower_case_word() -> None:
    """The device asking which was meant spoke 'did you say "... running?"' and ' or "... time?"?' apart."""
    asked = 'Sorry, did you say "Uh, what timers are running?" or "Uh, what time?"?'
    assert split_sentences(asked) == [asked]
    assert split_sentences('She said "Stop!" Then she left.') == ['She said "Stop!"', "Then she left."]


def test_documents_and_answers_are_cut_by_the_same_splitter() -> None:
    """A quoted passage breaks where its spoken answer does: the knowledge base uses this splitter too."""
    from firmware_py.knowledge.parsing import parse_markdown

    text = ("Dr. Smith sees patients on Mon. and Tue. from 9 a.m. The clinic is at 12 Main Rd. in Springfield. "
            "Open until 6 p.m. We close on Mondays. Meet at 5 p.m. tomorrow in the lobby.")
    [passage] = parse_markdown(f"# Clinic\n\n{text}\n", "clinic.md")
    assert list(passage.sentences) == split_sentences(text) == [
        "Dr. Smith sees patients on Mon. and Tue. from 9 a.m.", "The clinic is at 12 Main Rd. in Springfield.",
        "Open until 6 p.m.", "We close on Mondays.", "Meet at 5 p.m. tomorrow in the lobby."]
