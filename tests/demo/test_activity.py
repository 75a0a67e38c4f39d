"""The demo county's school year of activity (yanxiu.demo.activity)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from yanxiu.accounts.models import User
from yanxiu.attendance.models import Attendance, Reflection, SimilarityFlag
from yanxiu.credits.ledger import verify_ledger
from yanxiu.credits.models import CreditEntry, Objection, Posting, SourceType
from yanxiu.demo import activity as demo_activity
from yanxiu.org.models import Employment, Region, School
from yanxiu.credits.compliance import Status, compliance_rows
from yanxiu.policy.models import Policy
from yanxiu.training.models import Decision, Enrollment, LeaveRequest, Project, Quota, Session


def test_past_sessions_fall_on_fixed_weeks_once_they_are_over():
    days = demo_activity.past_session_days(2026, 2, dt.date(2026, 11, 27))
    assert days == demo_activity.past_session_days(2026, 2, dt.date(2027, 3, 1))
    assert len(days) == 6 and all(d.weekday() == 2 for d in days)
    assert days[0] >= dt.date(2026, 9, 8) and days[-1] < dt.date(2026, 11, 1)


def test_early_in_the_year_past_sessions_are_spread_over_the_days_gone_by():
    today = dt.date(2026, 9, 20)
    days = demo_activity.past_session_days(2026, 2, today)
    assert len(days) == 6 and days == sorted(days)
    assert all(dt.date(2026, 9, 1) <= d < today for d in days)


def test_upcoming_sessions_are_next_week_and_the_week_after():
    today = dt.date(2026, 11, 27)  # a Friday
    first, second = demo_activity.upcoming_session_days(3, today)
    assert first.weekday() == 3 and 3 <= (first - today).days <= 9 and second - first == dt.timedelta(weeks=1)


def test_reflection_text_is_long_enough_and_varies():
    import random

    rng = random.Random(1)
    texts = {"".join(demo_activity.reflection_text(rng, demo_activity.TOPICS[0], "张老师", dt.date(2026, 9, 9), 200))
             for _ in range(20)}
    assert len(texts) == 20
    assert all(len(t) >= 200 for t in texts)


@pytest.mark.sqlite_only  # the demo is served on SQLite; the PostgreSQL pass builds the small county
@pytest.mark.django_db
def test_seed_demo_writes_a_living_county():
    out = io.StringIO()
    call_command("seed_demo", teachers=200, stdout=out)
    assert "研修活动" in out.getvalue()
    county = Region.objects.get(code="430121")
    year = demo_activity.school_year_of(timezone.localdate())

    policy = Policy.objects.get(region=county)
    assert policy.preset_key == "000" and policy.valid_from_year == year

    now = timezone.now()
    past = Session.objects.filter(project__owner_school__isnull=False, ends_at__lt=now, status=Session.Status.PUBLISHED)
    assert past.count() >= 6
    assert Session.objects.filter(starts_at__gt=now, status=Session.Status.PUBLISHED).exists()
    assert Enrollment.objects.filter(session__in=past).count() >= 200
    assert Attendance.objects.filter(status=Attendance.Status.PRESENT).exists()
    assert Attendance.objects.filter(is_late=True).exists()
    assert Reflection.objects.filter(status=Reflection.Status.ACCEPTED).exists()
    assert SimilarityFlag.objects.exists()

    assert CreditEntry.objects.filter(source_type=SourceType.SESSION).exists()
    assert CreditEntry.objects.filter(source_type=SourceType.IMPORT).exists()
    checked, problems = verify_ledger()
    assert checked == CreditEntry.objects.count() > 0 and problems == []

    assert Project.objects.filter(status=Project.Status.SUBMITTED).exists()
    assert Project.objects.filter(status=Project.Status.RETURNED).exclude(review_comment="").exists()
    assert Quota.objects.exists()
    assert LeaveRequest.objects.filter(status=Decision.PENDING).exists()
    posting = Posting.objects.get(status=Posting.Status.OPEN)
    assert posting.entries.exists()
    assert Objection.objects.filter(posting=posting, status=Objection.Status.OPEN).count() <= 1

    teacher = User.objects.get(username="teacher").person
    assert Attendance.objects.filter(person=teacher, status=Attendance.Status.PRESENT).count() == 6
    assert CreditEntry.objects.filter(person=teacher).exists()
    last = Session.objects.filter(enrollments__person=teacher, ends_at__lt=now).order_by("-starts_at").first()
    assert not Reflection.objects.filter(person=teacher, session=last).exists()  # still to write
    assert Session.objects.filter(enrollments__person=teacher, starts_at__gt=now).exists()
    from yanxiu.needs.models import Respondent
    from yanxiu.needs.questionnaires import open_questionnaires_for

    # The demo teacher still has the needs questionnaire to fill in; two thirds of the colleagues have answered.
    assert [(q.purpose, q.answered) for q in open_questionnaires_for(teacher.pk)] == [("needs", False)]
    assert Respondent.objects.count() > 10
    from yanxiu.reports.followup import followups

    back = followups(School.objects.filter(county=county), year)
    assert {r.level for r in back} == {"provincial"} and any(r.shared_in for r in back) and any(not r.shared_in for r in back)

    rows = compliance_rows(Employment.objects.filter(school__county=county), year)
    mine = [r for r in rows if r.person_id == teacher.pk]
    assert len(mine) == 1 and mine[0].total > 0
    statuses = {r.status for r in rows}
    # The demo's school year is running: a standing, no verdict yet.
    assert Status.IN_PROGRESS in statuses or Status.AT_RISK in statuses
    assert not statuses & {Status.BELOW, Status.FAIL}
    # As if the year ended today: the verdicts.
    final = compliance_rows(Employment.objects.filter(school__county=county), year, final=True)
    assert Status.BELOW in {r.status for r in final}
    assert sum(1 for r in final if r.status == Status.FAIL) == 1


@pytest.mark.django_db
def test_no_activity_flag_seeds_only_the_organisation():
    call_command("seed_demo", teachers=60, no_activity=True, stdout=io.StringIO())
    assert Employment.objects.count() == 60
    assert not Session.objects.exists() and not CreditEntry.objects.exists()
