"""Shared helpers: a knowledge base over files written into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_py.config import KnowledgeSettings
from firmware_py.knowledge import KnowledgeBase

BENCH_DOCUMENTS = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "knowledge_data" / "documents"


def make_base(sources: list[Path], library: Path, **settings: object) -> KnowledgeBase:
    paths = [str(source) for source in sources]
    knowledge = KnowledgeSettings(sources=paths, dir=str(library), **settings)  # type: ignore[arg-type]
    base = KnowledgeBase(knowledge)
    base.refresh()
    return base


def base_with(path: Path, text: str, library: Path) -> KnowledgeBase:
    """A knowledge base over one document, written first."""
    path.write_text(text)
    return make_base([path], library)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def bench_base() -> KnowledgeBase:
    """The benchmark's three documents (Markdown, HTML, text), indexed once for the module."""
    return make_base([BENCH_DOCUMENTS], Path("/nonexistent-library"))
