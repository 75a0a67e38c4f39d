"""Cells of a register turned into values: dates as Excel and people leave them.

A date arrives as a date cell, a date-and-time cell, an Excel serial number
(45567, also as text when the cell lost its format), or text: 2025-09-03,
2025/9/3, 2025.9.3, 2025年9月3日, 20250903, any of them with a time after it,
or a month alone (2025年9月, taken as its first day). Full-width digits are
read as digits (NFKC). A value outside 1950 .. today is refused by the caller.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from django.utils.translation import gettext as _

from yanxiu.core import sheets

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_LAST = 2_958_465  # 9999-12-31
_TIME = r"(?:\s*T?\s*(?:上午|下午|晚上)?\s*\d{1,2}[:时]\d{2}(?:[:分]\d{2}(?:\.\d+)?)?秒?)?"
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:(?:[-/.月]\s*(\d{1,2})\s*[日号]?)|月)?" + _TIME
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})" + _TIME)
_SERIAL = re.compile(r"\d{1,7}(?:\.\d+)?")


class BadValue(Exception):
    """A cell that cannot be read; the message (Chinese) names the value."""


def text(value: object) -> str:
    """The cell as text (NFKC, spaces collapsed); a leading apostrophe that forced text in Excel dropped."""
    return sheets.cell_text(value).lstrip("'‘’`") if isinstance(value, str) else sheets.cell_text(value)


def parse_date(value: object) -> dt.date:
    """The date a cell holds, or ``BadValue``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(_("“%(v)s”不是日期。") % {"v": text(value)})
    if isinstance(value, (int, float)):
        try:
            return _from_number(float(value))
        except OverflowError:
            raise BadValue(_("“%(v)s”不是有效的日期。") % {"v": str(value)[:20] + "…"}) from None
    shown = text(value)
    if _SERIAL.fullmatch(shown):
        return _from_number(float(shown))
    if len(shown) > 40:
        raise BadValue(_("日期一栏的内容过长（%(n)d 个字），不是日期。") % {"n": len(shown)})
    match = _DATE_TEXT.fullmatch(shown) or _COMPACT.fullmatch(shown)
    if match is None:
        raise BadValue(_("“%(v)s”无法识别为日期，请按“2025-09-03”的格式填写。") % {"v": shown[:40]})
    year, month, day = int(match[1]), int(match[2]), int(match[3]) if match[3] else 1
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(_("“%(v)s”不是有效的日期。") % {"v": shown[:40]}) from None


def _from_number(number: float) -> dt.date:
    """An Excel serial day number (a fraction is the time of day), or 20250903 typed as a number."""
    if not math.isfinite(number) or number < 1:
        raise BadValue(_("“%(v)s”不是有效的日期。") % {"v": _shown(number)})
    if number.is_integer() and 19_000_000 <= number <= 21_001_231:
        return parse_date(str(int(number)))
    if number > _EXCEL_LAST:
        raise BadValue(_("“%(v)s”不是有效的日期。") % {"v": _shown(number)})
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def _shown(number: float) -> str:
    if math.isfinite(number) and abs(number) < 1e15 and float(number).is_integer():
        return str(int(number))
    return f"{number:.6g}"


def check_date_bounds(day: dt.date, *, today: dt.date, first_year: int) -> str:
    """The Chinese reason a record's date is refused, or ""."""
    if day.year < first_year:
        return _("日期 %(d)s 早于 %(y)s 年。") % {"d": day.isoformat(), "y": first_year}
    if day > today:
        return _("日期 %(d)s 晚于今天。") % {"d": day.isoformat()}
    return ""
