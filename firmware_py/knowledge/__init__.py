"""Answers from the operator's documents: sources, parsing, the SQLite FTS5 index, sentence selection,
re-indexing on change. `KnowledgeBase` is the entry point; the responder is `respond/knowledge.py`."""

from .answering import Found
from .library import DocumentStatus, KnowledgeBase, RefreshReport

__all__ = ["DocumentStatus", "Found", "KnowledgeBase", "RefreshReport"]
