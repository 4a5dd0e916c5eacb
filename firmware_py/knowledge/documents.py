"""What a document becomes: sections of passages of sentences, each sentence exactly as written."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    """One paragraph, list or table of a document, under its section headings."""

    document: str
    """The document's display name (its file name)."""
    headings: tuple[str, ...]
    """Section titles from the outermost to the nearest; empty before the first heading."""
    sentences: tuple[str, ...]
    """The passage's sentences, list items or table rows, as the document words them."""
    context: str = ""
    """Words that say what the passage is about without being part of it: a table's header row."""

    @property
    def section(self) -> str:
        return self.headings[-1] if self.headings else ""

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class ParsedDocument:
    path: str
    name: str
    passages: tuple[Passage, ...]


class DocumentError(Exception):
    """A document that cannot be read or parsed; the message is the reason, for the operator."""
