"""The columns of a score sheet: class, name, an optional grade, and one column per subject.

Subjects are known by the names of :data:`yanxiu.org.choices.SUBJECTS` and a
few usual variants (道法, 思品 …), stored under the standard name; a header
``语文成绩`` or ``语文（100分）`` is the subject too. Columns of anything else
(序号, 学号, 总分, 名次 …) are left out of the import and listed on the preview.
"""

from __future__ import annotations

from yanxiu.core import sheets
from yanxiu.org.choices import SUBJECTS as STAFF_SUBJECTS

HEADER_SEARCH_ROWS = 10
MAX_SUBJECTS = 20
MAX_NAME = 40

#: Subjects a school exam has (the staff list's, without the non-exam ones), and their usual other names.
SUBJECTS = [s for s in STAFF_SUBJECTS if s not in ("学前教育", "特殊教育", "专业课")] + ["书法"]
SUBJECT_ALIASES = {
    "道德与法治": ("道法", "思品", "思想品德", "品德", "品德与社会", "品德与生活", "品社"),
    "政治": ("思想政治", "思政"),
    "信息技术": ("信息", "计算机", "微机"),
    "心理健康": ("心理", "心理健康教育"),
    "综合实践": ("综合实践活动",),
    "劳动": ("劳动技术", "劳技"),
    "体育": ("体育与健康", "体育与健康教育"),
    "生物": ("生物学",),
    "英语": ("外语",),
    "书法": ("写字",),
}
#: Headers of the score itself under a subject (a two-row header: 语文 over 成绩 | 名次).
SCORE_WORDS = ("成绩", "分数", "得分", "卷面", "卷面分", "卷面成绩", "考试成绩", "分")

CLASS = sheets.Column("class", "班级", ("班别", "班", "班名", "所在班级", "班级名称", "年级班级"))  # or named by the sheet
NAME = sheets.Column("name", "姓名", ("学生姓名", "学生", "名字", "考生姓名"), required=True)
GRADE = sheets.Column("grade", "年级", ("年级名称",))


def subject_key(name: str) -> str:
    return f"subject:{name}"


def _columns() -> tuple[sheets.Column, ...]:
    subjects = tuple(sheets.Column(subject_key(s), s, SUBJECT_ALIASES.get(s, ())) for s in SUBJECTS)
    return (CLASS, NAME, GRADE, *subjects)


_SUBJECT_OF = {sheets.header_key(alias): s for s in SUBJECTS for alias in (s, *SUBJECT_ALIASES.get(s, ()))}
_FIXED = {sheets.header_key(alias): c.key for c in (CLASS, NAME, GRADE) for alias in (c.label, *c.aliases)}
_SCORE_KEYS = {sheets.header_key(w) for w in SCORE_WORDS}
#: Other headers of a score sheet: they make a row look like a header row, and are left out.
OTHER_WORDS = {sheets.header_key(w) for w in (
    "序号", "编号", "学号", "考号", "座号", "性别", "总分", "总成绩", "名次", "排名", "班名次", "级名次", "年级名次", "校名次",
    "班级名次", "等级", "等第", "等次", "备注", "平均分", "总评", "及格", "优秀", "考场", "考试号")}


def subject_of(text: object) -> str | None:
    """The subject a header names (语文, 语文成绩, 语文（100分）, 道法), else None."""
    key = sheets.header_key(text)
    if key in _SUBJECT_OF:
        return _SUBJECT_OF[key]
    for word in sorted(_SCORE_KEYS, key=len, reverse=True):
        if key.endswith(word) and key[: -len(word)] in _SUBJECT_OF:
            return _SUBJECT_OF[key[: -len(word)]]
    return None


def is_header_word(text: object) -> bool:
    key = sheets.header_key(text)
    return bool(key) and (key in _FIXED or key in _SCORE_KEYS or key in OTHER_WORDS or subject_of(text) is not None)


def is_score_word(text: object) -> bool:
    return sheets.header_key(text) in _SCORE_KEYS


def fixed_key(text: object) -> str | None:
    return _FIXED.get(sheets.header_key(text))


COLUMNS = _columns()
