"""Result lists headed the organisers' way: synonyms, any order, title rows, 学时 forms.

tests/data/results/organiser_headers.* were written by LibreOffice
(make_fixtures.py there): two title rows, then 序号, 姓名, 身份证号码,
培训项目, 培训级别, 培训形式, 学时数, 开始时间, 结束时间, 考核结果, 备注; 学时
as the number 30, the text 30.0 and the text 30学时; the teachers' ID numbers
carry region codes of another period (永嘉县 from 1981 for someone born in
1975, 崇文区 that ended in 2010).
"""

from decimal import Decimal
from pathlib import Path

import pytest
from stdnum.cn import ric

from tests.credits.factories import YEAR, adopt
from yanxiu.credits.importer import import_results
from yanxiu.credits.models import CreditEntry

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "results"


def checked(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


PAN = checked("33032419750312011")
ZHAO = checked("11010319800101042")


@pytest.fixture
def teachers(people, school):
    adopt("000", school.county)
    pan = people.teacher(school, name="潘建国").person
    zhao = people.teacher(school, name="赵淑珍", male=False).person
    pan.id_number, zhao.id_number = PAN, ZHAO
    pan.save(update_fields=["id_number"])
    zhao.save(update_fields=["id_number"])
    return pan, zhao


@pytest.mark.parametrize("name", ["organiser_headers.xlsx", "organiser_headers.xls", "organiser_headers.ods"])
def test_a_list_headed_the_organisers_way_is_credited(teachers, roles, name):
    pan, zhao = teachers
    result = import_results(actor=roles.bureau, name=name, data=(DATA / name).read_bytes(), school_year=YEAR)
    assert result.ok, result.errors
    assert (result.rows, result.credited, result.failed_results) == (4, 3, 1)
    assert sorted(e.hours for e in CreditEntry.objects.filter(person=pan)) == [Decimal("30.00"), Decimal("30.00")]
    assert [(e.kind, e.hours) for e in CreditEntry.objects.filter(person=zhao)] == [("centralised", Decimal("30.00"))]


def test_errors_name_the_row_and_the_column_as_written_in_the_file(teachers, roles):
    pan, _zhao = teachers
    lines = [
        "2025年培训结果",
        "序号,学员姓名,公民身份号码,项目名称,层级,方式,培训学时,开始日期,结束日期,是否合格",
        f"1,潘建国,{PAN},班主任培训,县级,集中,三十,2025-10-08,2025-10-09,是",
    ]
    data = "\n".join(lines).encode("gbk")
    result = import_results(actor=roles.bureau, name="r.csv", data=data, school_year=YEAR)
    assert [(e.row, e.column) for e in result.errors] == [(3, "培训学时")]
    ok = data.replace("三十".encode("gbk"), "12学时".encode("gbk"))
    result = import_results(actor=roles.bureau, name="r.csv", data=ok, school_year=YEAR)
    assert result.ok, result.errors
    assert result.credited == 1 and CreditEntry.objects.get(person=pan).hours == Decimal("12.00")


def test_yes_no_and_completion_words_are_results(teachers, roles):
    pan, zhao = teachers
    header = "身份证号,姓名,培训名称,级别,类别,学时,开始日期,结束日期,结业情况"
    lines = [header, f"{PAN},潘建国,A,县培,集中,8,2025-10-08,2025-10-08,已结业", f"{ZHAO},赵淑珍,A,县培,集中,8,2025-10-08,2025-10-08,未结业"]
    result = import_results(actor=roles.bureau, name="r.csv", data="\n".join(lines).encode(), school_year=YEAR)
    assert result.ok, result.errors
    assert (result.credited, result.failed_results) == (1, 1)
    assert CreditEntry.objects.filter(person=pan).count() == 1 and not CreditEntry.objects.filter(person=zhao).exists()


def test_a_missing_column_lists_the_headers_found_and_those_needed(teachers, roles):
    lines = ["序号,姓名,身份证号码,培训项目,培训级别,考核结果,学时数,开始时间,结束时间", f"1,潘建国,{PAN},A,县级,合格,8,2025-10-08,2025-10-08"]
    result = import_results(actor=roles.bureau, name="r.csv", data="\n".join(lines).encode(), school_year=YEAR)
    assert not result.ok and len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (1, "类别")
    assert "缺少必需的列：类别" in error.message
    assert "序号、姓名、身份证号码、培训项目、培训级别、考核结果、学时数、开始时间、结束时间" in error.message
    assert "身份证号、姓名、培训名称、级别、类别、学时、开始日期、结束日期、结果" in error.message

