"""Regenerate the growth register fixtures with LibreOffice (``soffice --headless``).

Like ``tests/data/roster/make_fixtures.py`` (whose flat-ODS helpers it uses):
each sheet is described as flat ODS and converted by LibreOffice, so the files
the tests read were written by an office suite, not by the importer's own
libraries. The GBK CSV is written by this script (``.encode("gbk")``), as a
Chinese Windows saves it. Run from anywhere:

    python tests/data/growth/make_fixtures.py

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

# The teachers of tests/growth/test_import.py (长沙县 430121).
ZHANG = id_number("19850312", "001")  # 张伟
LI = id_number("19900520", "002")  # 李娜
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

TITLES = ["长沙县星沙第一小学教师成果登记表（2024—2025学年）", "填报单位：教务处　　　　填报日期：2025年7月"]
# Shuffled columns, synonyms of every column, 序号 and 备注 beside them.
HEADER = ["序号", "记录类型", "教师姓名", "身份证号码", "时间", "题目", "执教者", "班级", "科目", "获奖级别", "获奖等次",
          "发表刊物", "课题角色", "课题状态", "内容", "评课意见", "备注"]
E = ""
ROWS = [
    # 序号, 类型, 姓名, 身份证号, 日期, 名称, 授课教师, 班级, 学科, 级别, 等次, 刊物, 角色, 状态, 内容, 评课, 备注
    ["1", "听课", "张伟", ZHANG, n(45567), "《荷塘月色》", "李娜", "七（2）班", "语文", E, E, E, E, E, "第一课时", "重点突出，朗读指导到位", E],
    ["2", "公开课", "李娜", LI, d("2024-11-05"), "分数的初步认识", E, "三（1）班", "数学", "县级", E, E, E, E, E, E, E],
    ["3", "研究课", "王芳", E, "2024/12/3", "圆的面积", E, E, "数学", "市", E, E, E, E, E, E, E],
    ["4", "读书笔记", "张伟", ZHANG.translate(FULL_WIDTH), "2025.1.8", "《给教师的建议》读书笔记", E, E, E, E, E, E, E, E, E, E, E],
    ["5", "理论书籍", "李娜", LI, "2025年3月10日", "《课程的逻辑》", E, E, E, E, E, E, E, E, E, E, E],
    ["6", "教学案例", "张伟", ZHANG, "２０２５年３月１２日", "一次课堂冲突的处理", E, E, E, E, E, E, E, E, E, E, E],
    ["7", "教学问题", "李娜", LI, "2025-03-20 14:30", "如何提高课堂提问的有效性", E, E, E, E, E, E, E, E, E, E, E],
    ["8", "论文", "张伟", ZHANG, "2025年4月", "小学语文阅读教学策略", E, E, E, "省级", "独立", "湖南教育", E, E, E, E, E],
    ["9", "课题", "王芳", E, "20250415", "农村小学作文教学研究", E, E, E, "县级", E, E, "主持人", "在研", E, E, "县级规划课题"],
    ["10", "讲座", "李娜", LI, "45778", "新课标解读", E, E, E, E, E, E, E, E, E, E, E],
    ["11", "试卷", "张伟", ZHANG, d("2025-06-20"), "六年级语文期末试卷", E, E, E, E, E, E, E, E, E, E, E],
    ["12", "指导学生获奖", "李娜", LI, d("2025-05-20"), "=SUM(1,2)作文竞赛", E, E, E, "县", "1等", "长沙县教育局", E, E, E, E, E],
    ["13", "获奖", "王芳", E, "2025.6.1", "县优质课竞赛", E, E, E, "区级", "二等奖", "长沙县教育局", E, E, E, E, E],
]

BAD_HEADER = ["姓名", "身份证号", "类型", "日期", "名称", "授课教师", "学科", "级别", "等次", "刊物", "角色", "状态"]
BAD_ROWS = [
    ["张伟", ZHANG, "听课", d("2025-03-03"), "一节好课", "李娜", "语文", E, E, E, E, E],  # good
    ["张伟", ZHANG, "家访", d("2025-03-04"), "家访记录", E, E, E, E, E, E, E],  # unknown kind
    ["李娜", LI, "讲座", "去年", "讲座一", E, E, E, E, E, E, E],  # not a date
    ["李娜", LI, "讲座", d("1949-10-01"), "讲座二", E, E, E, E, E, E, E],  # before 1950
    ["李娜", LI, "讲座", d("2099-01-01"), "讲座三", E, E, E, E, E, E, E],  # after today
    ["李娜", LI, "讲座", n(1e30), "讲座四", E, E, E, E, E, E, E],  # a year 10**30
    ["赵六", E, "读书笔记", d("2025-03-05"), "读书", E, E, E, E, E, E, E],  # unknown name
    ["刘洋", E, "读书笔记", d("2025-03-06"), "读书", E, E, E, E, E, E, E],  # two teachers of that name
    ["张伟", ZHANG, "获奖", d("2025-03-07"), "优质课", E, E, "县级", E, "县教育局", E, E],  # award without rank
    ["张伟", ZHANG, "听课", d("2025-03-08"), "没有学科", "李娜", E, E, E, E, E, E],  # observation without subject
    ["张伟", ZHANG, "论文", d("2025-03-09"), "长" * 250, E, E, "省级", E, "湖南教育", E, E],  # title too long
    ["李娜", LI[:-1] + ("0" if LI[-1] != "0" else "1"), "讲座", d("2025-03-10"), "讲座五", E, E, E, E, E, E, E],  # check digit
    ["李娜", LI, "课题", d("2025-03-11"), "课题一", E, E, "县级", E, E, "旁听", "在研"],  # unknown role
    ["王五", ZHANG, "讲座", d("2025-03-12"), "讲座六", E, E, E, E, E, E, E],  # name does not match the ID number
    ["张伟", ZHANG, "听课", d("2025-03-03"), "一节好课", "李娜", "语文", E, E, E, E, E],  # repeats the first row
]


def observations_gbk() -> bytes:
    """A 听课记录 register as a Chinese Windows saves it: GBK, a title line, no 类型 column."""
    lines = [
        "2025学年第一学期听课记录,,,,,,",
        "听课日期,听课人,执教者,班级,学科,课题,评课",
        "2025/9/3,张伟,李娜,三(1)班,数学,认识钟表,情境创设好",
        "2025年9月10日,李娜,张伟,七(2)班,语文,春,朗读充分",
        "45915,王芳,李娜,三(1)班,数学,长方形的周长,练习设计有梯度",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def main() -> int:
    soffice = shutil.which("soffice")
    if not soffice:
        print("soffice not found (install libreoffice-calc-nogui)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "register.fods").write_text(fods("成果登记", TITLES, [HEADER, *ROWS], width=len(HEADER), trailing_empty=20),
                                              encoding="utf-8")
        (tmpdir / "bad.fods").write_text(fods("Sheet1", ["成长记录导入"], [BAD_HEADER, *BAD_ROWS], width=len(BAD_HEADER)),
                                         encoding="utf-8")
        outputs = [convert(soffice, tmpdir / "register.fods", ext, tmpdir) for ext in ("xlsx", "xls", "ods")]
        outputs.append(convert(soffice, tmpdir / "bad.fods", "xlsx", tmpdir))
        for path in outputs:
            shutil.copy(path, HERE / path.name)
            print(f"wrote {path.name}")
    (HERE / "observations_gbk.csv").write_bytes(observations_gbk())
    print("wrote observations_gbk.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
