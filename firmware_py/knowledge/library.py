"""The knowledge base: the documents of the configured sources, kept indexed as files come, change and go.

`refresh()` compares every file's (mtime, size) with what was indexed and re-reads only what changed; a
document that cannot be read is recorded with the reason (and logged once per change) while the rest loads.
`ask()` answers a question from the index; both are safe to call from different threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import KnowledgeSettings
from .answering import Found, find_answer
from .documents import DocumentError
from .formats import read_document
from .index import KnowledgeIndex
from .question import analyse_question
from .sources import library_dir, scan_sources
from .terms import GREETING_WORDS, TermMaker

log = logging.getLogger("rtvi_edge.knowledge")

ProgressCallback = Callable[[int, int], None]
"""Called with (documents read, documents to read) while a refresh reads files."""


@dataclass(frozen=True)
class DocumentStatus:
    path: str
    passages: int
    problem: str = ""
    """Why the document is not used; empty when it is indexed."""


@dataclass(frozen=True)
class RefreshReport:
    read: int
    removed: int
    failed: int
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.read or self.removed or self.failed)


def synonym_groups(lines: list[str]) -> list[list[str]]:
    """`["lift, elevator", ...]` -> `[["lift", "elevator"], ...]`."""
    return [[word.strip() for word in line.split(",") if word.strip()] for line in lines]


class KnowledgeBase:
    def __init__(self, settings: KnowledgeSettings) -> None:
        self.settings = settings
        self.library = library_dir(settings.dir)
        self.index = KnowledgeIndex(TermMaker(synonym_groups(settings.synonyms)))
        self._seen: dict[str, tuple[int, int]] = {}
        self._status: dict[str, DocumentStatus] = {}
        self._refreshing = threading.Lock()

    def refresh(self, progress: ProgressCallback | None = None) -> RefreshReport:
        """Bring the index in line with the files on disk now."""
        with self._refreshing:
            started = time.perf_counter()
            scan = scan_sources(self.settings.sources, self.library)
            gone = [path for path in self._seen if path not in scan.files]
            changed = [path for path, mark in scan.files.items() if self._seen.get(path) != mark]
            for path in gone:
                self.index.remove_document(path)
                self._seen.pop(path)
                self._status.pop(path, None)
            failed = 0
            for done, path in enumerate(changed, start=1):
                failed += not self._load(path, scan.files[path])
                if progress:
                    progress(done, len(changed))
            for source, reason in scan.problems.items():
                if self._status.get(source, DocumentStatus(source, 0)).problem != reason:
                    log.warning("knowledge source skipped", extra={"source": source, "reason": reason})
                self._status[source] = DocumentStatus(source, 0, reason)
            for source in [path for path, status in self._status.items()
                           if status.problem and path not in scan.files and path not in scan.problems]:
                self._status.pop(source)
            report = RefreshReport(len(changed) - failed, len(gone), failed, time.perf_counter() - started)
        if report.changed:
            log.info("knowledge indexed", extra={"read": report.read, "removed": report.removed,
                                                 "failed": report.failed, "passages": self.index.passage_count,
                                                 "secs": round(report.seconds, 3)})
        return report

    def _load(self, path: str, mark: tuple[int, int]) -> bool:
        self._seen[path] = mark
        try:
            document = read_document(Path(path))
        except DocumentError as err:
            self.index.remove_document(path)
            self._status[path] = DocumentStatus(path, 0, str(err))
            log.warning("knowledge document skipped", extra={"document": path, "reason": str(err)})
            return False
        except Exception as err:  # a parser bug must not cost the other documents
            self.index.remove_document(path)
            self._status[path] = DocumentStatus(path, 0, f"could not be parsed: {err!r}")
            log.exception("knowledge document failed", extra={"document": path})
            return False
        self.index.replace_document(path, document.passages)
        self._status[path] = DocumentStatus(path, len(document.passages))
        return True

    def ask(self, question: str) -> Found | None:
        """The document sentences that answer `question`, or None."""
        return find_answer(analyse_question(question, self.index.terms), self.index, self.settings.min_score)

    def has_content_words(self, question: str) -> bool:
        """False for "hello", "thanks", "ok": nothing a document could be asked about."""
        return bool(set(self.index.terms.terms(question, merge_synonyms=True)) - GREETING_WORDS)

    @property
    def is_empty(self) -> bool:
        return self.index.passage_count == 0

    def status(self) -> list[DocumentStatus]:
        return sorted(self._status.values(), key=lambda status: status.path)

    def close(self) -> None:
        self.index.close()

