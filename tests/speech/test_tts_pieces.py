"""A long sentence's phonemes are cut into pieces the voice makes one at a time: at commas where possible."""

from __future__ import annotations

from firmware_py.speech.tts import bounded_pieces


def test_short_chunks_pass_unchanged() -> None:
    assert bounded_pieces(["hɛlˈO.", "ðˈɛɹ."], 20) == ["hɛlˈO.", "ðˈɛɹ."]


def test_a_long_chunk_is_cut_at_its_commas_first() -> None:
    chunk = "aaaa bbbb, cccc dddd, eeee ffff, gggg."
    pieces = bounded_pieces([chunk], 22)
    assert pieces == ["aaaa bbbb, cccc dddd,", "eeee ffff, gggg."]
    assert " ".join(pieces) == chunk


def test_a_clause_longer_than_the_limit_is_cut_between_words() -> None:
    chunk = "one two three four five six seven eight nine ten"
    pieces = bounded_pieces([chunk], 15)
    assert all(len(piece) <= 15 for piece in pieces)
    assert " ".join(pieces) == chunk


def test_a_single_word_longer_than_the_limit_stays_whole() -> None:
    assert bounded_pieces(["supercalifragilistic short"], 10) == ["supercalifragilistic", "short"]
