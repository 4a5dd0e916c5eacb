"""Shared helpers: a knowledge base over files written into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_py.config import KnowledgeSettings
from firmware_py.knowledge import KnowledgeBase

BENCH_DOCUMENTS = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "knowledge_data" / "documents"


def make_base(sources: list[Path], library: Path, **settings: object) -> KnowledgeBase:
    knowledge = KnowledgeSettings(sources=[str(s) for s in sources], dir=str(library), **settings)  # type: ignore[arg-type]
    base = KnowledgeBase(knowledge)
    base.refresh()
    return base


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def bench_base() -> KnowledgeBase:
    """The benchmark's three documents (Markdown, HTML, text), indexed once for the module."""
    return make_base([BENCH_DOCUMENTS], Path("/nonexistent-library"))
