"""Registering the credit of a term's ready sessions at once: what is ready, what waits, all or none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.credits.factories import adopt
from yanxiu.credits import selectors
from yanxiu.credits.models import CreditEntry

pytestmark = pytest.mark.django_db


def _term_of(school, moment) -> tuple[int, int]:
    day = timezone.localdate(moment)
    year = day.year if day >= selectors.term_span(school.county, day.year, 1)[0] else day.year - 1
    return year, 1 if day <= selectors.term_span(school.county, year, 1)[1] else 2


@pytest.fixture
def term(roles, school, people):
    from yanxiu.attendance.models import Attendance, Reflection
    from yanxiu.training.models import Enrollment, LeaveRequest, Project, Session

    adopt("000", school.county)
    now = timezone.now()
    project = Project.objects.create(owner_school=school, region=school.county, title="校本研修", school_year="2026-2027", status="approved")
    teacher = people.teacher(school, name="全做到").person

    def session(title, days_ago):
        start = now - dt.timedelta(days=days_ago)
        s = Session.objects.create(project=project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                   hours=Decimal("2"), status="published")
        Enrollment.objects.create(session=s, person=teacher, school=school)
        Attendance.objects.create(session=s, person=teacher, signed_in_at=start)
        Reflection.objects.create(session=s, person=teacher, body="同课异构的体会" * 40, plain_text="同课异构的体会" * 40,
                                  status="accepted", submitted_at=start + dt.timedelta(hours=3))
        return s

    # Three days in one term (near a term's first days, the week before it).
    shift = 0 if _term_of(school, now - dt.timedelta(days=3)) == _term_of(school, now - dt.timedelta(days=1)) else 7
    ready = [session("第一次", 3 + shift), session("第二次", 2 + shift)]
    waiting = session("第三次", 1 + shift)
    Reflection.objects.filter(session=waiting).update(status="submitted")
    other = people.teacher(school, name="请假者").person
    Enrollment.objects.create(session=ready[1], person=other, school=school)
    return ready, waiting, teacher


def test_ready_sessions_are_registered_together_and_the_waiting_one_is_named(client, roles, school, term):
    ready, waiting, teacher = term
    year, t = _term_of(school, ready[0].starts_at)
    found, others = selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, year, t))
    assert [s.pk for s in found] == [s.pk for s in ready] and [(s.pk, why) for s, why in others] == [(waiting.pk, "1 篇反思待审阅")]
    client.force_login(roles.school_admin)
    page = client.get(reverse("credits:school", args=[school.pk]) + f"?year={year}").content.decode()
    assert "一并登记 2 次就绪活动的学时" in page and "第三次（1 篇反思待审阅）" in page
    response = client.post(reverse("credits:term_sessions_credit", args=[school.pk]), {"year": year, "term": t}, follow=True)
    assert "已登记 2 次活动的学时，共 2 人次" in response.content.decode()
    assert sorted(CreditEntry.objects.filter(person=teacher).values_list("source_id", flat=True)) == sorted(str(s.pk) for s in ready)
    assert selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, year, t))[0] == []


def test_another_school_cannot_register_them(client, roles, school, term):
    year = selectors.current_school_year(school.county)
    client.force_login(roles.other_admin)
    response = client.post(reverse("credits:term_sessions_credit", args=[school.pk]), {"year": year, "term": 1})
    assert response.status_code in (403, 404)
    client.force_login(roles.teacher)
    assert client.post(reverse("credits:term_sessions_credit", args=[school.pk]), {"year": year, "term": 1}).status_code in (403, 404)
    assert not CreditEntry.objects.exists()


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def winter(roles, school, people):
    """Fixed dates around the split of the 2025 school year's terms (31 January / 1 February 2026)."""
    from yanxiu.attendance.models import Attendance, Reflection
    from yanxiu.training.models import Enrollment, Project, Session

    adopt("000", school.county)
    project = Project.objects.create(owner_school=school, region=school.county, title="寒假校本研修", school_year="2025-2026",
                                     status="approved")
    teacher = people.teacher(school, name="全做到").person

    def session(title, start, hours="2"):
        s = Session.objects.create(project=project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                   hours=Decimal(hours), status="published")
        Enrollment.objects.create(session=s, person=teacher, school=school)
        Attendance.objects.create(session=s, person=teacher, signed_in_at=start)
        Reflection.objects.create(session=s, person=teacher, body="同课异构的体会" * 40, plain_text="同课异构的体会" * 40,
                                  status="accepted", submitted_at=start + dt.timedelta(hours=3))
        return s

    return {
        "last_of_term_1": session("一月最后一次", _local(dt.date(2026, 1, 31), 21, 30)),
        "zero_hours": session("没有学时", _local(dt.date(2026, 1, 20), 14), hours="0"),
        "first_of_term_2": session("二月第一次", _local(dt.date(2026, 2, 1), 0, 30)),
        "teacher": teacher,
    }


def test_the_terms_split_between_31_january_and_1_february(school, winter):
    now = _local(dt.date(2026, 3, 1), 12)
    assert selectors.term_span(school.county, 2025, 1)[1] == dt.date(2026, 1, 31)
    assert selectors.term_span(school.county, 2025, 2)[0] == dt.date(2026, 2, 1)
    first, _w1 = selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, 2025, 1), now=now)
    second, _w2 = selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, 2025, 2), now=now)
    assert [s.pk for s in first] == [winter["last_of_term_1"].pk]
    assert [s.pk for s in second] == [winter["first_of_term_2"].pk]


def test_a_zero_hour_session_waits_with_its_reason_and_does_not_block_the_term(client, roles, school, winter):
    ready, waiting = selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, 2025, 1))
    assert [s.pk for s in ready] == [winter["last_of_term_1"].pk]
    assert [(s.pk, why) for s, why in waiting] == [(winter["zero_hours"].pk, "该培训活动没有设置学时")]
    client.force_login(roles.school_admin)
    page = client.get(reverse("credits:school", args=[school.pk]) + "?year=2025").content.decode()
    assert "一并登记 1 次就绪活动的学时" in page and "没有学时（该培训活动没有设置学时）" in page
    response = client.post(reverse("credits:term_sessions_credit", args=[school.pk]), {"year": 2025, "term": 1}, follow=True)
    assert "已登记 1 次活动的学时，共 1 人次" in response.content.decode()
    assert list(CreditEntry.objects.filter(person=winter["teacher"]).values_list("source_id", flat=True)) == [
        str(winter["last_of_term_1"].pk)]


def test_a_session_without_a_policy_waits_with_its_reason(school, winter):
    from yanxiu.policy.models import Policy

    Policy.objects.filter(region=school.county).delete()
    ready, waiting = selectors.sessions_ready_to_credit(school, *selectors.term_span(school.county, 2025, 1))
    assert ready == [] and {why for _s, why in waiting} == {f"{school.county.name} 尚未制定学时政策，不能登记学时"}


def test_a_long_term_is_registered_a_batch_per_click(client, roles, school, winter, monkeypatch):
    from django.core.exceptions import ValidationError

    from yanxiu.credits import services
    from yanxiu.training.models import Session

    Session.objects.filter(pk=winter["zero_hours"].pk).update(hours=Decimal("2"))
    monkeypatch.setattr(services, "TERM_BATCH_MAX", 1)
    client.force_login(roles.school_admin)
    response = client.post(reverse("credits:term_sessions_credit", args=[school.pk]), {"year": 2025, "term": 1}, follow=True)
    page = response.content.decode()
    assert "已登记 1 次活动的学时，共 1 人次。每次最多登记 1 次，还有 1 次就绪的活动，请再点一次。" in page
    assert CreditEntry.objects.filter(person=winter["teacher"]).values_list("source_id", flat=True).get() == str(winter["zero_hours"].pk)
    with pytest.raises(ValidationError, match="一次最多登记 1 次活动的学时"):
        services.credit_school_sessions(actor=roles.school_admin, sessions=Session.objects.filter(project=winter["zero_hours"].project))
