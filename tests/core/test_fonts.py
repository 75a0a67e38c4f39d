"""The bundled font covers every character the pages, catalogues, sources and charts use."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "yanxiu"
WOFF2 = PACKAGE / "static" / "yanxiu" / "fonts" / "NotoSansSC-Subset.woff2"
OTF = PACKAGE / "fonts" / "NotoSansSC-Subset.otf"


def _script():
    spec = importlib.util.spec_from_file_location("web_font", ROOT / "scripts" / "web_font.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cjk(chars: set[str]) -> set[str]:
    """Han characters, CJK punctuation and full-width forms: what system Latin fonts lack."""
    return {c for c in chars if 0x2E80 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF or 0xFE30 <= ord(c) <= 0xFFEF}


@pytest.fixture(scope="module")
def used() -> set[str]:
    chars = cjk(_script().used_characters(PACKAGE))
    assert {"研", "修", "登", "录", "学", "时"} <= chars  # the brand, the login heading, chart labels
    return chars


@pytest.mark.parametrize("path", [WOFF2, OTF], ids=["web font", "PDF font master"])
def test_the_font_covers_every_character_the_product_writes(path, used):
    cmap = TTFont(path).getBestCmap()
    missing = sorted(c for c in used if ord(c) not in cmap)
    assert not missing, f"{path.name} lacks {''.join(missing)}: run scripts/web_font.py"


def test_the_font_covers_gb2312_for_names_and_free_text():
    cmap = TTFont(WOFF2).getBestCmap()
    missing = [c for c in _script().gb2312() if ord(c) not in cmap]
    assert not missing


def test_the_web_font_is_woff2_and_small():
    assert WOFF2.read_bytes()[:4] == b"wOF2"
    assert WOFF2.stat().st_size < 4 * 1024 * 1024


def test_pages_and_charts_use_the_bundled_font():
    css = (PACKAGE / "static" / "yanxiu" / "site.css").read_text()
    assert '@font-face' in css and '"Yanxiu Sans"' in css and "NotoSansSC-Subset.woff2" in css
    charts = (PACKAGE / "static" / "yanxiu" / "charts.js").read_text()
    assert '"Yanxiu Sans"' in charts and "document.fonts" in charts
