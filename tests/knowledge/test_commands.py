"""`rtvi-edge knowledge add|list|search|remove` through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_py.cli import main


@pytest.fixture
def config(tmp_path: Path, library: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[knowledge]\ndir = "{library}"\n')
    return str(path)


def test_add_search_list_remove(tmp_path: Path, library: Path, config: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "hours.md"
    doc.write_text("# Hours\n\nThe shop opens at 9 am.\n")
    assert main(["--config", config, "knowledge", "add", str(doc)]) == 0
    assert (library / "hours.md").read_text() == doc.read_text()
    assert main(["--config", config, "knowledge", "search", "when", "does", "the", "shop", "open"]) == 0
    assert "The shop opens at 9 am." in capsys.readouterr().out

    assert main(["--config", config, "knowledge", "list"]) == 0
    assert "hours.md  1 passages" in capsys.readouterr().out
    assert main(["--config", config, "knowledge", "remove", "hours.md"]) == 0
    assert not (library / "hours.md").exists()
    assert main(["--config", config, "knowledge", "search", "when does the shop open"]) == 1


def test_a_broken_document_is_refused_with_the_reason(tmp_path: Path, library: Path, config: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "scan.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing")
    assert main(["--config", config, "knowledge", "add", str(broken)]) == 1
    assert "refused" in capsys.readouterr().out and not (library / "scan.pdf").exists()
    assert main(["--config", config, "knowledge", "remove", "scan.pdf"]) == 1
