"""Real teachers whose ID numbers carry a region code of another period.

tests/data/roster/old_codes.* were written by LibreOffice (make_fixtures.py):
six teachers whose region code's period starts after their birth year
(永嘉县 from 1981, 滨江区 from 1996, 临安区 from 2017) or has ended
(崇文区 until 2010, 富阳县 until 1994, 江干区 until 2021).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from yanxiu.org.choices import GroupKind
from yanxiu.org.models import Group, Person, Region, School
from yanxiu.org.roster import import_roster, preview_roster

DATA = Path(__file__).resolve().parent.parent / "data" / "roster"


@pytest.fixture
def school(db) -> School:
    province = Region.objects.create(code="330000", name="浙江省", level="province")
    city = Region.objects.create(code="330300", name="温州市", level="city", parent=province)
    county = Region.objects.create(code="330324", name="永嘉县", level="county", parent=city)
    # Nine-year: the file has primary and junior posts (a 学段 the school lacks is refused).
    return School.objects.create(code="3303240001", name="永嘉县实验学校", stage="nine_year", county=county)


@pytest.mark.parametrize("name", ["old_codes.xlsx", "old_codes.xls", "old_codes.ods"])
def test_teachers_with_codes_of_another_period_are_imported(school, name):
    data = (DATA / name).read_bytes()
    preview = preview_roster(school=school, file_name=name, data=data, create_groups=True)  # the file names new groups
    assert preview.ok, preview.errors
    report = import_roster(actor=None, school=school, file_name=name, data=data, create_groups=True)
    assert report.ok, report.errors
    assert (report.rows, report.created) == (6, 6)
    born = {p.id_number[:6]: p.birth_date for p in Person.objects.all()}
    assert born == {
        "330324": dt.date(1975, 3, 12),
        "330108": dt.date(1970, 1, 1),
        "330112": dt.date(1968, 5, 5),
        "110103": dt.date(1980, 1, 1),
        "330123": dt.date(1965, 7, 7),
        "330104": dt.date(1972, 9, 9),
    }
    assert Person.objects.get(id_number__startswith="110103").gender == "F"
