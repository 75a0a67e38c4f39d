"""Regenerate the organiser result lists headed the organisers' own way, with LibreOffice.

Like ``tests/data/roster/make_fixtures.py`` (whose flat-ODS helpers it uses):
the sheet is described as flat ODS and converted by ``soffice --headless``, so
the files the tests read were written by an office suite. Run from anywhere:

    python tests/data/results/make_fixtures.py

Needs ``soffice`` (Debian: libreoffice-calc-nogui) and python-stdnum.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("roster_fixtures", HERE.parent / "roster" / "make_fixtures.py")
roster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(roster)
t, n, d, fods, convert, id_number = roster.t, roster.n, roster.d, roster.fods, roster.convert, roster.id_number

# The teachers of tests/data/roster/old_codes.*: 永嘉县 330324 (code from 1981,
# born 1975) and 崇文区 110103 (code ended 2010).
PAN = id_number("19750312", "011", "330324")
ZHAO = id_number("19800101", "042", "110103")

TITLES = ["2025年温州市中小学骨干教师培训考核结果汇总表", "主办单位：温州市教师发展中心　　　填报日期：2025年12月"]
HEADER = ["序号", "姓名", "身份证号码", "培训项目", "培训级别", "培训形式", "学时数", "开始时间", "结束时间", "考核结果", "备注"]
ROWS = [
    # 学时 as the number 30, the text 30.0 and the text 30学时.
    ["1", "潘建国", t(PAN), "2025年市级骨干教师培训", "市级", "集中培训", n(30), d("2025-10-08"), d("2025-10-12"), "合格", ""],
    ["2", "赵淑珍", t(ZHAO), "2025年市级骨干教师培训", "市级", "集中培训", t("30.0"), d("2025-10-08"), d("2025-10-12"), "合格", ""],
    ["3", "潘建国", t(PAN), "信息技术应用能力提升工程2.0", "县级", "网络研修", t("30学时"), d("2025-11-01"), d("2025-11-05"), "合格", "线上"],
    ["4", "赵淑珍", t(ZHAO), "信息技术应用能力提升工程2.0", "县级", "网络研修", t("30学时"), d("2025-11-01"), d("2025-11-05"), "不合格", ""],
]


def main() -> int:
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found (install libreoffice-calc-nogui)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        source = tmpdir / "organiser_headers.fods"
        source.write_text(fods("考核结果", TITLES, [HEADER, *ROWS], width=len(HEADER)), encoding="utf-8")
        for target in ("xlsx", "xls", "ods"):
            path = convert(soffice, source, target, tmpdir)
            shutil.copy(path, HERE / path.name)
            print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
