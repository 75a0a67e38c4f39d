"""The pages a presenter and a group leader reach from their home page open for them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.attendance.conftest import Sessions
from yanxiu.attendance import services as attendance
from yanxiu.attendance.models import Reflection

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(county, school):
    return Sessions(county, school)


@pytest.fixture
def guest_sessions(sessions, roles):
    """A past session (with a reflection waiting) and a coming one, given with the guest presenter's account."""
    now = timezone.now()
    past = sessions.make(title="上周的讲座", starts_at=now - dt.timedelta(days=7), ends_at=now - dt.timedelta(days=7, hours=-2),
                         enroll=[roles.teacher], presenter_account=roles.presenter)
    coming = sessions.make(title="下周的讲座", starts_at=now + dt.timedelta(days=7), ends_at=now + dt.timedelta(days=7, hours=2),
                           presenter_account=roles.presenter)
    Reflection.objects.create(session=past, person=roles.teacher.person, body="x", plain_text="x", status="submitted",
                              submitted_at=now)
    return past, coming


def test_a_presenter_sees_sessions_past_and_coming_and_opens_screen_sheet_and_reflections(client, roles, guest_sessions):
    past, coming = guest_sessions
    client.force_login(roles.presenter)
    html = client.get(reverse("reports:home")).content.decode()
    assert "我主讲的活动" in html and "上周的讲座" in html and "下周的讲座" in html
    for url in (reverse("attendance:sessions"), reverse("training:session_detail", args=[past.pk]),
                reverse("attendance:screen", args=[coming.pk]), reverse("attendance:sheet", args=[past.pk]),
                reverse("attendance:reflections", args=[past.pk])):
        assert client.get(url).status_code == 200, url
        assert url in html or url == reverse("attendance:sessions"), url
    sheet = client.get(reverse("attendance:sheet", args=[past.pk])).content.decode()
    assert "张老师" in sheet and "/mark/" not in sheet  # reads the sheet, does not correct it
    assert client.get(reverse("attendance:mark", args=[past.pk, roles.teacher.person.pk])).status_code == 403


def test_a_presenter_without_sessions_gets_an_empty_list_not_a_403(client, roles):
    client.force_login(roles.presenter)
    response = client.get(reverse("attendance:sessions"))
    assert response.status_code == 200 and "暂无培训活动" in response.content.decode()


def test_a_teacher_without_any_such_role_is_still_refused_the_list(client, roles):
    client.force_login(roles.teacher)
    assert client.get(reverse("attendance:sessions")).status_code == 403


def test_a_group_leader_opens_the_sheet_evaluations_and_the_school_plan(client, roles, sessions, group, school):
    from yanxiu.training import services
    from yanxiu.training.models import Evaluation

    session = sessions.make(title="集体备课", group=group, enroll=[roles.member])
    Evaluation.objects.create(session=session, person=roles.member.person, content_score=5, presenter_score=4,
                              organisation_score=5)
    other = sessions.make(title="全校讲座", enroll=[roles.member])
    Evaluation.objects.create(session=other, person=roles.member.person, content_score=1, presenter_score=1,
                              organisation_score=1)
    plan = services.plan_save(actor=roles.school_admin, school=school, school_year="2026-2027", title="本校计划", summary="x")
    client.force_login(roles.leader)
    listing = client.get(reverse("attendance:sessions")).content.decode()
    assert reverse("attendance:sheet", args=[session.pk]) in listing
    assert reverse("attendance:reflections", args=[session.pk]) not in listing  # reviewing is not theirs
    assert client.get(reverse("attendance:sheet", args=[session.pk])).status_code == 200
    evaluations = client.get(reverse("training:evaluations"))
    assert evaluations.status_code == 200
    assert "集体备课" in evaluations.content.decode() and "全校讲座" not in evaluations.content.decode()
    plans = client.get(reverse("training:plan_list"))
    assert plans.status_code == 200 and "本校计划" in plans.content.decode()
    detail = client.get(reverse("training:plan_detail", args=[plan.pk])).content.decode()
    assert "/needs/new/" not in detail


def test_todays_card_leaves_the_home_page_once_the_session_has_ended(client, roles, sessions):
    now = timezone.localtime()
    start_of_day = now.replace(hour=0, minute=1, second=0, microsecond=0)
    if now - start_of_day < dt.timedelta(minutes=3):
        pytest.skip("too close to midnight to place an ended session today")
    sessions.make(title="早上的活动", starts_at=start_of_day, ends_at=now - dt.timedelta(minutes=1), enroll=[roles.teacher])
    running = sessions.make(title="正在进行的活动", enroll=[roles.teacher])
    client.force_login(roles.teacher)
    html = client.get(reverse("reports:home")).content.decode()
    card = html.split("今天的研修")[1].split("</div>")[0] if "今天的研修" in html else ""
    assert running.title in card and "早上的活动" not in card
