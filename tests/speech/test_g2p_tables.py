"""hibari's G2P on packed, memory-mapped tables reads every sentence exactly as hibari's own G2P does."""

from __future__ import annotations

from pathlib import Path

import pytest
from hibari.g2p import G2P

from firmware_py.speech.g2p_tables import PackedTable, packed_g2p

SENTENCES = [
    "Hello there.",
    "I read the book yesterday and I will read it again tomorrow.",
    "The lead singer took the lead, and the wind will wind down.",
    "It is sunny and twenty degrees in the kitchen today.",
    "Set a timer for 10 minutes at 3:45 pm, costing $12.50.",
    "Supercalifragilisticexpialidocious Zxqv words!",
    "I used to live there. I used it. Don't you think?",
    "What's the capital of France? Paris, of course.",
]


def test_packed_table_answers_like_a_dict(tmp_path: Path) -> None:
    mapping = {"read": {"DEFAULT": "ɹˈid", "VBD": "ɹˈɛd"}, "hello": "həlˈO", "": "empty key", "ünï": "u"}
    mapping.update({f"word{i}": f"w{i}" for i in range(2000)})
    PackedTable.pack(mapping).save(tmp_path, "t")
    table = PackedTable.load(tmp_path, "t")
    assert len(table) == len(mapping)
    for key, value in mapping.items():
        assert table.get(key) == value
    assert table.get("absent") is None and table.get("absent", 1) == 1
    assert "hello" in table and "Hello" not in table


@pytest.fixture(scope="module")
def stock() -> G2P:
    return G2P()


def test_packed_g2p_matches_hibaris_own(tmp_path: Path, stock: G2P) -> None:
    first = packed_g2p(False, [tmp_path])          # builds the packs
    again = packed_g2p(False, [tmp_path])          # maps them
    assert [again(text) for text in SENTENCES] == [first(text) for text in SENTENCES] \
        == [stock(text) for text in SENTENCES]


def test_an_unfinished_pack_is_rebuilt(tmp_path: Path, stock: G2P) -> None:
    packed_g2p(False, [tmp_path])
    [pack] = tmp_path.iterdir()
    (pack / "done").unlink()                        # as if the build had been interrupted
    assert packed_g2p(False, [tmp_path])(SENTENCES[1]) == stock(SENTENCES[1])
    assert (pack / "done").is_file()


def test_no_writable_directory_is_an_os_error(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where a directory should be")
    with pytest.raises(OSError):
        packed_g2p(False, [blocked / "cache"])
