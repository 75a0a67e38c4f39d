import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from stdnum.cn import ric

from yanxiu.org import idnumber


def checked(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")  # the function expects a placeholder check digit

VALID = "43012119900307002X"


def test_a_valid_number_gives_its_birth_date_and_gender():
    info = idnumber.parse(VALID)
    assert info.birth_date == dt.date(1990, 3, 7)
    assert info.gender == "F"  # 17th digit 2 is even


def test_a_lower_case_x_and_full_width_digits_are_normalised():
    assert idnumber.parse(VALID.lower()).number == VALID
    full_width = "４３０１２１１９９００３０７００２ｘ"
    assert idnumber.parse(f"  {full_width} ").number == VALID


@pytest.mark.parametrize(
    "raw, phrase",
    [
        ("430121199003070021", "校验位"),
        ("430121900307002", "15 位旧身份证号"),
        (checked("43012119900230002"), "出生日期"),
        ("4301211990030700", "18 位"),
        ("1.10105E+17", "科学计数法"),
        (4.30121199003070e17, "末几位已经丢失"),
        ("", "不能为空"),
        (checked("00000019900307002"), "行政区划"),
    ],
)
def test_bad_numbers_are_refused_with_a_chinese_reason(raw, phrase):
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(raw)
    assert phrase in exc.value.messages[0]


def test_entered_gender_and_birth_date_must_agree_with_the_number():
    info = idnumber.parse(VALID)
    problems = dict(idnumber.check_consistency(info, gender="M", birth_date=dt.date(1990, 3, 8)))
    assert "女" in problems["gender"]
    assert "1990-03-07" in problems["birth_date"]
    assert idnumber.check_consistency(info, gender="F", birth_date=dt.date(1990, 3, 7)) == []
