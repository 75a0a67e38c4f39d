"""Regenerate the exam score fixtures with LibreOffice (``soffice --headless``).

Like ``tests/data/growth/make_fixtures.py``: each sheet is described here as
flat ODS, merged cells included (``table:number-columns-spanned`` /
``number-rows-spanned`` with covered cells), and converted by LibreOffice, so
the files the tests read were written by an office suite, not by the
importer's own libraries. The GBK CSV is written by this script
(``.encode("gbk")``), as a Chinese Windows saves it. Run from anywhere:

    python tests/data/routine/make_fixtures.py

Needs ``soffice`` (Debian: libreoffice-calc-nogui).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

#: A cell covered by a merged cell above or to the left.
COVERED = object()


def n(value: float | int) -> tuple[str, str]:
    return ("num", repr(value))


def merged(value, *, cols: int = 1, rows: int = 1) -> tuple:
    return ("merged", value, cols, rows)


def _cell(cell) -> str:
    if cell is COVERED:
        return "<table:covered-table-cell/>"
    span = ""
    covered = ""
    if isinstance(cell, tuple) and cell[0] == "merged":
        _kind, cell, cols, rows = cell
        span = f' table:number-columns-spanned="{cols}" table:number-rows-spanned="{rows}"'
        covered = "<table:covered-table-cell/>" * (cols - 1)
    if isinstance(cell, tuple) and cell[0] == "num":
        return f'<table:table-cell office:value-type="float" office:value="{cell[1]}"{span}><text:p>{cell[1]}</text:p></table:table-cell>' + covered
    if cell == "":
        return f'<table:table-cell table:style-name="ce1"{span}/>' + covered
    return (f'<table:table-cell table:style-name="ce1" office:value-type="string"{span}><text:p>{escape(cell)}</text:p>'
            "</table:table-cell>" + covered)


def _table(sheet_name: str, rows: list[list]) -> str:
    body = "\n".join("<table:table-row>" + "".join(_cell(c) for c in row) + "</table:table-row>" for row in rows)
    return f'<table:table table:name="{escape(sheet_name)}">\n{body}\n</table:table>'


def fods(sheet_name: str, rows: list[list], *more: tuple[str, list[list]]) -> str:
    tables = "\n".join(_table(name, sheet) for name, sheet in ((sheet_name, rows), *more))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
<number:text-style style:name="N2"><number:text-content/></number:text-style>
<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N2"/>
</office:automatic-styles>
<office:body><office:spreadsheet>
{tables}
</office:spreadsheet></office:body></office:document>
"""


def convert(soffice: str, source: Path, ext: str, outdir: Path) -> Path:
    subprocess.run([soffice, "--headless", "--convert-to", ext, "--outdir", str(outdir), str(source)],
                   check=True, capture_output=True, timeout=180)
    return outdir / f"{source.stem}.{ext}"


# --- The sheets ---------------------------------------------------------------------------------

E = ""
# Two title rows merged across the sheet; a two-row header: 序号, 班级 and 姓名 merged down,
# 语文 and 数学 merged over 成绩 | 名次, 英语 over 成绩, 总分 merged down.
WIDTH = 9
GOOD = [
    [merged("长沙县星沙第一小学2024—2025学年第一学期期末质量监测成绩册", cols=WIDTH)],
    [merged("填报：教务处　　　　日期：2025年1月", cols=WIDTH)],
    [merged("序号", rows=2), merged("班级", rows=2), merged("姓 名", rows=2), merged("语文", cols=2), merged("数学", cols=2),
     "英语", merged("总分", rows=2)],
    [COVERED, COVERED, COVERED, "成绩", "名次", "成绩", "名次", "成绩", COVERED],
    # 三年级一班, written every way; the class merged down its last two rows.
    ["1", "三（1）班", "张小明", n(95), n(1), n(98.5), n(1), n(92), n(285.5)],
    ["2", "三(1)", "李　华", "８９．５", n(3), n(88), n(3), "缺考", n(177.5)],
    ["3", "三年级一班", "王  芳", n(60), n(5), "免考", E, n(59.5), n(119.5)],
    ["4", "3.1", "=SUM(A1:A2)", "请假", E, n(100), n(2), n(100), n(200)],
    ["5", merged("三年级1班", rows=2), "赵六", E, E, n(45), n(6), n(70), n(115)],
    ["6", COVERED, "孙七", n(90), n(4), n(58), n(5), n(85), n(233)],
    # 三年级二班: 3-2, full-width, a number 3.2; English not taken by the class (empty for all).
    ["7", "3-2", "周八", n(76), n(1), n(80), n(2), E, n(156)],
    ["8", "３－２", "吴九", n(54.5), n(3), n(92), n(1), E, n(146.5)],
    ["9", n(3.2), "郑十", n(70), n(2), "缺考", E, E, n(70)],
    # A blank row, then 四年级二班 as 四(2)班 and 4.2.
    [E] * WIDTH,
    ["10", "四(2)班", "钱一", n(88), n(1), n(91), n(1), n(93), n(272)],
    ["11", "4.2", "冯二", n(0), n(2), n(30), n(2), n(61), n(91)],
    # A summary row of the form: not a student.
    [E, E, "平均分", n(74.1), E, n(73.5), E, n(80), E],
]

# Every kind of bad cell, one per row (row numbers are the spreadsheet's: header on row 2).
BAD = [
    ["2025年春季三年级期中成绩"],
    ["班级", "姓名", "语文", "数学"],
    ["三(1)班", "张小明", n(95), n(88)],  # good
    ["302", "李华", n(90), n(90)],  # 302 is not a class
    ["三(1)班", "王芳", n(105), n(90)],  # above full marks
    ["三(1)班", "赵六", n(-1), n(90)],  # below zero
    ["三(1)班", "孙七", "八十", n(90)],  # a score in words
    ["三(1)班", "周八", n(89.25), n(90)],  # a quarter point
    ["2班", "吴九", n(90), n(90)],  # no grade
    ["三(1)班", "张小明", n(80), n(80)],  # the same student twice
    ["三(1)班", "长" * 41, n(80), n(80)],  # a name of 41 characters
    ["三(1)班", E, n(80), n(80)],  # no name
    [n(3.1), "郑十", n(80), "优"],  # 3.1 as a number: class 1 or 10?; a grade instead of a score
]


# A book of one sheet per class: the class in the sheet's name or title, no class column; a notes sheet.
PER_CLASS = [
    ("填表说明", [["每班一张表，不要改动表头。"]]),
    ("三（1）班", [["姓名", "语文", "数学"], ["张小明", n(95), n(88)], ["李华", n(72), "缺考"]]),
    ("三（2）班", [["姓名", "语文", "数学"], ["张小明", n(81), n(79)], ["王芳", n(130), n(90)]]),  # 130: above full marks
    ("Sheet4", [[merged("三年级三班期末成绩", cols=3)], ["姓名", "语文", "数学"], ["赵六", n(66), n(99.5)]]),
]


def scores_gbk() -> bytes:
    """A score sheet as a Chinese Windows saves it: GBK, a title line, 成绩 over 语文 | 数学 | 英语 (two header rows)."""
    lines = [
        "2024年秋季五年级10月月考成绩,,,,,",
        "学号,班级,学生姓名,成绩,,",
        ",,,语文,数学,英语",
        "1,五(1)班,陈一,88,92.5,缺考",
        "2,五年级一班,林二,72,请假,81",
        "3,5.2,黄三,95,100,免考",
        "4,五年级2班,何四,,,",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def main() -> int:
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found (install libreoffice-calc-nogui)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "scores.fods").write_text(fods("期末成绩", GOOD), encoding="utf-8")
        (tmpdir / "bad_scores.fods").write_text(fods("Sheet1", BAD), encoding="utf-8")
        outputs = [convert(soffice, tmpdir / "scores.fods", ext, tmpdir) for ext in ("xlsx", "xls")]
        outputs.append(convert(soffice, tmpdir / "bad_scores.fods", "xlsx", tmpdir))
        (tmpdir / "per_class.fods").write_text(fods(*PER_CLASS[0], *PER_CLASS[1:]), encoding="utf-8")
        outputs.append(convert(soffice, tmpdir / "per_class.fods", "xlsx", tmpdir))
        for path in outputs:
            shutil.copy(path, HERE / path.name)
            print(f"wrote {path.name}")
    (HERE / "scores_gbk.csv").write_bytes(scores_gbk())
    print("wrote scores_gbk.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
