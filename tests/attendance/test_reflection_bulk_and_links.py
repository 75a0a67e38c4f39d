"""Reflections: 提交 only where it will be taken; bulk accept in the review list, all or none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yanxiu.attendance import services
from yanxiu.attendance.models import Attendance, Reflection
from yanxiu.core.models import AuditEvent
from yanxiu.training.models import Decision, LeaveRequest

from .conftest import text_of
from .test_reflections import ORIGINAL, edited_copy

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(sessions, roles):
    return sessions.make(enroll=[roles.teacher, roles.member, roles.leader], presenter=roles.leader.person)


def _submit_link(html: str, session) -> bool:
    return reverse("attendance:reflection_submit", args=[session.pk]) in html


def test_no_submit_link_for_a_session_not_yet_started_and_the_service_refuses_it(client, sessions, roles):
    later = timezone.now() + dt.timedelta(days=2)
    future = sessions.make(starts_at=later, ends_at=later + dt.timedelta(hours=1), enroll=[roles.teacher])
    client.force_login(roles.teacher)
    assert not _submit_link(client.get(reverse("attendance:my")).content.decode(), future)
    assert not _submit_link(client.get(reverse("training:session_detail", args=[future.pk])).content.decode(), future)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.reflection_submit(actor=roles.teacher, session=future, notes="", body=ORIGINAL)


def test_no_submit_link_on_approved_leave_and_the_service_refuses_it(client, session, roles):
    LeaveRequest.objects.create(session=session, person=roles.teacher.person, leave_type="personal", reason="病假",
                                status=Decision.APPROVED)
    client.force_login(roles.teacher)
    assert not _submit_link(client.get(reverse("attendance:my")).content.decode(), session)
    assert not _submit_link(client.get(reverse("training:session_detail", args=[session.pk])).content.decode(), session)
    with pytest.raises(ValidationError, match="已请假"):
        services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)


def test_marked_leave_on_the_sheet_counts_as_leave(session, roles):
    Attendance.objects.create(session=session, person=roles.member.person, status=Attendance.Status.LEAVE)
    with pytest.raises(ValidationError, match="已请假"):
        services.reflection_submit(actor=roles.member, session=session, notes="", body=ORIGINAL)


def test_the_submit_link_is_offered_where_it_is_taken(client, session, roles):
    client.force_login(roles.teacher)
    assert _submit_link(client.get(reverse("attendance:my")).content.decode(), session)
    assert _submit_link(client.get(reverse("training:session_detail", args=[session.pk])).content.decode(), session)


def test_bulk_accept_accepts_the_ticked_ones_each_with_its_audit_row(client, session, roles):
    a = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    b = services.reflection_submit(actor=roles.member, session=session, notes="", body=edited_copy(ORIGINAL))
    c = services.reflection_submit(actor=roles.leader, session=session, notes="", body=text_of(42))
    client.force_login(roles.school_admin)
    url = reverse("attendance:reflections", args=[session.pk])
    html = client.get(url).content.decode()
    assert 'name="ids"' in html and "similarity-flag" in html  # the copy's flag shows in the list
    response = client.post(url, {"ids": [a.pk, c.pk]})
    assert response.status_code == 302
    assert dict(Reflection.objects.values_list("pk", "status")) == {a.pk: "accepted", b.pk: "submitted", c.pk: "accepted"}
    assert set(AuditEvent.objects.filter(action="reflection.accept").values_list("target_id", flat=True)) == {str(a.pk), str(c.pk)}


def test_bulk_accept_is_all_or_none(client, sessions, session, roles, school_b):
    a = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    other = sessions.make(school=school_b, enroll=[roles.other_teacher])
    foreign = services.reflection_submit(actor=roles.other_teacher, session=other, notes="", body=text_of(9))
    with pytest.raises(PermissionDenied, match="李老师"):
        services.reflections_accept(actor=roles.school_admin, reflection_ids=[a.pk, foreign.pk])
    services.reflection_review(actor=roles.school_admin, reflection=a, accept=False, comment="请补充课堂实例")
    b = services.reflection_submit(actor=roles.member, session=session, notes="", body=text_of(5))
    with pytest.raises(ValidationError, match="已退回"):
        services.reflections_accept(actor=roles.school_admin, reflection_ids=[a.pk, b.pk])
    assert Reflection.objects.get(pk=b.pk).status == "submitted"
    assert not AuditEvent.objects.filter(action="reflection.accept").exists()
    client.force_login(roles.school_admin)
    response = client.post(reverse("attendance:reflections", args=[session.pk]), {"ids": [b.pk, foreign.pk]})
    assert response.status_code == 403 and "您无权审阅" in response.content.decode()
    assert Reflection.objects.get(pk=b.pk).status == "submitted"


def test_bulk_accept_bounds_its_input(client, session, roles):
    client.force_login(roles.school_admin)
    url = reverse("attendance:reflections", args=[session.pk])
    assert client.post(url, {"ids": ["1 OR 1=1"]}).status_code == 400
    assert client.post(url, {"ids": ["9" * 40]}).status_code == 400
    response = client.post(url, {"ids": [str(i) for i in range(1, services.BULK_REVIEW_MAX + 5)]})
    assert response.status_code == 400 and "一次最多处理 500 条记录" in response.content.decode()
    assert "请先勾选" in client.post(url, {}).content.decode()


def test_a_teacher_cannot_bulk_accept(client, session, roles):
    a = services.reflection_submit(actor=roles.member, session=session, notes="", body=ORIGINAL)
    client.force_login(roles.teacher)
    assert client.post(reverse("attendance:reflections", args=[session.pk]), {"ids": [a.pk]}).status_code == 403
    assert Reflection.objects.get(pk=a.pk).status == "submitted"


def test_a_flagged_reflection_is_bulk_accepted_only_once_its_flag_is_seen(client, session, roles):
    a = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=ORIGINAL)
    copy = services.reflection_submit(actor=roles.member, session=session, notes="", body=edited_copy(ORIGINAL))
    assert copy.similarity_flags.exists()
    client.force_login(roles.school_admin)
    url = reverse("attendance:reflections", args=[session.pk])
    response = client.post(url, {"ids": [a.pk, copy.pk]})
    assert response.status_code == 400 and "我已查看雷同提示" in response.content.decode()
    assert set(Reflection.objects.values_list("status", flat=True)) == {"submitted"}
    assert client.post(url, {"ids": [a.pk, copy.pk], "flags_seen": "1"}).status_code == 302
    assert set(Reflection.objects.values_list("status", flat=True)) == {"accepted"}
