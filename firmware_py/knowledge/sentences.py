"""Inline Markdown removed so a sentence reads as plain words. Sentences are cut by the product's one
splitter (firmware_py/sentences.py), so a quoted passage breaks where its spoken answer does.
"""

from __future__ import annotations

import re

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
