"""The three presets from the seeds, on constructed teachers."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.org.models import Employment
from yanxiu.credits.compliance import Status, compliance_rows
from yanxiu.policy.models import Policy


def row_for(person, year=YEAR):
    rows = compliance_rows(Employment.objects.filter(person=person), year)
    assert len(rows) == 1
    return rows[0]


def test_presets_are_loaded_and_name_their_seed(db):
    presets = {p.preset_key: p for p in Policy.objects.filter(region__isnull=True)}
    assert set(presets) == {"000", "001-3", "002"}
    assert "seeds/000" in presets["000"].source and presets["000"].total_min == 48
    assert {k.kind: k.min_amount for k in presets["001-3"].kind_rules.all()} == {"centralised": 16, "online": 8, "school_based": 24}
    assert presets["001-3"].unit == "credit"
    assert "政治学习" in presets["001-3"].excluded_activities
    assert presets["002"].total_min == 24


def test_000_forty_hours_with_26_school_based_is_below_and_blocks_excellent(people, school):
    adopt("000", school.county)
    person = people.teacher(school, name="王老师").person
    credit(person, 26)
    credit(person, 14, kind="centralised", title="县级培训")
    row = row_for(person)
    assert row.total == 40
    assert row.status == Status.BELOW
    assert row.status_label == "未达标（不能评优秀）"
    assert row.shortfall == {"total": 8}
    assert "不足 48 学时" in row.reason and "不能评为优秀" in row.reason


def test_000_fifty_hours_with_20_school_based_passes_through_long_cycle_exemption(people, school):
    adopt("000", school.county)
    person = people.teacher(school).person
    credit(person, 20)
    credit(person, 30, kind="centralised", title="省级骨干教师长周期培训", long_cycle=True)
    row = row_for(person)
    assert row.status == Status.MET
    assert "长周期" in row.reason


def test_000_fifty_hours_with_20_school_based_without_long_cycle_is_below(people, school):
    adopt("000", school.county)
    person = people.teacher(school).person
    credit(person, 20)
    credit(person, 30, kind="centralised", title="县级培训")
    row = row_for(person)
    assert row.status == Status.BELOW
    assert row.shortfall == {"school_based": 4}


def test_000_an_unexcused_absence_fails_the_year(people, school, roles):
    from yanxiu.training.models import Enrollment, Project, Session

    adopt("000", school.county)
    person = people.teacher(school).person
    credit(person, 60)
    start = timezone.make_aware(dt.datetime(2025, 10, 14, 15, 30))
    project = Project.objects.create(owner_school=school, region=school.county, title="语文组教研", school_year="2025-2026", status="approved")
    session = Session.objects.create(project=project, title="集体备课", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                     hours=2, status="published")
    Enrollment.objects.create(session=session, person=person, school=school)
    row = row_for(person)
    assert row.status == Status.FAIL
    assert "缺席" in row.reason and "不合格" in row.reason


def test_001_split_needs_each_kind(people, school):
    adopt("001-3", school.county)
    person = people.teacher(school).person
    credit(person, 16, kind="centralised", title="区集中培训")
    credit(person, 30, kind="school_based")
    row = row_for(person)
    assert row.unit == "学分"
    assert row.status == Status.BELOW
    assert row.shortfall == {"total": 2, "online": 8}
    credit(person, 8, kind="online", title="网络研修")
    assert row_for(person).status == Status.MET


def test_002_twenty_four_school_based_hours_for_every_staff_member(people, school):
    adopt("002", school.county)
    head = people.teacher(school, position="principal").person
    credit(head, 23.5)
    row = row_for(head)
    assert row.status == Status.BELOW and row.status_label == "未达标"
    credit(head, 0.5)
    assert row_for(head).status == Status.MET


def test_an_excluded_activity_is_refused(people, school):
    from django.core.exceptions import ValidationError

    adopt("001-3", school.county)
    person = people.teacher(school).person
    with pytest.raises(ValidationError, match="政治学习"):
        credit(person, 2, title="教师政治学习")


def test_cycle_compliance_sums_the_cycle_years(people, school):
    from yanxiu.policy.services import policy_as_data, policy_save

    policy = adopt("002", school.county)
    data = policy_as_data(policy) | {"cycle_years": 5, "cycle_min": 360, "cycle_start_year": 2021}
    from yanxiu.accounts.models import User

    policy_save(actor=User.objects.get(username="root"), region=school.county, valid_from_year=2020, data=data, change_reason="五年周期")
    person = people.teacher(school).person
    for year in range(2021, 2026):
        credit(person, 70, year=year)
    rows = compliance_rows(Employment.objects.filter(person=person), 2023, cycle=True)
    assert rows[0].years == (2021, 2025)
    assert rows[0].total == 350 and rows[0].status == Status.BELOW
    assert rows[0].shortfall == {"total": 10}


def test_the_compliance_command_prints_one_json_line_per_teacher(people, school, school_b, capsys):
    import json

    from django.core.management import call_command

    adopt("000", school.county)
    a = people.teacher(school, name="甲老师").person
    people.teacher(school_b, name="乙老师")
    credit(a, 30)
    credit(a, 20, kind="centralised", title="县培")
    call_command("compliance", "--year", str(YEAR), "--school", school.code, "--json")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 1
    row = lines[0]
    assert row["name"] == "甲老师" and row["id_number"] == a.id_number and row["school"] == school.code
    assert row["total"] == 50 and row["by_kind"]["school_based"] == 30 and row["status"] == "达标" and row["shortfall"] == {}
    call_command("compliance", "--year", str(YEAR), "--json")
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_sums_of_tenths_stay_exact_on_every_database(db, roles, school):
    """SQLite sums decimals as floats; the compliance totals must not show it."""
    from decimal import Decimal

    from tests.credits.factories import YEAR, adopt, credit
    from yanxiu.org.models import Employment
    from yanxiu.credits.compliance import compliance_rows

    adopt("000", school.county)
    teacher = roles.teacher.person
    for _ in range(3):
        credit(teacher, Decimal("0.1"), kind="centralised")
    row = compliance_rows(Employment.objects.filter(person=teacher), YEAR)[0]
    assert row.total == Decimal("0.3") and str(row.total) == "0.30"
