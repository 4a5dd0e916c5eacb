from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from firmware_py.speech.moonshine import read_tokens
from firmware_py.speech.token_table import TokenTable

PIECES = [b"<unk>", b"", b"\xe2\x96\x81the", b"\xff", "caf\u00e9".encode()]


def test_ids_give_back_their_bytes_and_text() -> None:
    table = TokenTable(PIECES)
    assert len(table) == len(PIECES)
    assert [table[i] for i in range(len(PIECES))] == PIECES
    assert table[-1] == "caf\u00e9".encode()
    assert table.texts[2] == "\u2581the"
    assert table.texts[3] == "\ufffd"          # invalid UTF-8 is replaced, never raised
    assert table.join([2, 4, 99, -1]) == b"\xe2\x96\x81thecaf\xc3\xa9"   # unknown ids are skipped
    with pytest.raises(IndexError):
        table[len(PIECES)]


def test_the_vocabulary_holds_a_fraction_of_a_list(models_root: Path) -> None:
    path = models_root / "stt" / "tokens.txt"
    tracemalloc.start()
    try:
        table = read_tokens(path)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table) > 30000
    listed = sum(len(piece) + 33 for piece in table) + 8 * len(table)   # bytes objects and the list's slots
    assert held < listed / 3
