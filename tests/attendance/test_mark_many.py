"""Marking several teachers of a sheet at once with one reason: all or none, one audit row each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yanxiu.attendance.models import Attendance
from yanxiu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(sessions, roles):
    return sessions.make(enroll=[roles.teacher, roles.member, roles.leader])


def test_the_admin_marks_the_ticked_teachers_with_one_reason(client, session, roles):
    client.force_login(roles.school_admin)
    url = reverse("attendance:sheet", args=[session.pk])
    html = client.get(url).content.decode()
    assert 'form="mark-many"' in html and "登记所选" in html
    people = [roles.teacher.person.pk, roles.member.person.pk]
    response = client.post(reverse("attendance:mark_many", args=[session.pk]), {"ids": people, "status": "leave", "reason": "参加县统一监考"})
    assert response.status_code == 302
    marked = Attendance.objects.filter(session=session)
    assert {(a.person_id, a.status, a.manual_reason) for a in marked} == {(pk, "leave", "参加县统一监考") for pk in people}
    assert AuditEvent.objects.filter(action="attendance.mark").count() == 2


def test_no_reason_or_a_stranger_changes_nothing(client, session, roles):
    client.force_login(roles.school_admin)
    url = reverse("attendance:mark_many", args=[session.pk])
    client.post(url, {"ids": [roles.teacher.person.pk], "status": "leave", "reason": ""})
    client.post(url, {"ids": [roles.teacher.person.pk, roles.other_teacher.person.pk], "status": "leave", "reason": "监考"})
    client.post(url, {"ids": ["x"], "status": "leave", "reason": "监考"})
    assert not Attendance.objects.filter(session=session).exists()
    client.force_login(roles.teacher)
    assert client.post(url, {"ids": [roles.teacher.person.pk], "status": "normal", "reason": "我来了"}).status_code == 403
    assert not Attendance.objects.filter(session=session).exists()
