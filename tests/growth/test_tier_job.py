"""The daily tier job: once a school year's term 1 has begun, every school's teachers are tiered once."""

from __future__ import annotations

import datetime as dt

import pytest

from yanxiu.core.models import AuditEvent
from yanxiu.growth import tasks
from yanxiu.growth.models import SchoolTerm, TierAssignment
from yanxiu.growth.services.tiers import tier_assign, tier_rule_set

pytestmark = pytest.mark.django_db


def test_the_job_tiers_every_school_once(roles, school, school_b, people):
    young = people.teacher(school, name="新老师", teaching_since=dt.date(2024, 9, 1))
    tier_rule_set(actor=roles.school_admin, school=school, basis="teaching_age")
    first = tasks.recompute_started_years(today=dt.date(2026, 9, 1))
    assert set(first) >= {school.pk, school_b.pk} and first[school.pk] > 0
    rows = TierAssignment.objects.filter(school_year=2026)
    assert rows.get(person=young.person).tier == "young" and rows.get(person=roles.teacher.person).tier == "mature"
    assert rows.filter(school=school_b).exists() and set(rows.values_list("source", flat=True)) == {"rule"}
    count, audits = TierAssignment.objects.count(), AuditEvent.objects.count()
    assert tasks.recompute_started_years(today=dt.date(2026, 9, 2)) == {}
    assert (TierAssignment.objects.count(), AuditEvent.objects.count()) == (count, audits)


def test_a_hand_set_tier_before_the_run_is_kept(roles, school):
    tier_assign(actor=roles.school_admin, person=roles.teacher.person, school_year=2026, tier="backbone", reason="市级骨干")
    tasks.recompute_started_years(today=dt.date(2026, 9, 10))
    rows = TierAssignment.objects.filter(person=roles.teacher.person, school_year=2026)
    assert list(rows.values_list("tier", "source")) == [("backbone", "manual")]


def test_each_school_waits_for_its_own_first_day(roles, school, school_b):
    SchoolTerm.objects.create(school=school, school_year=2026, number=1, start=dt.date(2026, 9, 7), end=dt.date(2027, 1, 24))
    done = tasks.recompute_started_years(today=dt.date(2026, 9, 3))
    assert TierAssignment.objects.filter(school=school_b, school_year=2026).exists()
    # Term 1 of 2026 has not begun at the first school: its latest started year is 2025.
    assert not TierAssignment.objects.filter(school=school, school_year=2026).exists()
    assert TierAssignment.objects.filter(school=school, school_year=2025).exists() and school.pk in done
    tasks.recompute_started_years(today=dt.date(2026, 9, 7))
    assert TierAssignment.objects.filter(school=school, school_year=2026).exists()
    assert tasks.recompute_started_years(today=dt.date(2026, 9, 8)) == {}


def test_the_job_is_a_daily_task_that_queues_its_next_run(settings, roles):
    from django_tasks_db.models import DBTaskResult

    assert "yanxiu.growth.tasks.recompute_tiers" in settings.DAILY_TASKS
    tasks.recompute_tiers.call()
    waiting = DBTaskResult.objects.get()
    assert waiting.task_path.endswith("recompute_tiers")
    assert TierAssignment.objects.filter(person=roles.teacher.person).exists()
