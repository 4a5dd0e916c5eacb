"""Markdown (and text turned into it) to passages: split by heading, then by paragraph, list and table.

Every passage keeps the titles of the sections it sits in. A list is one passage whose items are its
sentences; a table is one passage whose rows read "first cell: other cells".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sentences import split_sentences
from .documents import Passage
from .sentences import plain_inline

_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT_RULE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_TABLE_RULE = re.compile(r"^[\s|:-]+$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_THEMATIC_BREAK = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
_QA_PREFIX = re.compile(r"^[ \t]*(?:Q|A|Question|Answer)[:.)][ \t]+", re.MULTILINE)
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)([^*_].*?)\1\s*$")
"""A line that is only bold text is a title, as in many FAQs ("**Can I cancel?**")."""
_HEADER_MARK = "\x00"
MAX_ITEM_CHARS = 200
"""A list item longer than this is split into sentences; a shorter one is kept whole (it reads as one)."""


@dataclass
class _Builder:
    name: str
    headings: list[tuple[int, str]] = field(default_factory=list)
    outline_level: int = 0
    """Level of the last Markdown heading (not a bold line standing as one)."""
    kind: str = ""
    lines: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)

    def heading(self, level: int, title: str, outline: bool = True) -> None:
        self.flush()
        if outline:
            self.outline_level = level
        title = plain_inline(title).rstrip(":")
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        if title:
            self.headings.append((level, title))

    def add(self, kind: str, line: str) -> None:
        if kind != self.kind:
            self.flush()
            self.kind = kind
        self.lines.append(line)

    def extend_last(self, line: str) -> None:
        self.lines[-1] += " " + line.strip()

    def flush(self) -> None:
        if self.lines:
            sentences = _SENTENCES_OF[self.kind](self.lines)
            if sentences:
                titles = tuple(title for _, title in self.headings)
                header = [line[1:] for line in self.lines if line.startswith(_HEADER_MARK)]
                context = plain_inline(" ".join(header).replace("|", " ")) if header else ""
                self.passages.append(Passage(self.name, titles, tuple(sentences), context))
        self.kind, self.lines = "", []


def parse_markdown(text: str, name: str) -> list[Passage]:
    """Passages of a Markdown document, in document order."""
    builder = _Builder(name)
    lines = _without_front_matter(text.splitlines())
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
            builder.flush()
            continue
        if in_fence:
            if line.strip():
                builder.add("code", line.strip())
            continue
        _parse_line(builder, _QUOTE.sub("", line))
    builder.flush()
    return builder.passages


def _parse_line(builder: _Builder, line: str) -> None:
    if not line.strip() or _THEMATIC_BREAK.match(line) and builder.kind != "para":
        builder.flush()
        return
    heading = _ATX_HEADING.match(line)
    if heading:
        builder.heading(len(heading.group(1)), heading.group(2))
        return
    bold = _BOLD_LINE.match(line)
    if bold and builder.kind != "list":  # a title one level below the last real heading, beside its peers
        builder.heading(min(6, builder.outline_level + 1), bold.group(2), outline=False)
        return
    setext = _SETEXT_RULE.match(line)
    if setext and builder.kind == "para" and len(builder.lines) == 1:
        title = builder.lines.pop()
        builder.kind = ""
        builder.heading(1 if setext.group(1)[0] == "=" else 2, title)
        return
    if _TABLE_ROW.match(line):
        if not _TABLE_RULE.match(line):
            builder.add("table", line)
        elif builder.kind == "table" and len(builder.lines) == 1:
            builder.lines[0] = _HEADER_MARK + builder.lines[0]  # the row above the rule is the header
        return
    item = _LIST_ITEM.match(line)
    if item:
        builder.add("list", item.group(1))
    elif builder.kind == "list" and line[:1].isspace():
        builder.extend_last(line)
    else:
        builder.add("para", line.strip())


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                return lines[index + 1:]
    return lines


def _paragraph_sentences(lines: list[str]) -> list[str]:
    if _one_fact_per_line(lines):  # "Friday: 8 am to 4 pm" on its own line, with no full stop
        return [sentence for line in lines for sentence in split_sentences(plain_inline(line))]
    return split_sentences(plain_inline(" ".join(lines)))


def _one_fact_per_line(lines: list[str]) -> bool:
    """Short lines that end without punctuation and each begin with a capital are separate facts, not a
    paragraph wrapped at a fixed width."""
    return (len(lines) > 1 and all(len(line) <= MAX_ITEM_CHARS and line[:1].isupper() for line in lines)
            and not any(line.rstrip()[-1:] in ",;" for line in lines[:-1])
            and sum(line.rstrip()[-1:] not in ".!?" for line in lines) >= len(lines) - 1)


def _list_sentences(lines: list[str]) -> list[str]:
    sentences: list[str] = []
    for item in lines:
        text = plain_inline(item)
        sentences.extend(split_sentences(text) if len(text) > MAX_ITEM_CHARS else [text] if text else [])
    return sentences


def _table_sentences(lines: list[str]) -> list[str]:
    body = [line for line in lines if not line.startswith(_HEADER_MARK)]
    rows = [[plain_inline(cell) for cell in line.strip().strip("|").split("|")] for line in body]
    sentences = []
    for cells in rows:
        cells = [cell for cell in cells if cell]
        if len(cells) >= 2:
            sentences.append(f"{cells[0]}: {', '.join(cells[1:])}")
        elif cells:
            sentences.append(cells[0])
    return sentences


def _code_sentences(lines: list[str]) -> list[str]:
    return [line for line in lines if line]


_SENTENCES_OF = {"para": _paragraph_sentences, "list": _list_sentences, "table": _table_sentences,
                 "code": _code_sentences}


def text_as_markdown(text: str) -> str:
    """Plain text with its evident headings marked `##`: a short line without final punctuation (or a
    question, as in a FAQ) that stands alone before a paragraph or opens one."""
    text = _QA_PREFIX.sub("", text.replace("\r\n", "\n"))  # "Q: ..." / "A: ..." as plain question and answer
    blocks = re.split(r"\n\s*\n", text)
    marked: list[str] = []
    level = "#"  # the first title is the document's, the others its sections
    for index, block in enumerate(blocks):
        lines = block.strip().split("\n")
        if len(lines) == 1 and index + 1 < len(blocks) and _looks_like_title(lines[0]):
            marked.append(f"{level} {lines[0].strip().rstrip(':')}")
        elif len(lines) > 1 and _looks_like_title(lines[0]) and re.match(r"\s*[A-Z0-9\"“]", lines[1]):
            marked.append(f"{level} {lines[0].strip().rstrip(':')}\n" + "\n".join(lines[1:]))
        else:
            marked.append(block)
            continue
        level = "##"
    return "\n\n".join(marked)


def _looks_like_title(line: str) -> bool:
    stripped = line.strip()
    words = len(stripped.split())
    if not 0 < words <= 12 or _LIST_ITEM.match(stripped):
        return False
    return stripped.endswith("?") or (words <= 8 and not re.search(r"[.!,;]$", stripped))
