"""Documents to passages: headings kept, paragraphs, lists and tables split; HTML, text and PDF read."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_py.knowledge.documents import DocumentError
from firmware_py.knowledge.formats import html_as_markdown, read_document
from firmware_py.knowledge.parsing import parse_markdown, text_as_markdown
from firmware_py.knowledge.sentences import plain_inline
from firmware_py.sentences import split_sentences

MARKDOWN = """---
title: ignored front matter
---
# Museum

Welcome to the **museum**. See [the map](map.html).

## Opening hours

The museum is open Tuesday to Sunday, 10 a.m. to 6 p.m. We are closed on Mondays.

- Adults: $18
- Children
  (4 to 15): $9

| Ticket | Price |
|---|---|
| Family | $48 |

Café
----
Coffee from 9.30 am.
"""


def test_markdown_passages_keep_their_section_titles() -> None:
    passages = parse_markdown(MARKDOWN, "museum.md")
    assert [p.headings for p in passages] == [
        ("Museum",), ("Museum", "Opening hours"), ("Museum", "Opening hours"), ("Museum", "Opening hours"),
        ("Museum", "Café")]
    assert passages[0].sentences == ("Welcome to the museum.", "See the map.")
    assert passages[1].sentences == ("The museum is open Tuesday to Sunday, 10 a.m. to 6 p.m.",
                                     "We are closed on Mondays.")
    assert passages[2].sentences == ("Adults: $18", "Children (4 to 15): $9")
    assert passages[3].sentences == ("Family: $48",)  # the header row is not a fact
    assert passages[3].context == "Ticket Price"
    assert passages[4].sentences == ("Coffee from 9.30 am.",)
    assert passages[4].section == "Café"


def test_inline_markup_goes_and_codes_stay_exact() -> None:
    assert plain_inline("The password is `Tide-4412` and **only** that.") == "The password is Tide-4412 and only that."
    assert split_sentences("Dr. Smith is in. Call 555-0100 at 9.30 a.m. Ask for J. Brown, e.g. at 1.5 km.") == [
        "Dr. Smith is in.", "Call 555-0100 at 9.30 a.m.", "Ask for J. Brown, e.g. at 1.5 km."]


def test_plain_text_titles_and_faq_questions_become_headings() -> None:
    text = "WELCOME\n\nOur shop sells tea.\n\nHow long does it boil?\nAbout 4 minutes.\n\nWarranty\nTwo years."
    passages = parse_markdown(text_as_markdown(text), "faq.txt")
    assert [(p.section, p.sentences) for p in passages] == [
        ("WELCOME", ("Our shop sells tea.",)), ("How long does it boil?", ("About 4 minutes.",)),
        ("Warranty", ("Two years.",))]


def test_html_keeps_headings_lists_and_table_rows_and_drops_scripts() -> None:
    html = ("<html><head><title>x</title><style>p{}</style></head><body><nav>Home | Shop</nav>"
            "<h1>FAQ</h1><p>Open <b>9</b> to 5.</p><ul><li>Red: off</li><li>Blue: on</li></ul>"
            "<table><tr><th>Support</th><th>Details</th></tr><tr><td>Phone</td><td>555-0199</td></tr></table>"
            "<script>var a = 1;</script></body></html>")
    passages = parse_markdown(html_as_markdown(html), "faq.html")
    assert [p.sentences for p in passages] == [("Open 9 to 5.",), ("Red: off", "Blue: on"), ("Phone: 555-0199",)]
    assert all(p.headings == ("FAQ",) for p in passages)
    assert passages[2].context == "Support Details"  # the header row describes the table, it is no fact


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica: enough for a text layer, no PDF library needed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_layer_is_read(tmp_path: Path) -> None:
    path = tmp_path / "leaflet.pdf"
    path.write_bytes(_minimal_pdf("The shop opens at 9 am."))
    assert read_document(path).passages[0].sentences == ("The shop opens at 9 am.",)


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
    ("binary.txt", b"\x00\x01\x02\x00" * 100, "binary"),
    ("empty.md", b"   \n\n", "no text"),
    ("photo.jpg", b"\xff\xd8\xff", "unsupported file type .jpg"),
])
def test_an_unusable_document_is_refused_with_the_reason(tmp_path: Path, name: str, content: bytes,
                                                          reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=reason):
        read_document(path)


def test_bold_lines_are_faq_titles_side_by_side() -> None:
    text = "# Gym\n\n**When are you open?**\nDaily, 6 am to 10 pm.\n\n**Can I cancel?**\nYes, with a month's notice.\n"
    passages = parse_markdown(text, "faq.md")
    assert [p.headings for p in passages] == [("Gym", "When are you open?"), ("Gym", "Can I cancel?")]


def test_an_html_definition_list_reads_as_a_faq() -> None:
    html = "<h1>Bikes</h1><dl><dt>How do I unlock a bike?</dt><dd>Scan the QR code.</dd><dt>Cost?</dt><dd>$1.</dd></dl>"
    passages = parse_markdown(html_as_markdown(html), "help.html")
    assert [(p.section, p.sentences) for p in passages] == [("How do I unlock a bike?", ("Scan the QR code.",)),
                                                          ("Cost?", ("$1.",))]


def test_one_fact_per_line_stays_one_sentence_per_line() -> None:
    text = "# Dentist\n\n## Hours\n\nMonday to Thursday: 8 am to 6 pm\nFriday: 8 am to 4 pm\nSunday: closed\n\n" \
           "## About\n\nWe are a family practice that has cared for\nteeth in this town since 1990.\n"
    passages = parse_markdown(text, "dentist.md")
    assert passages[0].sentences == ("Monday to Thursday: 8 am to 6 pm", "Friday: 8 am to 4 pm", "Sunday: closed")
    assert passages[1].sentences == ("We are a family practice that has cared for teeth in this town since 1990.",)


def test_q_and_a_lines_become_a_faq() -> None:
    text = "Laundrette\n\nQ: How much is a wash?\nA: A standard wash costs $4.50.\n\nQ: Can I wash duvets?\nA: Yes.\n"
    passages = parse_markdown(text_as_markdown(text), "qa.txt")
    assert [(p.section, p.sentences) for p in passages] == [("How much is a wash?", ("A standard wash costs $4.50.",)),
                                                          ("Can I wash duvets?", ("Yes.",))]
