"""From streamed model text to speakable text: markdown/emoji/URL clean-up. The sentence splitter lives in
firmware_py/sentences.py, shared with the voices and everything that shows the bot's words."""

from __future__ import annotations

import re
import unicodedata

from ..sentences import SentenceSplitter

__all__ = ["SentenceSplitter", "clean_for_speech"]

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
