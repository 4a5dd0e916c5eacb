"""Answers from the operator's documents: sources, parsing, the SQLite FTS5 index, sentence selection,
re-indexing on change. `KnowledgeBase` is the entry point; the responder is `respond/knowledge.py`."""

from typing import Any

__all__ = ["DocumentStatus", "Found", "KnowledgeBase", "RefreshReport"]


def __getattr__(name: str) -> Any:
    """Loaded on first use: `rtvi-edge` builds its command line (and a satellite starts) without them."""
    if name == "Found":
        from .answering import Found
        return Found
    if name in ("DocumentStatus", "KnowledgeBase", "RefreshReport"):
        from . import library
        return getattr(library, name)
    raise AttributeError(name)
