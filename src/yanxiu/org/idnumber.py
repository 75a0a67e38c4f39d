"""Resident ID numbers (GB 11643) checked with python-stdnum.

The first six digits are the region code of the place where the number was
issued (not the county of birth). A code is accepted when python-stdnum's
table of administrative divisions knows it for *any* period: numbers were
issued from the mid-1980s on, so a teacher born in 1975 may well carry the
code of a county created or renumbered in 1981 or 1993, and a code retired
since (a renamed or merged county) stays valid on the cards issued under it.
Such a retired code is reported in ``IdInfo.region_ended``, never refused.
Unknown codes, a wrong check digit and impossible birth dates are refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric

from .choices import Gender

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    gender: str  # Gender value
    region: str = ""  # name of the region code (the latest name when it had several)
    region_ended: int | None = None  # the year the region code went out of use, if it did


@lru_cache(maxsize=8192)
def region_of(code: str) -> tuple[str, int | None] | None:
    """(name, year the code ended or None) for a six-digit region code known for
    any period, else None. Periods are python-stdnum's ``[start-end]name``."""
    parts = numdb.get("cn/loc").info(code)
    info = {key: value for _part, props in parts for key, value in props.items()}
    county = info.get("county")
    if not county:
        return None
    name, ended = "", 0
    for entry in county.split(","):
        match = re.fullmatch(r"\[(\d*)-(\d*)\](.*)", entry)
        if match is None:
            return entry, None  # no period: in use throughout
        end = int(match[2]) if match[2] else None
        if end is None:
            return match[3], None
        if end >= ended:
            name, ended = match[3], end
    return name, ended


def normalize(raw: object) -> str:
    """Full-width to half-width, spaces removed, trailing x upper-cased."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    text = re.sub(r"\s+", "", text)
    return text.upper()


def parse(raw: object) -> IdInfo:
    """Validate an ID number and return its normalised form, birth date and gender.

    Raises ``ValidationError`` with a Chinese message that says what is wrong
    and, where it helps, how to fix it.
    """
    if isinstance(raw, float) or (isinstance(raw, int) and not isinstance(raw, bool)):
        raise ValidationError(
            _(
                "身份证号被 Excel 存成了数字，末几位已经丢失，无法恢复。请把该列设置为“文本”格式"
                "（或在号码前加英文单引号 '）后重新填写原始号码。"
            ),
            code="numeric",
        )
    number = normalize(raw)
    if not number:
        raise ValidationError(_("身份证号不能为空。"), code="required")
    if _SCIENTIFIC.match(number):
        raise ValidationError(
            _(
                "身份证号“%(value)s”是科学计数法，说明 Excel 把它当成了数字，末几位已经丢失。"
                "请把该列设置为“文本”格式后重新填写原始号码。"
            )
            % {"value": number},
            code="scientific",
        )
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _("“%(value)s”是 15 位旧身份证号，已停止使用。请填写 18 位的二代身份证号码。") % {"value": number},
            code="legacy",
        )
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为 18 位，现在是 %(count)d 位。") % {"count": len(number)}, code="length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号只能由数字和末位的 X 组成。"), code="format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位不正确，请核对是否抄错。"), code="checksum")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(value)s 不存在。") % {"value": number[6:14]}, code="birth_date"
        ) from None
    region = region_of(number[:6])
    if region is None:
        raise ValidationError(
            _("身份证号前 6 位“%(code)s”不是已知的行政区划代码（现行或曾用），请核对是否抄错。") % {"code": number[:6]},
            code="place",
        )
    if birth > dt.date.today() or birth.year < 1900:
        raise ValidationError(_("身份证号中的出生日期 %(value)s 不合理。") % {"value": number[6:14]}, code="birth_date")
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return IdInfo(number=number, birth_date=birth, gender=gender, region=region[0], region_ended=region[1])


def check_consistency(info: IdInfo, *, gender: str | None = None, birth_date: dt.date | None = None) -> list[tuple[str, str]]:
    """Return (field, message) pairs where entered data contradicts the ID number."""
    problems: list[tuple[str, str]] = []
    if gender and gender != info.gender:
        problems.append(
            (
                "gender",
                _("性别与身份证号不符：身份证号显示为“%(expected)s”。")
                % {"expected": Gender(info.gender).label},
            )
        )
    if birth_date and birth_date != info.birth_date:
        problems.append(
            (
                "birth_date",
                _("出生日期与身份证号不符：身份证号显示为 %(expected)s。") % {"expected": info.birth_date.isoformat()},
            )
        )
    return problems
