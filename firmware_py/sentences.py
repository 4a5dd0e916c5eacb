"""The one sentence splitter: what the voice speaks, what clients are shown and what MQTT publishes are cut
at the same places.

A sentence ends at . ! ? … (followed by white space, so "3.5" stays whole) or at a line break; "Dr.",
"e.g.", "a.m." and "U.S." do not end one, nor does a full stop, or a quotation's end mark, followed by a
lower-case word. Streamed text
(the LLM) goes through `SentenceSplitter`; whole text (a templated answer, `say`) through `split_sentences`,
which is the same rules plus cutting over-long sentences at clause marks for the voices.
"""

from __future__ import annotations

import re

MAX_SENTENCE_CHARS = 240
"""Longer sentences are cut at a comma or semicolon: the voices synthesize one piece at a time."""

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
_QUOTES_CLOSED = "\"'”’"
"""Marks that close a quotation: an end mark inside one ends the quoted words, not always the sentence."""
_CLAUSE = re.compile(r"[,;:](?=\s)")
CLAUSE_END = re.compile(r"(?<=[,;:—])\s+")
"""The space after a clause mark: where an over-long sentence (or its phonemes) may be cut."""
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "approx", "dept", "fig", "cf", "ca",
                  "etc", "no", "nr", "e.g", "i.e", "incl", "excl", "min", "max", "ave", "rd", "blvd", "sq", "fl", "ext",
                  "tel", "mon", "tue", "wed", "thu", "fri", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
                  "sept", "oct", "nov", "dec"}
# "a.m." and "p.m." are not in the list: they end a time and often the sentence ("Open until 6 p.m. We close
# on Mondays."); a lower-case word after them ("at 5 p.m. tomorrow") keeps the sentence going, as after any "."
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$")


def _is_abbreviation(before: str) -> bool:
    """Does the text before a "." end in an abbreviation or an initial rather than a sentence?"""
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    if word.lower() in ("a.m", "p.m"):
        return False
    if _DOTTED.search(word + "."):
        return True
    bare = word.strip("\"'(“‘").lower()
    return bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha() and bare != "i" and word[-1:].isupper())


class SentenceSplitter:
    """Cuts streamed text into sentences as soon as each one is complete.

    With `first_clause_early`, the first piece may end at a comma (or ; or :) once it has
    `clause_min_words` words, so speech starts sooner.
    """

    def __init__(self, first_clause_early: bool = False, clause_min_words: int = 4) -> None:
        self.first_clause_early = first_clause_early
        self.clause_min_words = clause_min_words
        self._buffer = ""
        self._emitted = 0

    def push(self, text: str) -> list[str]:
        self._buffer += text
        pieces = []
        while (cut := self._next_cut()) is not None:
            piece, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:]
            if piece:
                pieces.append(piece)
                self._emitted += 1
        return pieces

    def flush(self) -> list[str]:
        piece, self._buffer = self._buffer.strip(), ""
        if not piece:
            return []
        self._emitted += 1
        return [piece]

    def reset(self) -> None:
        self._buffer, self._emitted = "", 0

    def _next_cut(self) -> int | None:
        for match in _BOUNDARY.finditer(self._buffer):
            before = self._buffer[:match.start()]
            if match.group() == "\n" or not before.strip():
                if before.strip():
                    return match.end()
                continue
            if match.group()[0] == "." and len(match.group().rstrip("\"'”’)]")) == 1 and _is_abbreviation(before):
                continue
            following = self._buffer[match.end():].lstrip(" \t")
            if following[:1].islower() and (match.group()[0] == "." or match.group()[-1] in _QUOTES_CLOSED):
                # "at 5 p.m. tomorrow", "approx. ten", 'did you say "Mute?" or "Unmute?"' (seed 797: the
                # question was spoken as two sentences): a lower-case word goes on the sentence
                continue
            if not following:
                return None   # streamed text may go on with a lower-case word: wait for it (flush ends it)
            return match.end()
        if self.first_clause_early and self._emitted == 0:
            for match in _CLAUSE.finditer(self._buffer):
                if len(self._buffer[:match.start()].split()) >= self.clause_min_words:
                    return match.end()
        return None


def split_sentences(text: str) -> list[str]:
    """Whole text as the sentences to speak and show, over-long ones cut at clause marks."""
    splitter = SentenceSplitter()
    sentences = [*splitter.push(text), *splitter.flush()]
    pieces = [piece for sentence in sentences for piece in _cut_long(sentence.strip())]
    return [piece for piece in pieces if any(ch.isalnum() for ch in piece)]


def _cut_long(sentence: str) -> list[str]:
    return [sentence] if len(sentence) <= MAX_SENTENCE_CHARS else packed(CLAUSE_END.split(sentence), MAX_SENTENCE_CHARS)


def packed(parts: list[str], limit: int) -> list[str]:
    """Neighbouring `parts` joined by spaces into strings of at most `limit` (a longer part stays whole)."""
    joined: list[str] = []
    for part in parts:
        if joined and len(joined[-1]) + 1 + len(part) <= limit:
            joined[-1] += " " + part
        elif part:
            joined.append(part)
    return joined
