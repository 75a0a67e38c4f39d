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


# Region codes whose period in python-stdnum's table starts after the holder's
# birth year (the card was issued later, where they then lived), and codes that
# ended (renamed or merged counties): real numbers, to be accepted.
@pytest.mark.parametrize(
    "body, region, ended",
    [
        ("33032419750312001", "永嘉县", None),  # [1981-]
        ("33010819700101002", "滨江区", None),  # [1996-]
        ("33011219680505003", "临安区", None),  # [2017-]
        ("11010319800101001", "崇文区", 2010),  # [-2010], merged into 东城区
        ("33012319650707004", "富阳县", 1994),  # [-1994], became 富阳市
        ("33010419720909005", "江干区", 2021),  # [1983-2021]
    ],
)
def test_region_codes_of_any_period_are_accepted(body, region, ended):
    info = idnumber.parse(checked(body))
    assert info.region == region
    assert info.region_ended == ended
    assert info.birth_date.year == int(body[6:10])


def test_a_code_reused_under_another_name_gives_the_current_name():
    # 330206: 滨海区 1985-1986, then 北仑区.
    info = idnumber.parse(checked("33020619600101001"))
    assert info.region == "北仑区" and info.region_ended is None


@pytest.mark.parametrize("body", ["33039919800101001", "99010119800101001", "33000119800101001"])
def test_unknown_region_codes_are_still_refused(body):
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(checked(body))
    assert "行政区划代码" in exc.value.messages[0]
    assert body[:6] in exc.value.messages[0]


def test_check_digit_birth_date_and_gender_are_still_checked_for_old_codes():
    good = checked("33032419750312001")
    wrong_digit = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(wrong_digit)
    assert "校验位" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(checked("33032419750230001"))
    assert "出生日期" in exc.value.messages[0]
    info = idnumber.parse(good)
    assert dict(idnumber.check_consistency(info, gender="F"))["gender"]
