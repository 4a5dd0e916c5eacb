"""Sentences of a paragraph, and inline Markdown removed so a sentence reads as plain words.

Abbreviations, decimals, prices ("$4.50") and codes keep their periods: a sentence ends at . ! or ? followed
by a space and a capital, digit or quote, unless the period belongs to a known abbreviation or a single
initial ("a.m." and "p.m." may end one).
"""

from __future__ import annotations

import re

_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|Jr|Sr|vs|etc|e\.g|i\.e|No|Nr|approx|incl|excl|min|max|Mon|Tue|"
    r"Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Ave|Rd|Blvd|Sq|Fl|ext|tel|approx)"
    r"|\b[A-Za-z])\.$", re.IGNORECASE)
_CLOCK_SUFFIX = re.compile(r"\b[ap]\.m\.$", re.IGNORECASE)
""""a.m." and "p.m." end a time, and often the sentence: "Open until 6 p.m. We close on Mondays."."""
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[A-Z0-9\"“'(])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_CODE = re.compile(r"`([^`]*)`")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"\s+")


def plain_inline(text: str) -> str:
    """Markdown emphasis, code marks, links, images and stray HTML tags removed; the words stay."""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _CODE.sub(lambda m: m.group(1), text)
    for _ in range(2):  # nested emphasis, e.g. ***bold italic***
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    text = _TAG.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph, in order, none empty."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        candidate = paragraph[start:match.end()].strip()
        ending = candidate.rstrip("\"'”’)]")
        if _ABBREVIATIONS.search(ending) and not _CLOCK_SUFFIX.search(ending):
            continue
        sentences.append(candidate)
        start = match.end()
    sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if any(ch.isalnum() for ch in sentence)]
