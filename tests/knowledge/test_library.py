"""Indexing, re-indexing on change, broken and missing sources: the rest always loads."""

from __future__ import annotations

import os
from pathlib import Path

from firmware_py.knowledge.terms import TermMaker

from .conftest import make_base


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _touch_later(path: Path) -> None:
    """Moves the mtime forward, as a later save would, however coarse the file system's clock."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 2_000_000_000))


def test_documents_are_indexed_and_answered_from(tmp_path: Path, library: Path) -> None:
    doc = _write(tmp_path / "shop.md", "# Shop\n\n## Hours\n\nThe shop opens at 9 am and closes at 5 pm.\n")
    base = make_base([doc], library)
    found = base.ask("When does the shop open?")
    assert found is not None
    assert found.text == "The shop opens at 9 am and closes at 5 pm."
    assert (Path(found.document).name, found.section) == ("shop.md", "Hours")
    assert [(Path(s.path).name, s.passages, s.problem) for s in base.status()] == [("shop.md", 1, "")]


def test_a_changed_document_is_read_again_and_a_removed_one_forgotten(tmp_path: Path, library: Path) -> None:
    doc = _write(library / "wifi.md", "# Wi-Fi\n\nThe Wi-Fi password is Apple-1234.\n")
    base = make_base([], library)
    assert "Apple-1234" in base.ask("What's the wifi password?").text  # type: ignore[union-attr]

    _write(doc, "# Wi-Fi\n\nThe Wi-Fi password is Pear-5678.\n")
    _touch_later(doc)
    report = base.refresh()
    assert (report.read, report.removed) == (1, 0)
    assert "Pear-5678" in base.ask("What's the wifi password?").text  # type: ignore[union-attr]
    assert base.refresh().changed is False  # nothing new: nothing read

    doc.unlink()
    assert base.refresh().removed == 1
    assert base.ask("What's the wifi password?") is None
    assert base.is_empty


def test_a_broken_document_is_named_with_its_reason_and_the_rest_loads(tmp_path: Path, library: Path) -> None:
    _write(library / "good.md", "# Parking\n\nThe car park is behind the station.\n")
    (library / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (library / "notes.txt").write_bytes(b"\x00\x00binary\x00")
    missing = tmp_path / "nowhere.md"
    base = make_base([missing], library)
    problems = {Path(s.path).name: s.problem for s in base.status() if s.problem}
    assert set(problems) == {"broken.pdf", "notes.txt", "nowhere.md"}
    assert "PDF" in problems["broken.pdf"] and "binary" in problems["notes.txt"]
    assert problems["nowhere.md"] == "does not exist"
    assert base.ask("Where is the car park?") is not None


def test_hidden_and_temporary_files_are_not_documents(library: Path) -> None:
    _write(library / ".draft.md", "# Secret\n\nThe code is 1234.\n")
    _write(library / "notes.md~", "# Old\n\nOld text.\n")
    assert make_base([], library).is_empty


def test_synonyms_spoken_forms_and_numbers_meet() -> None:
    maker = TermMaker([["lift", "elevator"]])
    assert set(maker.terms("Where's the elevator?", merge_synonyms=True)) == {"zzlift"}
    for spoken in ("wifi", "Wi-Fi", "wi fi", "the wireless"):
        assert maker.terms(spoken, merge_synonyms=True) == ["zzwifi"]
    assert maker.terms("twenty five dollars at nine thirty") == ["25", "dollar", "9", "30"]
    assert {"wednesday", "thursday"} <= set(maker.terms("Open Tue-Sun"))
    assert maker.terms("opening closes") == ["open", "clos", "zzhours", "zzhours"]
    assert maker.terms("Where can I leave my coat?", merge_synonyms=True) == ["zzlocker", "zzlocker"]  # stems meet
    assert maker.terms("I bought tickets") == ["buy", "ticket", "zzbuy", "zzticket"]  # irregular forms
    assert "zzcash" in maker.terms("We take notes and coins") and "zzcash" not in maker.terms("We do not")


def test_operator_synonyms_extend_the_built_in_ones(tmp_path: Path, library: Path) -> None:
    _write(library / "venue.md", "# Venue\n\nThe cloak room is beside the main stage.\n")
    assert make_base([], library).ask("Where is the garderobe?") is None
    base = make_base([], library, synonyms=["garderobe, cloak room"])
    assert base.ask("Where is the garderobe?") is not None
