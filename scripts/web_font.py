"""Regenerate the bundled Chinese font subset from the characters the product uses.

    .venv/bin/python scripts/web_font.py            # write the subset files
    .venv/bin/python scripts/web_font.py --check    # only report characters the fonts lack

The subset holds every character of GB2312 (names, schools, free text) plus every
character found in templates, the translation catalogues (.po), Python sources
(gettext strings, demo data, chart labels) and the site's JavaScript. It is written as

- ``src/yanxiu/static/yanxiu/fonts/NotoSansSC-Subset.woff2``: the web font of the pages
  and the charts (``@font-face "Yanxiu Sans"`` in site.css);
- ``src/yanxiu/fonts/NotoSansSC-Subset.otf``: the master of the PDF font (then run
  ``scripts/pdf_font.py`` for the TrueType build the PDFs embed) — only when the
  source is the full font.

Source: the full Noto Sans CJK SC from Debian's fonts-noto-cjk
(``apt-get install fonts-noto-cjk``) when installed, else the bundled OTF subset
(enough to rebuild the web font; a character outside it is reported as missing).
Requires fontTools and brotli (both come with WeasyPrint).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "yanxiu"
OTF = PACKAGE / "fonts" / "NotoSansSC-Subset.otf"
WOFF2 = PACKAGE / "static" / "yanxiu" / "fonts" / "NotoSansSC-Subset.woff2"
DEBIAN_SOURCES = [
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
]
SC_INDEX_IN_TTC = 2  # JP, KR, SC, TC, HK: the Simplified Chinese face of the collection
SCANNED = ("*.html", "*.py", "*.po", "*.js", "*.txt", "*.md")
SKIPPED_PARTS = {"vendor", "__pycache__", "migrations"}


def gb2312() -> set[str]:
    chars = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def used_characters(root: Path = PACKAGE) -> set[str]:
    """Every non-ASCII character written in the product's templates, catalogues and sources."""
    chars: set[str] = set()
    for pattern in SCANNED:
        for path in root.rglob(pattern):
            if SKIPPED_PARTS & set(path.parts):
                continue
            chars.update(c for c in path.read_text(encoding="utf-8", errors="ignore") if ord(c) > 0x7F)
    return {c for c in chars if c.isprintable() and not c.isspace()}


def wanted() -> set[str]:
    basic = {chr(c) for c in range(0x20, 0x7F)}
    return basic | gb2312() | used_characters()


def source_font():
    from fontTools.ttLib import TTFont

    for path in DEBIAN_SOURCES:
        if path.exists():
            index = SC_INDEX_IN_TTC if path.suffix == ".ttc" else -1
            return TTFont(path, fontNumber=index), True
    return TTFont(OTF), False


def subset(font, chars: set[str], flavor: str | None):
    from fontTools import subset as ft_subset

    options = ft_subset.Options()
    options.flavor = flavor
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    font.flavor = flavor
    return font


def main(argv: list[str] | None = None) -> int:
    from fontTools.ttLib import TTFont

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report characters the bundled fonts lack")
    parser.add_argument("--web-only", action="store_true", help="write the web font only, leave the PDF font master as it is")
    args = parser.parse_args(argv)
    chars = wanted()
    if args.check:
        status = 0
        for path in (WOFF2, OTF):
            cmap = TTFont(path).getBestCmap()
            missing = sorted(c for c in chars if ord(c) not in cmap and ord(c) > 0x7F)
            print(f"{path.relative_to(ROOT)}: {len(cmap)} characters, {len(missing)} missing {''.join(missing[:60])}")
            status |= bool(missing)
        return status
    font, full = source_font()
    cmap = font.getBestCmap()
    missing = sorted(c for c in chars if ord(c) not in cmap)
    if missing:
        print(f"not in the source font ({len(missing)}): {''.join(missing[:80])}", file=sys.stderr)
        if not full:
            print("install the full font: apt-get install fonts-noto-cjk", file=sys.stderr)
    present = {c for c in chars if ord(c) in cmap}
    if full and not args.web_only:
        subset(font, present, None).save(OTF)
        print(f"wrote {OTF.relative_to(ROOT)} ({OTF.stat().st_size // 1024} KiB); now run scripts/pdf_font.py")
        font, _full = source_font()
    subset(font, present, "woff2").save(WOFF2)
    print(f"wrote {WOFF2.relative_to(ROOT)}: {len(present)} characters, {WOFF2.stat().st_size // 1024} KiB")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
