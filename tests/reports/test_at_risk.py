"""At-risk teachers: projected = hours so far + max(scheduled, pace × days left), against the year's minimum,
months before the year ends (2 March 2026 of the 2025-2026 year: 183 days elapsed, 182 to go)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.reports.test_dashboard_world import NOW, build
from yanxiu.credits.compliance import Status, compliance_rows
from yanxiu.org.models import Employment
from yanxiu.reports.at_risk import at_risk_teachers, projection

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, county, school, school_b):
    return build(people, county, school, school_b)


def rows(now=NOW):
    return compliance_rows(Employment.objects.all(), 2025, now=now)


def test_in_march_the_slow_teachers_are_listed_with_their_projection(world):
    listed = at_risk_teachers(rows(), now=NOW)
    assert [p.name for p in listed] == ["甲老师", "戊老师"]
    a, e = listed
    assert (a.elapsed_days, a.remaining_days) == (183, 182)
    assert a.total == 10 and a.scheduled == 0
    assert a.by_pace == Decimal("9.95")  # 10 / 183 × 182
    assert a.projected == Decimal("19.95") and a.minimum == 48 and a.to_go == 38
    assert e.projected == Decimal("9.97")  # 5 + 5 / 183 × 182; the reversed 7 hours do not count
    assert e.masked_id.startswith("430121") and "*" in e.masked_id and e.masked_id != e.row.id_number


def test_pace_rescues_a_teacher_compliance_calls_at_risk(world):
    by_name = {r.name: r for r in rows()}
    b = by_name["乙老师"]
    assert b.status == Status.AT_RISK  # 30 + nothing scheduled < 48
    p = projection(b, today=timezone.localdate(NOW))
    assert p.projected == Decimal("59.84") and not p.at_risk  # 30 + 30 / 183 × 182


def test_scheduled_sessions_count_when_they_bring_more_than_the_pace(world):
    c = {r.name: r for r in rows()}["丙老师"]
    p = projection(c, today=timezone.localdate(NOW))
    assert c.scheduled == 30 and p.by_pace == Decimal("19.89")
    assert p.projected == 50 and not p.at_risk


def test_a_teacher_who_has_met_the_policy_is_never_at_risk(world):
    d = {r.name: r for r in rows()}["丁老师"]
    assert d.status == Status.MET
    assert "丁老师" not in [p.name for p in at_risk_teachers(rows(), now=NOW)]


def test_early_in_the_year_the_pace_decides(world):
    # 1 October: 31 days elapsed, 334 to go; 戊老师's 5 hours at that pace bring 53.87 hours: not at risk yet.
    october = timezone.make_aware(dt.datetime(2025, 10, 1, 9, 0))
    names = [p.name for p in at_risk_teachers(rows(october), now=october)]
    assert "戊老师" not in names


def test_nobody_is_listed_once_the_year_is_over(world):
    after = timezone.make_aware(dt.datetime(2026, 9, 2, 9, 0))
    assert at_risk_teachers(rows(after), now=after) == []
