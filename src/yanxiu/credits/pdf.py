"""PDF rendering with WeasyPrint and the Chinese font shipped in yanxiu/fonts.

No system CJK font is needed: the templates load the subset font through an
@font-face rule with a file:// URL (see ``font_face_css``). It is the TrueType
(glyf) build of the subset, made by ``scripts/pdf_font.py``: embedded as a
CIDFontType2 font it renders and extracts in PDFium, Poppler and MuPDF alike,
where the CFF build came out as a CIDFontType0C font MuPDF could not draw.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.template.loader import render_to_string

# WeasyPrint logs every rendering step at INFO; keep the server log readable.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "NotoSansSC-Subset.ttf"


def font_face_css() -> str:
    # One weight only: headings are drawn bolder by WeasyPrint from the same embedded font.
    return (
        "@font-face { font-family: 'Yanxiu Sans'; src: url('%s') format('truetype'); }\n"
        "html { font-family: 'Yanxiu Sans', sans-serif; }" % FONT_PATH.as_uri()
    )


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "font_css": font_face_css()})
    return HTML(string=html, base_url=str(FONT_PATH.parent)).write_pdf()


def qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=3)
