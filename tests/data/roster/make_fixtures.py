"""Regenerate the roster fixture files with LibreOffice (``soffice --headless``).

The sheets are described here as flat ODS (.fods) and converted by
LibreOffice, so the files the tests read were written by an office suite, not
by the importer's own libraries. Run from anywhere:

    python tests/data/roster/make_fixtures.py

Needs ``soffice`` (Debian: libreoffice-calc-nogui) and python-stdnum.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from stdnum.cn import ric

HERE = Path(__file__).resolve().parent
REGION = "430121"  # 长沙县


def id_number(birth: str, seq: str, region: str = REGION) -> str:
    """A valid GB 11643 number in 长沙县, or ``region`` (the check digit is computed)."""
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")


# --- Cells ---------------------------------------------------------------------------

TEXT, NUM, DATE, EMPTY = "text", "num", "date", "empty"


def t(value: str) -> tuple[str, str]:
    return (TEXT, value)


def n(value: float | int) -> tuple[str, str]:
    return (NUM, repr(value))


def d(value: str) -> tuple[str, str]:
    return (DATE, value)


def cell_xml(cell: tuple[str, str] | str, span: int = 1) -> str:
    if isinstance(cell, str):
        cell = t(cell)
    kind, value = cell
    spanned = f' table:number-columns-spanned="{span}"' if span > 1 else ""
    covered = f'<table:covered-table-cell table:number-columns-repeated="{span - 1}"/>' if span > 1 else ""
    if kind == TEXT and value == "":
        return f'<table:table-cell table:style-name="ce2"{spanned}/>' + covered
    if kind == TEXT:
        return (
            f'<table:table-cell table:style-name="ce2" office:value-type="string"{spanned}>'
            f"<text:p>{escape(value)}</text:p></table:table-cell>" + covered
        )
    if kind == NUM:
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
    if kind == DATE:
        return (
            f'<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    raise ValueError(kind)


def fods(sheet_name: str, titles: list[str], rows: list[list], *, width: int, trailing_empty: int = 0) -> str:
    out = []
    for title in titles:
        out.append(f"<table:table-row>{cell_xml(title, span=width)}</table:table-row>")
    for row in rows:
        out.append("<table:table-row>" + "".join(cell_xml(c) for c in row) + "</table:table-row>")
    if trailing_empty:
        # Formatted but empty rows, as left behind by a template.
        out.append(
            f'<table:table-row table:number-rows-repeated="{trailing_empty}">'
            f'<table:table-cell table:style-name="ce2" table:number-columns-repeated="{width}"/></table:table-row>'
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
<number:date-style style:name="N1"><number:year number:style="long"/><number:text>年</number:text><number:month/><number:text>月</number:text></number:date-style>
<number:text-style style:name="N2"><number:text-content/></number:text-style>
<style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
<style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>
</office:automatic-styles>
<office:body><office:spreadsheet><table:table table:name="{escape(sheet_name)}">
{chr(10).join(out)}
</table:table></office:spreadsheet></office:body></office:document>
"""


# --- Sheets ---------------------------------------------------------------------------

# Shuffled column order, aliases, full-width brackets and a required mark, an
# unknown column (序号, 备注) on both sides.
GOOD_HEADER = [
    "序号", "教研组", "姓名（必填）", "身份证号码", "性别", "手机号", "任教学科", "学段", "最高学历",
    "职称", "用工形式", "参加工作时间", "备课组", "岗位", "梯队", "到校日期", "备注",
]
GOOD_ROWS = [
    # 序号, 教研组, 姓名, 身份证号, 性别, 手机, 学科, 学段, 学历, 职称, 编制, 参加工作, 备课组, 岗位, 梯队, 到校日期, 备注
    ["1", "语文组", "张伟", id_number("19850312", "001"), "男", "13800000001", "语文", "小学", "本科",
     "小学高级", "在编", "2008.09", "一年级语文备课组", "专任教师", "骨干教师", d("2015-09-01"), ""],
    ["2", "数学组", "李娜", id_number("19900520", "002"), "女", "１３９０００００００２", "数学", "小学", "大学本科",
     "二级教师", "编内", "2012-09", "", "教师", "青年教师", "", ""],
    ["3", "英语组", "王  芳", id_number("19920101", "024"), "女", "13700000003", "英语", "小学", "大专",
     "未评", "临聘", "2014/9", "", "", "", "", "代课"],
    ["4", "综合组", "刘洋", id_number("19780815", "013"), "男", "13600000004", "体育", "小学", "硕士研究生",
     "中学一级", "正式", "200009", "", "中层干部", "", "", ""],
    ["5", "综合组", "陈静", id_number("19881130", "046"), "女", "", "美术", "小　学", "本科",
     "高级教师", "代课", "2010年9月", "", "", "", "", ""],
    ["6", "综合组", "赵磊", id_number("19951201", "057"), "男", "13500000006", "信息技术", "小学", "本　科",
     "三级", "合同", d("2018-09-01"), "", "", "新任教师", "", ""],
    ["7", "数学组", "周喆", id_number("19870606", "019").lower(), "男", "13400000007", "数学", "小学", "本科",
     "一级教师", "在编", n(2016.09), "", "", "成熟教师", "", ""],
    # A template's pre-filled numbers with nothing else: not data rows.
    ["8"] + [""] * 16,
    ["9"] + [""] * 16,
]
GOOD_TITLES = ["长沙县实验小学教职工花名册（2025年秋季）", "填报单位：长沙县实验小学　　　　填报日期：2025年9月"]

STD_HEADER = ["姓名", "性别", "身份证号", "手机", "出生日期", "学段", "学科", "职称", "学历", "编制", "参加工作年月", "教研组"]
GOOD_ID = id_number("19850312", "001")
BAD_ROWS = [
    ["孙丽", "女", id_number("19860203", "022"), "13300000001", "1986-02-03", "小学", "语文", "一级教师", "本科", "在编", "2008.09", "语文组"],
    ["钱进", "男", id_number("19800101", "011")[:-1] + ("0" if id_number("19800101", "011")[-1] != "0" else "1"),
     "", "", "小学", "数学", "一级教师", "本科", "在编", "2003.09", "数学组"],
    ["吴刚", "男", "430121800101011", "", "", "小学", "数学", "一级教师", "本科", "在编", "2003.09", "数学组"],
    ["孙丽丽", "女", id_number("19860203", "022"), "", "", "小学", "语文", "一级教师", "本科", "在编", "2008.09", "语文组"],
    ["郑敏", "女", id_number("19830707", "031"), "", "", "小学", "英语", "一级教师", "本科", "在编", "2005.09", "英语组"],
    ["冯涛", "男", id_number("19890909", "051"), "", "", "大学", "体育", "二级教师", "本科", "在编", "2011.09", "综合组"],
    ["褚红", "女", id_number("19910303", "062"), "12345", "1991-03-04", "小学", "音乐", "二级教师", "本科", "在编", "2013.09", "综合组"],
    ["", "男", id_number("19930404", "071"), "", "", "小学", "科学", "三级教师", "本科", "在编", "2015.09", "综合组"],
    ["卫东", "男", id_number("19940505", "091"), "", "", "小学", "科学", "三级教师", "初小", "在编", "去年", "综合组"],
]

NUMERIC_ROWS = [
    ["孙丽", "女", n(int(id_number("19860203", "022"))), "", "", "小学", "语文", "一级教师", "本科", "在编", "2008.09", "语文组"],
    ["郑敏", "女", n(int(id_number("19830707", "044"))), "", "", "小学", "英语", "一级教师", "本科", "在编", "2005.09", "英语组"],
]
SCIENTIFIC_ROWS = [
    ["孙丽", "女", "1.10105E+17", "", "", "小学", "语文", "一级教师", "本科", "在编", "2008.09", "语文组"],
    ["郑敏", "女", id_number("19830707", "044"), "", "", "小学", "英语", "一级教师", "本科", "在编", "2005.09", "英语组"],
]
NO_ID_HEADER = ["姓名", "性别", "证件", "学段", "学科", "职称", "学历", "编制", "参加工作年月"]
NO_ID_ROWS = [["孙丽", "女", id_number("19860203", "022"), "小学", "语文", "一级教师", "本科", "在编", "2008.09"]]

# Re-import of the good roster: 张伟 promoted and new phone, 李娜 moved group, one new teacher.
UPDATE_ROWS = [
    ["张伟", "男", id_number("19850312", "001"), "13800000011", "", "小学", "语文", "高级教师", "本科", "在编", "2008.09", "语文组"],
    ["李娜", "女", id_number("19900520", "002"), "13900000002", "", "小学", "数学", "二级教师", "本科", "在编", "2012.09", "综合组"],
    ["韩梅", "女", id_number("19960606", "082"), "13200000008", "", "小学", "语文", "未评", "本科", "在编", "2019.09", "语文组"],
]


# Real numbers refused before: region codes whose period in python-stdnum's
# table starts after the holder's birth year (cards issued from the mid-1980s
# carry the code of the county then), and codes that ended (renamed or merged).
OLD_CODE_ROWS = [
    ["潘建国", "男", id_number("19750312", "011", "330324"), "", "", "小学", "语文", "高级教师", "本科", "在编", "1995.09", "语文组"],  # 永嘉县 [1981-]
    ["林秀英", "女", id_number("19700101", "022", "330108"), "", "", "小学", "数学", "一级教师", "大专", "在编", "1990.09", "数学组"],  # 滨江区 [1996-]
    ["何卫东", "男", id_number("19680505", "031", "330112"), "", "", "小学", "科学", "高级教师", "本科", "在编", "1988.09", "综合组"],  # 临安区 [2017-]
    ["赵淑珍", "女", id_number("19800101", "042", "110103"), "", "", "小学", "英语", "一级教师", "本科", "在编", "2001.09", "英语组"],  # 崇文区 [-2010]
    ["孙志强", "男", id_number("19650707", "051", "330123"), "", "", "小学", "体育", "一级教师", "中专", "在编", "1984.09", "综合组"],  # 富阳县 [-1994]
    ["吴丽华", "女", id_number("19720909", "062", "330104"), "", "", "小学", "音乐", "二级教师", "大专", "合同", "1992.09", "综合组"],  # 江干区 [1983-2021]
]


def convert(soffice: str, source: Path, target: str, outdir: Path) -> Path:
    subprocess.run(
        [soffice, "--headless", "--convert-to", target, "--outdir", str(outdir), str(source)],
        check=True,
        capture_output=True,
    )
    extension = target.split(":", 1)[0]
    return outdir / f"{source.stem}.{extension}"


def main() -> int:
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found (install libreoffice-calc-nogui)", file=sys.stderr)
        return 1
    csv_utf8 = "csv:Text - txt - csv (StarCalc):44,34,76,1"
    csv_gbk = "csv:Text - txt - csv (StarCalc):44,34,85,1"  # 85 = GBK in LibreOffice's encoding table
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        sheets = {
            "good": fods("花名册", GOOD_TITLES, [GOOD_HEADER, *GOOD_ROWS], width=len(GOOD_HEADER), trailing_empty=30),
            "bad": fods("Sheet1", ["教师信息采集表"], [STD_HEADER, *BAD_ROWS], width=len(STD_HEADER)),
            "numeric_id": fods("Sheet1", ["教师信息采集表"], [STD_HEADER, *NUMERIC_ROWS], width=len(STD_HEADER)),
            "scientific_id": fods("Sheet1", ["教师信息采集表"], [STD_HEADER, *SCIENTIFIC_ROWS], width=len(STD_HEADER)),
            "no_id_column": fods("Sheet1", ["教师信息采集表"], [NO_ID_HEADER, *NO_ID_ROWS], width=len(NO_ID_HEADER)),
            "update": fods("Sheet1", [], [STD_HEADER, *UPDATE_ROWS], width=len(STD_HEADER)),
            "old_codes": fods("Sheet1", ["教师信息采集表（老同志）"], [STD_HEADER, *OLD_CODE_ROWS], width=len(STD_HEADER)),
        }
        for stem, xml in sheets.items():
            (tmpdir / f"{stem}.fods").write_text(xml, encoding="utf-8")
        outputs = [
            convert(soffice, tmpdir / "good.fods", "xlsx", tmpdir),
            convert(soffice, tmpdir / "good.fods", "xls", tmpdir),
            convert(soffice, tmpdir / "good.fods", "ods", tmpdir),
            convert(soffice, tmpdir / "bad.fods", "xlsx", tmpdir),
            convert(soffice, tmpdir / "numeric_id.fods", "xlsx", tmpdir),
            convert(soffice, tmpdir / "scientific_id.fods", "xlsx", tmpdir),
            convert(soffice, tmpdir / "no_id_column.fods", csv_utf8, tmpdir),
            convert(soffice, tmpdir / "update.fods", csv_utf8, tmpdir),
            convert(soffice, tmpdir / "old_codes.fods", "xlsx", tmpdir),
            convert(soffice, tmpdir / "old_codes.fods", "xls", tmpdir),
            convert(soffice, tmpdir / "old_codes.fods", "ods", tmpdir),
        ]
        # The same good roster as CSV: GBK (what Excel/WPS save on a Chinese
        # Windows) and UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
        gbk = convert(soffice, tmpdir / "good.fods", csv_gbk, tmpdir)
        outputs.append(gbk.rename(tmpdir / "good_gbk.csv"))
        utf8 = convert(soffice, tmpdir / "good.fods", csv_utf8, tmpdir)
        bom = tmpdir / "good_utf8_bom.csv"
        bom.write_bytes(b"\xef\xbb\xbf" + utf8.read_bytes())
        outputs.append(bom)
        for path in outputs:
            shutil.copy(path, HERE / path.name)
            print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
