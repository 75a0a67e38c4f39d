"""Resident ID numbers (GB 11643) checked with python-stdnum."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from .choices import Gender

_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    gender: str  # Gender value


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
    try:
        ric.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_("身份证号校验位不正确，请核对是否抄错。"), code="checksum") from None
    except stdnum_errors.InvalidComponent:
        # Either the birth date or the place code is impossible.
        try:
            ric.get_birth_date(number)
        except stdnum_errors.ValidationError:
            raise ValidationError(
                _("身份证号中的出生日期 %(value)s 不存在。") % {"value": number[6:14]}, code="birth_date"
            ) from None
        raise ValidationError(_("身份证号前 6 位不是有效的行政区划代码。"), code="place") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(_("身份证号格式不正确。"), code="invalid") from None
    birth = ric.get_birth_date(number)
    if birth > dt.date.today() or birth.year < 1900:
        raise ValidationError(_("身份证号中的出生日期 %(value)s 不合理。") % {"value": number[6:14]}, code="birth_date")
    gender = Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE
    return IdInfo(number=number, birth_date=birth, gender=gender)


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
