"""Build src/yanxiu/fonts/NotoSansSC-Subset.ttf, the font embedded in PDFs,
from the OpenType/CFF subset beside it.

WeasyPrint embeds a CFF-flavoured OpenType font as a CIDFontType0C subset that
some readers (MuPDF among them) cannot load glyphs from; a TrueType (glyf)
font is embedded as CIDFontType2, which PDFium, Poppler and MuPDF all read.
The outlines are converted from cubic to quadratic curves with fontTools
(cu2qu), as in fontTools' own otf2ttf snippet.

    .venv/bin/python scripts/pdf_font.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FONTS = Path(__file__).resolve().parent.parent / "src" / "yanxiu" / "fonts"
SOURCE = FONTS / "NotoSansSC-Subset.otf"
TARGET = FONTS / "NotoSansSC-Subset.ttf"
MAX_ERR = 1.0  # font units: invisible at any print size
POST_FORMAT = 3.0  # no glyph names: smaller, and CJK glyph names carry nothing


def glyphs_to_quadratic(glyphs, max_err=MAX_ERR, reverse_direction=True) -> dict:
    quad = {}
    for name in glyphs.keys():
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err, reverse_direction=reverse_direction))
        quad[name] = pen.glyph()
    return quad


def convert(source: Path = SOURCE, target: Path = TARGET) -> Path:
    font = TTFont(source)
    if font.sfntVersion != "OTTO":
        raise SystemExit(f"{source} has no CFF outlines")
    glyph_order = font.getGlyphOrder()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs_to_quadratic(font.getGlyphSet())
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentElements = max(
        (len(g.components) for g in glyf.glyphs.values() if hasattr(g, "components")), default=0
    )
    maxp.compile(font)
    post = font["post"]
    post.formatType = POST_FORMAT
    post.extraNames, post.mapping = [], {}
    post.glyphOrder = glyph_order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(target)
    return target


if __name__ == "__main__":
    path = convert()
    print(f"{path} {path.stat().st_size / 1e6:.1f} MB")
