"""Written forms read as words, and sentence splitting for streamed synthesis."""

from __future__ import annotations

import pytest

from firmware_py.speech.text import normalize_for_speech, speakable, split_sentences


@pytest.mark.parametrize("written, spoken", [
    ("It is 12:30.", "It is twelve thirty."),
    ("Meet me at 7:05 pm.", "Meet me at seven oh five P.M."),
    ("It is 21 degrees outside.", "It is twenty-one degrees outside."),
    ("It is 21°C.", "It is twenty-one degrees Celsius."),
    ("It is -5 degrees.", "It is minus five degrees."),
    ("That costs $9.99.", "That costs nine dollars and ninety-nine cents."),
    ("Only $1 or $0.50.", "Only one dollar or fifty cents."),
    ("£5 and €20.50", "five pounds and twenty euros and fifty cents"),
    ("It grew by 3.5 times.", "It grew by three point five times."),
    ("Dr. Smith is in.", "Doctor Smith is in."),
    ("Bring tools, e.g. a hammer.", "Bring tools, for example a hammer."),
    ("Fruit, i.e. apples, etc.", "Fruit, that is apples, et cetera."),
    ("the 1st, 2nd, 3rd and 23rd", "the first, second, third and twenty-third"),
    ("In 1999 we moved.", "In nineteen ninety-nine we moved."),
    ("since 2005", "since two thousand and five"),
    ("Built in 2024.", "Built in twenty twenty-four."),
    ("music of the 1980s and 90s", "music of the nineteen eighties and nineties"),
    ("Sales rose 15% and 2.5%.", "Sales rose fifteen percent and two point five percent."),
    ("1,250 people came.", "one thousand two hundred and fifty people came."),
    ("I have 3 cats.", "I have three cats."),
    ("It is 5 km away.", "It is five kilometers away."),
    ("Hello 👋 world\x07!", "Hello world!"),
    ("", ""),
    # numbers people copy (phones, codes, references) are read out exactly
    ("Call 555-0100 for help.", "Call five five five, zero one zero zero for help."),
    ("Phone +44 20 7946 0958.", "Phone plus four four, two zero, seven nine four six, zero nine five eight."),
    ("The door code is 0417.", "The door code is zero four one seven."),
    ("The Wi-Fi password is Guest2024.", "The Wi-Fi password is Guest two zero two four."),
    ("Booking reference 7F3K9Q.", "Booking reference seven F three K nine Q."),
    ("Pages 10-12 cover it.", "Pages ten to twelve cover it."),
    ("Open 10am to 5pm today.", "Open ten A.M. to five P.M. today."),
])
def test_normalize_for_speech(written: str, spoken: str) -> None:
    assert normalize_for_speech(written) == spoken


def test_normalized_text_has_no_digits_left() -> None:
    text = "On 3/4/2024 at 10:15, 42 of 1,000 users paid $3.25 (7.5%) for the 2nd time."
    assert not any(ch.isdigit() for ch in normalize_for_speech(text))


def test_speakable_drops_controls_and_symbols() -> None:
    assert speakable("a\u0000b\tc 🎉 d") == "a b c d"


@pytest.mark.parametrize("text, sentences", [
    ("Hello there. How are you?", ["Hello there.", "How are you?"]),
    ("It costs 3.5 dollars. Fine!", ["It costs 3.5 dollars.", "Fine!"]),
    ("Dr. Smith is here. He is early.", ["Dr. Smith is here.", "He is early."]),
    ("Use a tool, e.g. a hammer. Then stop.", ["Use a tool, e.g. a hammer.", "Then stop."]),
    ("It was 3 p.m. when we met. Really.", ["It was 3 p.m. when we met.", "Really."]),
    ('She said "Stop." Then left.', ['She said "Stop."', "Then left."]),
    ("First line\nSecond line", ["First line", "Second line"]),
    ("Wait... what? Yes!", ["Wait... what?", "Yes!"]),
    ("  ", []),
    ("...", []),
])
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_long_sentences_are_cut_at_clauses() -> None:
    clause = "this clause goes on for a while without stopping"
    sentence = ", ".join([clause] * 12) + "."
    pieces = split_sentences(sentence)
    assert len(pieces) > 1
    assert all(len(piece) <= 240 for piece in pieces)
    assert " ".join(pieces) == sentence


