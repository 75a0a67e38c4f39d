"""Sessions and their API are bounded before anything is computed: years in a
window, ids within 64 bits, a session's length; the invite API names nobody."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from yanxiu.training import services
from yanxiu.training.models import session_hours

from .conftest import at

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


@pytest.fixture
def api(client):
    def call(method, path, user, **data):
        client.force_login(user)
        kwargs = {"content_type": "application/json", "data": data} if method == "post" else {"data": data}
        return getattr(client, method)(f"/api/training{path}", **kwargs)

    return call


def test_hours_of_a_long_span_are_computed_without_walking_the_days(monkeypatch):
    from yanxiu.training import models

    calls = []
    real = models.minutes_to_hours
    monkeypatch.setattr(models, "minutes_to_hours", lambda *a, **k: calls.append(a) or real(*a, **k))
    start = dt.datetime(1000, 1, 1, 8, 0, tzinfo=TZ)
    end = dt.datetime(9999, 12, 30, 12, 0, tzinfo=TZ)
    assert session_hours(start, end) == Decimal(8 * ((end.date() - start.date()).days + 1))
    assert len(calls) <= 3  # first day, one whole day (all alike), last day: the day-by-day walk made 3.3 million


def test_hours_of_several_days_match_the_day_by_day_rule():
    start = dt.datetime(2026, 10, 12, 15, 0, tzinfo=TZ)
    # 15:00-24:00 (9 h, capped 8) + 5 whole days (8 each) + 00:00-01:30 (90 min = 2.0)
    assert session_hours(start, dt.datetime(2026, 10, 18, 1, 30, tzinfo=TZ)) == Decimal("50.0")
    assert session_hours(start, start.replace(hour=23, minute=59) + dt.timedelta(minutes=1)) == Decimal("8.0")
    assert session_hours(start, dt.datetime(2026, 10, 13, 0, 0, tzinfo=TZ)) == Decimal("8.0")


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field", "words"),
    [
        (dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone.utc), dt.datetime(9999, 12, 31, 12, 0, tzinfo=dt.timezone.utc), "starts_at", "年之间"),
        (dt.datetime(1000, 1, 1, 8, 0, tzinfo=TZ), dt.datetime(9999, 12, 30, 8, 0, tzinfo=TZ), "starts_at", "年之间"),
        (at(3, 8, 0), at(3 + 15, 8, 0), "ends_at", "最长 14 天"),
        (at(3, 9, 0), at(3, 8, 0), "ends_at", "晚于开始时间"),
    ],
)
def test_a_session_out_of_bounds_is_refused_with_a_chinese_message(roles, school_project, starts_at, ends_at, field, words):
    with pytest.raises(ValidationError) as exc:
        services.session_create(actor=roles.school_admin, project=school_project, title="超长活动", starts_at=starts_at, ends_at=ends_at)
    assert words in " ".join(exc.value.message_dict[field])


def test_an_update_to_an_absurd_span_is_refused_before_the_hours_are_computed(roles, ready_session):
    with pytest.raises(ValidationError) as exc:
        services.session_update(actor=roles.school_admin, session=ready_session, ends_at=dt.datetime(9999, 12, 30, tzinfo=TZ))
    assert "年之间" in " ".join(exc.value.message_dict["ends_at"])
    ready_session.refresh_from_db()
    assert ready_session.hours == Decimal("2.0")


def test_the_session_api_refuses_an_absurd_span_with_400(api, roles, school_project):
    r = api("post", f"/projects/{school_project.pk}/sessions", roles.school_admin, title="超长",
            starts_at="0001-01-01T00:00:00Z", ends_at="9999-12-31T00:00:00Z")
    assert r.status_code == 400, r.content
    assert "年之间" in r.json()["detail"]


def test_the_session_page_refuses_an_absurd_span_in_the_form(client, roles, school_project):
    client.force_login(roles.school_admin)
    r = client.post(f"/training/projects/{school_project.pk}/sessions/new/", {
        "title": "超长", "starts_at": "1000-01-01T08:00", "ends_at": "9999-12-30T08:00", "invite_scope": "whole_school",
        "late_tolerance_minutes": 10, "early_leave_tolerance_minutes": 10,
    })
    assert r.status_code == 400  # the form shown again with the message, as for any invalid form
    assert "年之间" in r.content.decode()


def test_recurring_sessions_over_millennia_are_refused_before_the_weeks_are_walked(roles, school_project):
    with pytest.raises(ValidationError) as exc:
        services.sessions_create_recurring(
            actor=roles.school_admin, project=school_project, weekday=2, start_time=dt.time(15), end_time=dt.time(16),
            first_date=dt.date(1, 1, 1), last_date=dt.date(9999, 12, 31),
        )
    assert "年之间" in " ".join(exc.value.message_dict["first_date"])
    with pytest.raises(ValidationError) as exc:
        services.sessions_create_recurring(
            actor=roles.school_admin, project=school_project, weekday=2, start_time=dt.time(15), end_time=dt.time(16),
            first_date=dt.date(2026, 9, 1), last_date=dt.date(2030, 9, 1),
        )
    assert "最多生成 60 次" in " ".join(exc.value.message_dict["last_date"])


def test_the_invite_api_refuses_ids_beyond_64_bits_with_422(api, roles, ready_session):
    r = api("post", f"/sessions/{ready_session.pk}/invite", roles.school_admin, scope="list", person_ids=[10**30])
    assert r.status_code == 422
    r = api("post", f"/sessions/{ready_session.pk}/invite", roles.school_admin, scope="list", person_ids=[-1])
    assert r.status_code == 422


def test_the_invite_api_does_not_name_people_of_other_schools(api, roles, ready_session):
    stranger = roles.other_teacher.person
    r = api("post", f"/sessions/{ready_session.pk}/invite", roles.school_admin, scope="list", person_ids=[stranger.pk])
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert stranger.name not in detail
    assert str(stranger.pk) in detail


def test_the_project_plan_page_refuses_a_term_of_eight_thousand_years(client, roles, school):
    from yanxiu.training.models import SchoolPlan

    plan = services.plan_save(actor=roles.school_admin, school=school, school_year="2026-2027", title="研修计划")
    client.force_login(roles.school_admin)
    r = client.get(f"/training/plans/{plan.pk}/", {"start": "0001-01-01", "end": "9999-12-31"})
    assert r.status_code == 400
    assert "年之间" in r.content.decode()
    r = client.get(f"/training/plans/{plan.pk}/", {"start": "2026-09-01", "end": "2030-09-01"})
    assert r.status_code == 400
    assert "最长 366 天" in r.content.decode()
    assert SchoolPlan.objects.count() == 1
