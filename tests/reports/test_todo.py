"""The home page's to-do list: what waits for each person, counted as the linked page lists it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.training.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(roles, school):
    from yanxiu.training import services

    project = services.project_create(actor=roles.school_admin, owner_school=school, title="校本研修", kind="lecture",
                                      school_year="2026-2027")
    services.project_submit(actor=roles.school_admin, project=project)
    project = services.project_approve(actor=roles.centre, project=project, comment="同意")
    session = services.session_create(actor=roles.school_admin, project=project, title="单元整体教学", starts_at=at(3),
                                      ends_at=at(3, 16, 40), place="会议室", presenter_name="王教授", content="大单元",
                                      requirements="带教材")
    session = services.session_publish(actor=roles.school_admin, session=session)
    services.session_invite(actor=roles.school_admin, session=session, scope="whole_school")
    return session


def texts(user):
    from yanxiu.org.scopes import scope_of
    from yanxiu.reports.todo import todo_for

    return [(t.text, t.url) for t in todo_for(user, scope_of(user))]


def test_a_leave_request_waits_for_the_school_admin_and_no_one_else(roles, session):
    from yanxiu.training import services

    services.leave_request_create(actor=roles.teacher, session=session, leave_type="official", reason="外出送教")
    services.leave_request_create(actor=roles.member, session=session, leave_type="personal", reason="家中有事")
    assert ("审批 2 条请假申请", reverse("training:leave_list")) in texts(roles.school_admin)
    assert not any("请假" in t for t, _u in texts(roles.other_admin))
    assert not any("请假" in t for t, _u in texts(roles.teacher))


def test_a_quota_to_fill_names_the_missing_places_and_the_deadline(roles, school):
    from yanxiu.training import services

    project = services.project_create(actor=roles.bureau, region=school.county, title="县级骨干教师培训", level="county",
                                      kind="centralised", school_year="2026-2027")
    deadline = timezone.now() + dt.timedelta(days=10)
    quota = services.quota_allocate(actor=roles.bureau, project=project, school=school, places=3, deadline=deadline)
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    items = texts(roles.school_admin)
    line = next(t for t, u in items if u == reverse("training:quota_detail", args=[quota.pk]))
    assert "报送 2 名参训人员：县级骨干教师培训" in line
    assert timezone.localtime(deadline).strftime("%Y-%m-%d") in line
    assert not any(u == reverse("training:quota_detail", args=[quota.pk]) for _t, u in texts(roles.other_admin))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.member.person, roles.leader.person])
    assert not any(u == reverse("training:quota_detail", args=[quota.pk]) for _t, u in texts(roles.school_admin))


def test_a_returned_reflection_waits_for_its_author(roles, session):
    from yanxiu.attendance.models import Reflection

    Reflection.objects.create(session=session, person=roles.teacher.person, body="反思" * 120, status=Reflection.Status.RETURNED,
                              submitted_at=timezone.now())
    assert ("修改 1 篇被退回的反思", reverse("attendance:reflection_submit", args=[session.pk])) in texts(roles.teacher)
    assert not any("反思" in t for t, _u in texts(roles.member))


def test_a_submitted_reflection_waits_for_the_admin_who_reviews_it(roles, session):
    from yanxiu.attendance.models import Reflection

    Reflection.objects.create(session=session, person=roles.teacher.person, body="反思" * 120, submitted_at=timezone.now())
    assert ("审阅 1 篇研修反思", reverse("attendance:sessions")) in texts(roles.school_admin)
    assert not any("审阅" in t for t, _u in texts(roles.other_admin))


def test_the_home_page_shows_the_list_with_its_links(client, roles, session):
    from yanxiu.training import services

    services.leave_request_create(actor=roles.teacher, session=session, leave_type="official", reason="外出送教")
    client.force_login(roles.school_admin)
    html = client.get(reverse("reports:home")).content.decode()
    assert "待办事项" in html and "审批 1 条请假申请" in html and reverse("training:leave_list") in html
    client.force_login(roles.member)
    assert "待办事项" not in client.get(reverse("reports:home")).content.decode()
