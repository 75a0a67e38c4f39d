"""Result lists as organisers send them: files written by LibreOffice, not by this project."""

from decimal import Decimal
from pathlib import Path

import pytest

from tests.credits.factories import YEAR, adopt
from yanxiu.credits.importer import import_results
from yanxiu.credits.models import CreditEntry

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "results"


@pytest.fixture
def teachers(people, school):
    adopt("000", school.county)
    chen = people.teacher(school, name="陈老师").person
    liu = people.teacher(school, name="刘老师", male=False).person
    chen.id_number, liu.id_number = "430121198506158037", "430121198506158045"
    chen.save(update_fields=["id_number"])
    liu.save(update_fields=["id_number"])
    return chen, liu


@pytest.mark.parametrize("name", ["results.xlsx", "results.xls", "results.csv"])
def test_a_libreoffice_result_list_credits_the_passed_rows(teachers, roles, name):
    chen, liu = teachers
    result = import_results(actor=roles.bureau, name=name, data=(DATA / name).read_bytes(), school_year=YEAR)
    assert result.ok, result.errors
    assert result.rows == 3 and result.credited == 2
    by_kind = {e.kind: e.hours for e in CreditEntry.objects.filter(person=chen)}
    assert by_kind == {"centralised": Decimal("24.00"), "online": Decimal("8.00")}
    assert not CreditEntry.objects.filter(person=liu).exists()
