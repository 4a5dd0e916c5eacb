"""Retrieval and answers on the benchmark documents: the right sentence, word for word, or nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from firmware_py.knowledge import KnowledgeBase

from .conftest import make_base


@pytest.mark.parametrize(("question", "fact"), [
    ("What's the wifi password?", "Tide-4412"),
    ("How much does it cost for kids?", "$9"),
    ("Where's the bathroom?", "next to the lift"),
    ("How late are you open on Thursday?", "9 pm"),
    ("What time is the planetarium show?", "11:30 am, 1:30 pm and 3:30 pm"),
    ("How do I do a factory reset on the Breeze?", "20 seconds"),
    ("What's the support phone number?", "1-800-555-0199"),
])
def test_answers_carry_the_fact_exactly(bench_base: KnowledgeBase, question: str, fact: str) -> None:
    found = bench_base.ask(question)
    assert found is not None and fact in found.text


@pytest.mark.parametrize("question", [
    "Is there a swimming pool?",
    "What time does the gift shop open?",
    "Does the thermostat work with Alexa?",
    "Who is the director of the museum?",
])
def test_questions_the_documents_do_not_answer_get_no_answer(bench_base: KnowledgeBase, question: str) -> None:
    assert bench_base.ask(question) is None


def test_every_answer_is_document_text(bench_base: KnowledgeBase) -> None:
    """An answer is whole sentences of one passage (a section title may lead them): nothing made up."""
    for question in ("Where can I get a coffee?", "What are your opening hours?", "How much is a ticket?",
                     "Can I bring my dog?", "How long do the batteries last in the thermostat?"):
        found = bench_base.ask(question)
        assert found is not None, question
        body = found.text.removeprefix(f"{found.section}: ")
        for sentence in re.split(r"(?<=[.!?])\s+", body):
            assert sentence.rstrip(".") in found.passage, (question, sentence)


def test_the_question_kind_must_be_met(tmp_path: Path, library: Path) -> None:
    """A price question is not answered with a sentence without a price, however many words match."""
    doc = tmp_path / "cafe.md"
    doc.write_text("# Café\n\nThe café is on the ground floor, beside the shop.\n")
    base = make_base([doc], library)
    assert base.ask("How much is a coffee in the café?") is None
    assert base.ask("What time does the café open?") is None
    found = base.ask("Where is the café?")
    assert found is not None and "ground floor" in found.text
