"""Retrieval and answers on the benchmark documents: the right sentence, word for word, or nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from firmware_py.knowledge import KnowledgeBase

from .conftest import base_with, make_base


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
    base = base_with(tmp_path / "cafe.md", "# Café\n\nThe café is on the ground floor, beside the shop.\n", library)
    assert base.ask("How much is a coffee in the café?") is None
    assert base.ask("What time does the café open?") is None
    found = base.ask("Where is the café?")
    assert found is not None and "ground floor" in found.text


def test_a_count_is_not_a_duration_and_instructions_come_whole(tmp_path: Path, library: Path) -> None:
    text = ("# Library\n\n## Borrowing\n\nBooks are loaned for three weeks. You can borrow up to 15 items.\n\n"
            "## Cards\n\nCards are free. Bring a photo ID to the front counter. Replacements cost $3.\n")
    base = base_with(tmp_path / "library.md", text, library)
    assert "15 items" in base.ask("How many books can I borrow?").text  # type: ignore[union-attr]
    assert "three weeks" in base.ask("How long can I keep a book?").text  # type: ignore[union-attr]
    steps = base.ask("How do I get a card?")
    assert steps is not None and "photo ID" in steps.text and steps.text.startswith("Cards are free.")


def test_a_question_naming_another_document_is_not_answered_from_this_one(tmp_path: Path, library: Path) -> None:
    (tmp_path / "zoo.md").write_text("# Riverbend Zoo\n\n## Food\n\nThe Safari Café serves hot meals from 11 am.\n")
    (tmp_path / "library.md").write_text("# City Library\n\n## Computers\n\nComputers are on the second floor.\n")
    base = make_base([tmp_path], library)
    assert base.ask("Does the library have a café?") is None
    assert base.ask("Is there a café at the zoo?") is not None


def test_schedules_and_places_answer_for_their_own_subject(tmp_path: Path, library: Path) -> None:
    text = ("# Conference\n\n## Schedule\n\n| Time | Session | Room |\n|---|---|---|\n"
            "| 9:00 am | Opening keynote | Main Hall |\n| 5:30 pm | Closing party | Roof Terrace |\n\n"
            "## Cloakroom\n\nThe cloakroom is next to the desk and closes after the closing party ends.\n")
    base = base_with(tmp_path / "programme.md", text, library)
    assert "9:00 am" in base.ask("what time is the keynote").text  # type: ignore[union-attr]
    assert "Roof Terrace" in base.ask("where is the closing party").text  # type: ignore[union-attr]


def test_a_number_that_names_something_must_match(tmp_path: Path, library: Path) -> None:
    text = ("A new screen for an iPhone 13 costs $129. Adult tickets cost $18.\n")
    base = base_with(tmp_path / "repairs.txt", text, library)
    assert base.ask("How much is a screen for a Pixel 8?") is None
    assert "$129" in base.ask("How much is a screen for an iPhone 13?").text  # type: ignore[union-attr]


def test_ranges_opposites_and_faq_titles(tmp_path: Path, library: Path) -> None:
    text = ("# Airport\n\n## Gates\n\nGates 14 to 30 are in Pier B. Gates close 20 minutes before departure.\n\n"
            "## Parking\n\nThe short-stay car park costs $4 for 30 minutes.\n\n"
            "## Where do I collect the car?\n\nOur desk is in the arrivals hall.\n")
    base = base_with(tmp_path / "airport.md", text, library)
    assert "Pier B" in base.ask("Where is gate 20?").text  # type: ignore[union-attr]
    assert base.ask("How much is long stay parking?") is None
    assert "arrivals hall" in base.ask("Where do I pick up the car?").text  # type: ignore[union-attr]


def test_seasons_and_qualified_prices(tmp_path: Path, library: Path) -> None:
    text = ("# Office\n\n## Hours\n\nFrom May to September we close at 7 pm. From October to April we close at "
            "5 pm.\n\n## Earbuds\n\nA lost earbud can be replaced for $39.\n")
    base = base_with(tmp_path / "office.md", text, library)
    assert "7 pm" in base.ask("What time do you close in summer?").text  # type: ignore[union-attr]
    assert "5 pm" in base.ask("When do you close in winter?").text  # type: ignore[union-attr]
    assert base.ask("How much do the earbuds cost?") is None  # a replacement's price is not the product's
    assert "$39" in base.ask("I lost one earbud, how much is a new one?").text  # type: ignore[union-attr]


def test_phone_numbers_dates_and_night(tmp_path: Path, library: Path) -> None:
    text = ("Most screen repairs take about one hour and you can wait in the shop. The season runs from "
            "December 12 to April 5. Our phone number is 555-0177.\n")
    base = base_with(tmp_path / "fixit_phone_repair.txt", text, library)
    assert "555-0177" in base.ask("What's the shop's phone number?").text  # type: ignore[union-attr]
    assert "April 5" in base.ask("When does the season end?").text  # type: ignore[union-attr]
    assert base.ask("Is there night skiing?") is None


def test_an_age_meets_the_range_that_holds_it(tmp_path: Path, library: Path) -> None:
    text = ("# Prices\n\n- Adults: $19\n- Juniors (3 to 15): $14\n- Under 3s: free\n\n"
            "## Rules\n\nChildren under 8 must be with an adult.\n")
    base = base_with(tmp_path / "prices.md", text, library)
    assert "$14" in base.ask("How much for a ten year old?").text  # type: ignore[union-attr]
    assert "free" in base.ask("Do I have to pay for my two year old?").text  # type: ignore[union-attr]
    assert "under 8" in base.ask("Does my 6 year old need an adult with him?").text  # type: ignore[union-attr]


def test_the_venue_named_in_a_question_is_the_document_itself(tmp_path: Path, library: Path) -> None:
    text = ("# City Museum of Art\n\n## Visit\n\nOpen daily 10:00-17:00. Closed 24-26 December.\n\n"
            "## Exhibition\n\nLight and Water: Impressionist landscapes runs until 30 March.\n")
    base = base_with(tmp_path / "art.md", text, library)
    assert "17:00" in base.ask("What time does the museum close?").text  # type: ignore[union-attr]
    assert "24-26 December" in base.ask("Is the museum open on Boxing Day?").text  # type: ignore[union-attr]
    assert "30 March" in base.ask("When does the impressionist exhibition finish?").text  # type: ignore[union-attr]


def test_a_percentage_off_is_no_price(tmp_path: Path, library: Path) -> None:
    text = "# Bikes\n\n## Scheme\n\nEmployees can save up to 40 percent on a new bike.\n"
    base = base_with(tmp_path / "bikes.md", text, library)
    assert base.ask("How much is a new bike?") is None
    assert "40 percent" in base.ask("Is a new bike cheaper through the scheme?").text  # type: ignore[union-attr]
