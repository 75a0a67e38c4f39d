"""The documents a school and a bureau hand in, as an editable .docx and a PDF.

A document is described once, neutrally (:class:`Document`: a title, blocks of
headings, paragraphs and tables, and for an official document the issuing
body, the document number and the date), and written two ways from the same
description, so the .docx and the PDF always say the same thing:

- :func:`to_docx` with python-docx: A4, 宋体 body and 黑体 headings (Word and
  WPS substitute what a machine lacks), every text a run the reader can edit;
- :func:`to_pdf` with WeasyPrint and the font shipped in ``yanxiu/fonts``
  (``reports/pdf/document.html``).

An official document (``issuing_body`` set) follows the layout of a county's
公文 (GB/T 9704): the issuing body in red across the top, the document number
centred beneath it over a red rule, the title, the addressee, the body, and
the issuing body and date at the bottom right.

Text from users goes in as text: control characters that XML cannot hold are
dropped (:func:`clean`), nothing is ever evaluated.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

#: Characters XML 1.0 cannot carry (python-docx refuses them; WeasyPrint would drop them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
RED = (0xC0, 0x00, 0x00)


def clean(value: Any) -> str:
    """``value`` as text a document can hold."""
    if value is None:
        return ""
    return _XML_ILLEGAL.sub("", str(value))


@dataclass
class Heading:
    text: str
    level: int = 1  # 1: 一、…  2: （一）…


@dataclass
class Paragraph:
    text: str
    #: "body" (indented two characters), "plain" (no indent), "note" (small, grey)
    style: str = "body"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    caption: str = ""


Block = Heading | Paragraph | Table


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    #: Official layout when set: the red head.
    issuing_body: str = ""
    doc_number: str = ""
    #: 主送机关, e.g. "各中小学："
    addressee: str = ""
    #: Signed at the end (the issuing body, or the school), with ``date``.
    signature: str = ""
    date: dt.date | None = None
    subtitle: str = ""

    @property
    def official(self) -> bool:
        return bool(self.issuing_body)


def date_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# --- .docx ------------------------------------------------------------------------


def _font(run, *, size: float | None = None, east_asia: str = "宋体", bold: bool = False, color=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = "Times New Roman"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor(*color)


def _paragraph(docx_doc, text: str, *, size=16, east_asia="仿宋", align=None, bold=False, color=None, indent=False,
               space_after=0):
    from docx.shared import Pt

    p = docx_doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = 1.5
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(clean(text)), size=size, east_asia=east_asia, bold=bold, color=color)
    return p


def _red_rule(paragraph) -> None:
    """A red bottom border under ``paragraph`` (the rule under the document number)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def to_docx(document: Document) -> bytes:
    from docx import Document as DocxDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    out = DocxDocument()
    section = out.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    centre, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    if document.official:
        _paragraph(out, document.issuing_body, size=36, east_asia="方正小标宋简体", align=centre, bold=True, color=RED,
                   space_after=12)
        number = _paragraph(out, document.doc_number, align=centre, space_after=18)
        _red_rule(number)
    _paragraph(out, document.title, size=22, east_asia="方正小标宋简体", align=centre, bold=True, space_after=6)
    if document.subtitle:
        _paragraph(out, document.subtitle, size=14, align=centre, space_after=6)
    if document.addressee:
        _paragraph(out, document.addressee)
    for block in document.blocks:
        if isinstance(block, Heading):
            _paragraph(out, block.text, east_asia="黑体" if block.level == 1 else "楷体", bold=block.level == 1)
        elif isinstance(block, Paragraph):
            if block.style == "note":
                _paragraph(out, block.text, size=10.5)
            else:
                _paragraph(out, block.text, indent=block.style == "body")
        elif isinstance(block, Table):
            if block.caption:
                _paragraph(out, block.caption, size=12, align=centre, bold=True)
            table = out.add_table(rows=1, cols=max(1, len(block.headers)))
            table.style = "Table Grid"
            for cell, header in zip(table.rows[0].cells, block.headers):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(clean(header)), size=10.5, east_asia="黑体", bold=True)
            for values in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, values):
                    cell.text = ""
                    _font(cell.paragraphs[0].add_run(clean(value)), size=10.5)
            out.add_paragraph().paragraph_format.space_after = Pt(6)
    if document.signature or document.date:
        out.add_paragraph()
        if document.signature:
            _paragraph(out, document.signature, align=right)
        if document.date:
            _paragraph(out, date_text(document.date), align=right)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------


def to_pdf(document: Document) -> bytes:
    from yanxiu.credits.pdf import render_pdf

    blocks = []
    for block in document.blocks:
        if isinstance(block, Table):
            block = Table([clean(h) for h in block.headers], [[clean(v) for v in row] for row in block.rows], clean(block.caption))
        elif isinstance(block, Heading):
            block = Heading(clean(block.text), block.level)
        else:
            block = Paragraph(clean(block.text), block.style)
        blocks.append((type(block).__name__.lower(), block))
    head = {name: clean(getattr(document, name)) for name in ("title", "issuing_body", "doc_number", "addressee", "signature", "subtitle")}
    return render_pdf("reports/pdf/document.html", {
        "document": {**head, "official": document.official}, "blocks": blocks, "date_text": date_text(document.date),
    })


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def render(document: Document, fmt: str) -> bytes:
    """``document`` as ``fmt`` ("docx" or "pdf")."""
    if fmt == "docx":
        return to_docx(document)
    if fmt == "pdf":
        return to_pdf(document)
    raise ValueError(fmt)
