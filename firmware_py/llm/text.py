"""From streamed model text to speakable sentences: markdown/emoji/URL clean-up and a streaming splitter."""

from __future__ import annotations

import re
import unicodedata

_FENCE = re.compile(r"```[^\n`]*\n?|```")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>\n]*>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_STRIKE = re.compile(r"~~(.+?)~~")
_LINE_MARKUP = re.compile(r"^\s{0,3}(?:#{1,6}\s*|>\s?|[-*+•]\s+|\d{1,3}[.)]\s+)", re.MULTILINE)
_LEFTOVER = re.compile(r"[*#`~]|(?<!\w)_|_(?!\w)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.MULTILINE)
_SPACES = re.compile(r"[ \t\u00a0]+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([.,!?;:])")
_KEEP_SYMBOLS = set("°©®™№")
_EMOJI_JOINERS = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_SENTENCE_END = ".!?…"


def clean_for_speech(text: str) -> str:
    """Markdown, links, URLs, HTML tags and emoji removed; lines joined into speakable sentences."""
    text = _FENCE.sub("", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _LINE_MARKUP.sub("", text)
    text = _LEFTOVER.sub("", text).replace("|", ", ")
    text = "".join(ch for ch in text if not _is_emoji(ch))
    lines = [_SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", line)).strip(" ,") for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > 1:  # separate lines are separate thoughts: make each one end like a sentence
        lines = [line if line[-1] in _SENTENCE_END + ",;:" else line + "." for line in lines]
    return " ".join(lines).strip()


def _is_emoji(ch: str) -> bool:
    if ch in _EMOJI_JOINERS or "\U0001f3fb" <= ch <= "\U0001f3ff":
        return True
    return unicodedata.category(ch) == "So" and ch not in _KEEP_SYMBOLS


# --- sentence splitting ------------------------------------------------------------------------------

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
_CLAUSE = re.compile(r"[,;:](?=\s)")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "approx", "dept", "fig", "cf", "ca"}
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$")


def _is_abbreviation(before: str) -> bool:
    """Does the text before a "." end in an abbreviation or an initial rather than a sentence?"""
    word = before.rsplit(None, 1)[-1] if before.strip() else ""
    if _DOTTED.search(word + "."):
        return True
    bare = word.strip("\"'(“‘").lower()
    return bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha() and bare != "i" and word[-1:].isupper())


class SentenceSplitter:
    """Cuts streamed text into sentences for TTS, as soon as each one is complete.

    A sentence ends at . ! ? (followed by white space, so "3.5" stays whole) or at a line break; "Dr.",
    "e.g." and "U.S." do not end one. With `first_clause_early`, the first piece may end at a comma (or ;
    or :) once it has `clause_min_words` words, so speech starts sooner.
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
            return match.end()
        if self.first_clause_early and self._emitted == 0:
            for match in _CLAUSE.finditer(self._buffer):
                if len(self._buffer[:match.start()].split()) >= self.clause_min_words:
                    return match.end()
        return None
