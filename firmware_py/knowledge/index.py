"""The passage index: SQLite FTS5 (BM25) over search terms, in memory, one row per passage.

Terms are made in Python (terms.py) and stored space-separated, so documents and questions are tokenised
identically. Each row's passage, with the terms of every sentence, is kept beside the table for sentence
selection; document frequencies are kept too, to weigh question terms. Writes replace a whole document
under a lock; reads take the same lock, so a query never sees half a document.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .documents import Passage
from .subjects import subject_of
from .terms import TermMaker, ages_covered, fold

HEADING_WEIGHT = 2.0
"""BM25 weight of the section titles against the passage body (a title names what the passage is about)."""


_CARRIES_ON = re.compile(r"^(it|its|it's|they|their|them|this|these|that|those|he|she|there)\b", re.IGNORECASE)
"""A sentence opening like this speaks of the one before it ("Lockers are... They take a coin"); so does the
answer that follows a question ("Can I cancel? Yes, with a month's notice.")."""


@dataclass(frozen=True)
class IndexedPassage:
    passage: Passage
    heading_terms: frozenset[str]
    """Terms of the section titles (and a table's header row), the document's own title apart."""
    title_terms: frozenset[str]
    """Terms of the document's title (when the passage also has section titles) and of its file name: they
    name what every passage of the document is about, so they say less about any one of them."""
    sentence_terms: tuple[frozenset[str], ...]
    """Each sentence's terms; a sentence that carries on from the one before also has that one's terms."""
    carries_on: tuple[bool, ...]
    ages: tuple[frozenset[str], ...]
    """Ages each sentence covers ("Juniors (3 to 15)"), for questions about a child's age."""
    subject_terms: tuple[frozenset[str], ...]
    """Terms of each sentence's subject (subjects.py); empty when it has none worth judging by."""
    pairs: tuple[frozenset[tuple[str, str]], ...]
    """Each sentence's neighbouring word stems ("young driver"), to prefer the very phrase asked about."""
    folded: tuple[str, ...]
    """Each sentence folded (lower case, no accents), to tell a word said from one inferred."""
    all_terms: frozenset[str]
    place_in_section: int
    """0 for the first passage under its headings: a section usually states its main fact first."""
    document_key: str = ""


@dataclass(frozen=True)
class Hit:
    passage: IndexedPassage
    rank: int
    """0 for the best BM25 match."""


class KnowledgeIndex:
    def __init__(self, terms: TermMaker) -> None:
        self.terms = terms
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE passages USING fts5(document UNINDEXED, headings, body, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
        self._lock = threading.Lock()
        self._passages: dict[int, IndexedPassage] = {}
        self._rows_of: dict[str, list[int]] = {}
        self._frequency: Counter[str] = Counter()
        self._terms_of: dict[str, frozenset[str]] = {}
        self._title_terms_of: dict[str, frozenset[str]] = {}

    def analyse(self, passage: Passage, place_in_section: int = 0) -> IndexedPassage:
        """A passage with its terms; the costly part of indexing, done outside the lock."""
        has_sections = len(passage.headings) > 1
        title, sections = (passage.headings[0], passage.headings[1:]) if has_sections else ("", passage.headings)
        title_terms = frozenset(self.terms.terms(f"{title} {_name_words(passage.document)}"))
        headings = frozenset(self.terms.terms(" ".join((*sections, passage.context))))
        term_lists = [self.terms.terms(sentence) for sentence in passage.sentences]
        own = [frozenset(terms) for terms in term_lists]
        carries_on = tuple(index > 0 and (bool(_CARRIES_ON.match(sentence))
                                          or passage.sentences[index - 1].rstrip().endswith("?"))
                           for index, sentence in enumerate(passage.sentences))
        sentences = tuple(terms | own[index - 1] if carries_on[index] else terms for index, terms in enumerate(own))
        subjects = tuple(frozenset(term for term in self.terms.terms(subject_of(sentence)) if not term.isdigit())
                         for sentence in passage.sentences)  # "9:00 am: Opening keynote" has no subject
        folded = tuple(fold(sentence) for sentence in passage.sentences)
        pairs = tuple(_pairs(terms) for terms in term_lists)
        ages = tuple(ages_covered(sentence) for sentence in passage.sentences)
        return IndexedPassage(passage, headings, title_terms, sentences, carries_on, ages, subjects, pairs, folded,
                              headings.union(title_terms, *own), place_in_section)

    def replace_document(self, key: str, passages: Sequence[Passage]) -> None:
        """Index `passages` as the document `key`, replacing what it had."""
        seen: Counter[tuple[str, ...]] = Counter()
        analysed = []
        for passage in passages:
            analysed.append(replace(self.analyse(passage, seen[passage.headings]), document_key=key))
            seen[passage.headings] += 1
        title = next((p.headings[0] for p in passages if p.headings), "")
        with self._lock, self._db:
            self._remove_locked(key)
            rows = []
            for item in analysed:
                cursor = self._db.execute(
                    "INSERT INTO passages (document, headings, body) VALUES (?, ?, ?)",
                    (key, " ".join(sorted(item.heading_terms | item.title_terms)), " ".join(_body_terms(item))))
                rowid = int(cursor.lastrowid or 0)
                self._passages[rowid] = item
                self._frequency.update(item.all_terms)
                rows.append(rowid)
            self._rows_of[key] = rows
            self._terms_of[key] = frozenset().union(*(item.all_terms for item in analysed))
            self._title_terms_of[key] = frozenset(self.terms.terms(title))

    def remove_document(self, key: str) -> None:
        with self._lock, self._db:
            self._remove_locked(key)

    def _remove_locked(self, key: str) -> None:
        self._terms_of.pop(key, None)
        self._title_terms_of.pop(key, None)
        for rowid in self._rows_of.pop(key, []):
            self._frequency.subtract(self._passages.pop(rowid).all_terms)
            self._db.execute("DELETE FROM passages WHERE rowid = ?", (rowid,))
        self._frequency += Counter()  # drops terms whose count fell to zero

    def search(self, terms: Sequence[str], limit: int = 8) -> list[Hit]:
        """The passages best matching any of `terms`, best first (BM25, titles weighted)."""
        distinct = sorted({term for term in terms if term.isalnum()})
        if not distinct:
            return []
        query = " OR ".join(f'"{term}"' for term in distinct)
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY bm25(passages, 0.0, ?, 1.0) LIMIT ?",
                (query, HEADING_WEIGHT, limit)).fetchall()
            return [Hit(self._passages[rowid], rank) for rank, (rowid,) in enumerate(rows)]

    def weight(self, term: str) -> float:
        """How telling a term is: BM25's inverse document frequency. A term no passage has weighs as much
        as the rarest one: a question about something the documents never name is mostly unanswered."""
        count = max(1, self._frequency.get(term, 0))
        total = len(self._passages)
        return math.log((total - count + 0.5) / (count + 0.5) + 1.0)

    def names_another_document(self, term: str, key: str) -> bool:
        """Whether `term` is in the title of another document and nowhere in document `key`: "Does the
        library have a café?" is not answered from the zoo guide's café."""
        if term in self._terms_of.get(key, frozenset()):
            return False
        return any(term in title for other, title in self._title_terms_of.items() if other != key)

    def knows(self, term: str) -> bool:
        return self._frequency.get(term, 0) > 0

    @property
    def passage_count(self) -> int:
        return len(self._passages)

    def documents(self) -> dict[str, int]:
        """Passages per indexed document key."""
        with self._lock:
            return {key: len(rows) for key, rows in self._rows_of.items()}

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _body_terms(item: IndexedPassage) -> list[str]:
    words = [term for sentence in item.sentence_terms for term in sorted(sentence)]
    return words + [age for ages in item.ages for age in sorted(ages)]  # so an age question finds its band


def _name_words(file_name: str) -> str:
    """"brewmaster_coffee_machine.md" -> "brewmaster coffee machine": a file's name often says what it is about."""
    return re.sub(r"[_\-.]+", " ", file_name.rsplit(".", 1)[0])


def _pairs(terms: list[str]) -> frozenset[tuple[str, str]]:
    return frozenset(zip(terms, terms[1:]))
