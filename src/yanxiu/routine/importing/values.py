"""Cell values of a score sheet: the class (``parse_class``) and a score or the reason there is none (``parse_score``).

Both take a cell as the reader gives it (text, number, date) and raise
:class:`BadValue` with a Chinese message; neither touches the database.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from yanxiu.core import sheets

from ..choices import ScoreStatus

MAX_GRADE, MAX_CLASS = 12, 99


class BadValue(Exception):
    """A cell that cannot be read; the message names the problem for the user."""


# --- Numbers written in Chinese -------------------------------------------------------------

_DIGITS = {"零": 0, "\u3007": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(r"[零\u3007一二两三四五六七八九十]+")


def chinese_number(text: str) -> int | None:
    """一 .. 九十九 (also 十一, 二十, 二十三), or digits; None for anything else."""
    if text.isdigit() and text.isascii():
        return int(text)
    if not text or not _CN_NUMBER.fullmatch(text) or len(text) > 3:
        return None
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 else None
    tens, _sep, ones = text.partition("十")
    if "十" in ones or (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
        return None
    value = (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return value if value > 0 else None


# --- Classes ------------------------------------------------------------------------------

#: 初一 .. 初三 and 高一 .. 高三, as junior and senior schools name their grades.
_STAGE_PREFIX = {"初": 6, "高": 9}
_NUM = r"(\d{1,2}|[零\u3007一二两三四五六七八九十]{1,3})"
_GRADE = r"(初|高)?" + _NUM
_CLASS_FORMS = (
    re.compile(rf"{_GRADE}(?:年级|年)?\(({_NUM[1:-1]})\)班?"),  # 三(2)班, 三(2), 3(2)班, 三年级(2)班
    re.compile(rf"{_GRADE}(?:年级|年)({_NUM[1:-1]})班?"),  # 三年级二班, 三年级2班, 三年二班
    re.compile(rf"(初|高)?(\d{{1,2}})[.\-_/·—](\d{{1,2}})班?"),  # 3.2, 3-2, 3—2
    re.compile(rf"(初|高){_NUM}({_NUM[1:-1]})班"),  # 初一2班
)
_CLASS_ONLY = re.compile(rf"\(?({_NUM[1:-1]})\)?班?")


def _example() -> str:
    return _("如“三（2）班”“三年级二班”“3.2”“3-2”")


def _grade_of(prefix: str | None, number: str) -> int | None:
    value = chinese_number(number)
    if value is None:
        return None
    if prefix:
        return value + _STAGE_PREFIX[prefix] if 1 <= value <= 3 else None
    return value


def _checked(grade: int | None, class_no: int | None, shown: str) -> tuple[int, int]:
    if grade is None or class_no is None:
        raise BadValue(_("班级“%(v)s”无法识别，请写成年级和班，%(ex)s。") % {"v": shown, "ex": _example()})
    if not 1 <= grade <= MAX_GRADE:
        raise BadValue(_("班级“%(v)s”的年级须在 1 到 %(max)d 之间。") % {"v": shown, "max": MAX_GRADE})
    if not 1 <= class_no <= MAX_CLASS:
        raise BadValue(_("班级“%(v)s”的班号须在 1 到 %(max)d 之间。") % {"v": shown, "max": MAX_CLASS})
    return grade, class_no


def _class_text(value: object) -> str:
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise BadValue(_("班级是日期格式（Excel 把“3-2”这类写法当成了日期），请把该列设为文本后重新填写。"))
    if isinstance(value, float) and not value.is_integer():
        whole, _dot, decimals = repr(value).partition(".")
        if decimals == "1":
            raise BadValue(
                _("班级“%(v)s”是数字格式，无法分辨是 1 班还是 10 班。请把该列设为文本，或写成“三（1）班”。") % {"v": repr(value)}
            )
        if len(decimals) > 2 or not whole.isdigit():
            raise BadValue(_("班级“%(v)s”无法识别，请写成年级和班，%(ex)s。") % {"v": repr(value), "ex": _example()})
        return f"{whole}.{decimals}"
    text = sheets.cell_text(value)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("（", "(").replace("）", ")")


def parse_class(value: object, *, grade: int | None = None) -> tuple[int, int]:
    """(grade, class number) of a class cell: 三（2）班, 三(2), 3.2, 3-2, 三年级二班, 三年级2班, 初一(3)班.

    Full-width digits and brackets are read as their ASCII forms (NFKC). With
    ``grade`` (a 年级 column), the cell may name the class only (2, 2班, (2)班);
    a cell naming another grade is an error. 302 is refused: it does not say
    where the grade ends.
    """
    text = _class_text(value)
    if not text:
        raise BadValue(_("班级不能为空。"))
    if len(text) > 20:
        raise BadValue(_("班级“%(v)s…”过长，请写成年级和班，%(ex)s。") % {"v": text[:20], "ex": _example()})
    if grade is not None and (m := _CLASS_ONLY.fullmatch(text)) and not (text.isdigit() and len(text) > 2):
        return _checked(grade, chinese_number(m[1]), text)
    for form in _CLASS_FORMS:
        if m := form.fullmatch(text):
            found = _checked(_grade_of(m[1], m[2]), chinese_number(m[3]), text)
            if grade is not None and found[0] != grade:
                raise BadValue(_("班级“%(v)s”与年级（%(g)d 年级）不一致。") % {"v": text, "g": grade})
            return found
    if text.isdigit():
        raise BadValue(
            _("班级“%(v)s”无法分辨年级和班（是 %(a)s 年级 %(b)s 班吗？），请写成“三（2）班”或“3.2”。")
            % {"v": text, "a": text[:1], "b": int(text[1:])}
        )
    raise BadValue(_("班级“%(v)s”无法识别，请写成年级和班，%(ex)s。") % {"v": text, "ex": _example()})


def parse_grade(value: object) -> int:
    """A 年级 cell: 3, 三, 三年级, 初一, 高二."""
    text = re.sub(r"\s+", "", sheets.cell_text(value))
    m = re.fullmatch(rf"{_GRADE}(?:年级)?", text)
    grade = _grade_of(m[1], m[2]) if m else None
    if grade is None or not 1 <= grade <= MAX_GRADE:
        raise BadValue(_("年级“%(v)s”无法识别，请填写 1 到 12 或“三年级”。") % {"v": text[:20]})
    return grade


# --- Scores ---------------------------------------------------------------------------------

#: Words written instead of a score, and what each means.
STATUS_WORDS = {
    "缺考": ScoreStatus.ABSENT, "缺": ScoreStatus.ABSENT, "缺席": ScoreStatus.ABSENT,
    "免考": ScoreStatus.EXEMPT, "免": ScoreStatus.EXEMPT, "免试": ScoreStatus.EXEMPT,
    "请假": ScoreStatus.LEAVE, "假": ScoreStatus.LEAVE, "病假": ScoreStatus.LEAVE, "事假": ScoreStatus.LEAVE,
}
#: Marks that stand for an empty cell.
EMPTY_MARKS = frozenset({"/", "-", "—", "——", "--", "\\"})
_NUMBER = re.compile(r"[+-]?(\d+(?:\.\d*)?|\.\d+)分?")
_CJK_DIGITS = re.compile(r"[零\u3007一二两三四五六七八九十百点半]")
_TENTH = Decimal("0.1")


def parse_score(value: object, *, full_marks: Decimal) -> tuple[ScoreStatus, Decimal | None]:
    """(status, score) of a score cell: a number from 0 to ``full_marks`` with at most one decimal
    (89.5), 缺考 / 免考 / 请假, or an empty cell."""
    if value is None or isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        if value is None:
            return ScoreStatus.EMPTY, None
        raise BadValue(_("成绩须是数字，或填“缺考”“免考”“请假”。"))
    if isinstance(value, (int, float)):
        score = _decimal(repr(float(value)) if isinstance(value, float) else str(value))
    else:
        text = re.sub(r"\s+", "", sheets.cell_text(value))
        if not text or text in EMPTY_MARKS:
            return ScoreStatus.EMPTY, None
        if text in STATUS_WORDS:
            return STATUS_WORDS[text], None
        if not _NUMBER.fullmatch(text):
            if _CJK_DIGITS.search(text):
                raise BadValue(_("成绩“%(v)s”须写成数字（如 80 或 89.5）。") % {"v": text[:20]})
            raise BadValue(_("成绩“%(v)s”无法识别，须是数字，或填“缺考”“免考”“请假”。") % {"v": text[:20]})
        score = _decimal(text.rstrip("分"))
    if score < 0:
        raise BadValue(_("成绩 %(v)s 不能小于 0。") % {"v": _shown(score)})
    if score > full_marks:
        raise BadValue(_("成绩 %(v)s 超过满分 %(max)s。") % {"v": _shown(score), "max": _shown(full_marks)})
    return ScoreStatus.SCORED, score


def _decimal(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("成绩“%(v)s”无法识别。") % {"v": text[:20]}) from None
    if not number.is_finite():
        raise BadValue(_("成绩“%(v)s”无法识别。") % {"v": text[:20]})
    if abs(number) > 100_000:
        raise BadValue(_("成绩 %(v)s 不合理。") % {"v": text[:20]})
    rounded = number.quantize(_TENTH)
    if abs(number - rounded) > Decimal("0.000001"):  # a formula's 89.49999999 is 89.5; 89.25 is not a mark
        raise BadValue(_("成绩 %(v)s 最多保留一位小数（如 89.5）。") % {"v": text[:20]})
    return rounded


def _shown(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
