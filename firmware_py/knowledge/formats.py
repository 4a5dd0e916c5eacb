"""Reading a document file of any supported format into passages; a failure names the reason.

Markdown and plain text need nothing; HTML is read with the standard library's parser (headings, paragraphs,
list items and table rows kept, scripts, styles and navigation dropped); PDF needs `pypdf` and a text layer.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .documents import DocumentError, ParsedDocument
from .parsing import parse_markdown, text_as_markdown

MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES + TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES
MAX_DOCUMENT_BYTES = 20 << 20


def read_document(path: Path) -> ParsedDocument:
    """The passages of the document at `path`, or DocumentError saying why it cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"too large ({size >> 20} MB; the limit is {MAX_DOCUMENT_BYTES >> 20} MB)")
        markdown = _pdf_text(path) if suffix in PDF_SUFFIXES else _markdown_of(path, suffix)
    except OSError as err:
        raise DocumentError(err.strerror or str(err)) from None
    passages = parse_markdown(markdown, path.name)
    if not passages:
        raise DocumentError("no text found in it")
    return ParsedDocument(str(path), path.name, tuple(passages))


def _markdown_of(path: Path, suffix: str) -> str:
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    elif b"\x00" in raw[:4096]:
        raise DocumentError("not a text file (binary content)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # older Windows editors
    if suffix in HTML_SUFFIXES:
        return html_as_markdown(text)
    return text_as_markdown(text) if suffix in TEXT_SUFFIXES else text


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        raise DocumentError("PDF needs the pypdf package (pip install pypdf)") from None
    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except (PyPdfError, ValueError, KeyError, TypeError) as err:
        raise DocumentError(f"unreadable PDF: {err}") from None
    if not any(page.strip() for page in pages):
        raise DocumentError("the PDF has no text layer (a scanned image?)")
    return "\n\n".join(text_as_markdown(page) for page in pages)


class _HtmlToMarkdown(HTMLParser):
    _SKIPPED = {"script", "style", "nav", "noscript", "template", "svg", "head"}
    _BREAKS = {"p", "div", "section", "article", "br", "ul", "ol", "table", "main", "aside", "dl", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.cells: list[str] | None = None
        self.header_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "dt":  # a definition list's term, as in many FAQ pages: a title for the <dd> after it
            self.out.append("\n\n**")
        elif tag == "dd":
            self.out.append("\n")
        elif tag == "tr":
            self.cells, self.header_row = [], True
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append("")
            self.header_row = self.header_row and tag == "th"
        elif tag in self._BREAKS:
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "dt":
            self.out.append("**\n")
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "table"):
            self.out.append("\n\n")
        elif tag == "tr" and self.cells is not None:
            self.out.append("\n| " + " | ".join(cell.strip() for cell in self.cells) + " |")
            if self.header_row and self.cells:
                self.out.append("\n|" + "---|" * len(self.cells))  # a row of <th> is the table's header
            self.cells = None

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip():
            if self.out and not self.out[-1].endswith((" ", "\n")):
                self.out.append(" ")
            return
        if self.cells:
            self.cells[-1] += text
        else:
            self.out.append(text)


def html_as_markdown(html: str) -> str:
    """HTML reduced to the Markdown the passage splitter reads."""
    parser = _HtmlToMarkdown()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
