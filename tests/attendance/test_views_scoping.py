"""Attendance pages open sessions, reflections and people only through scoped selectors:
a foreign id is a 404 for every role that may not see it, a 403 for one that sees the session
but may not run it. The lists page and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yanxiu.attendance import services

from .conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(sessions, roles):
    return sessions.make(enroll=[roles.teacher, roles.member], presenter=roles.leader.person)


@pytest.mark.parametrize("name", ["sheet", "export", "screen", "rule", "reflections"])
def test_another_schools_session_is_a_404_for_its_outsiders(client, session, roles, name):
    url = reverse(f"attendance:{name}", args=[session.pk])
    for role in ("other_admin", "other_teacher", "far_bureau", "presenter"):
        client.force_login(getattr(roles, role))
        assert client.get(url).status_code == 404, role
    # Seen but not run: the enrolled teacher is refused, not misled.
    client.force_login(roles.teacher)
    assert client.get(url).status_code == 403
    client.force_login(roles.school_admin)
    assert client.get(url).status_code == 200


def test_a_reflection_is_a_404_outside_its_session_and_a_403_to_its_author(client, session, roles):
    reflection = services.reflection_submit(actor=roles.teacher, session=session, notes="", body=text_of(3))
    url = reverse("attendance:reflection_review", args=[reflection.pk])
    for role in ("other_admin", "other_teacher", "far_bureau", "presenter", "member"):
        client.force_login(getattr(roles, role))
        assert client.get(url).status_code == 404, role
    client.force_login(roles.teacher)
    assert client.get(url).status_code == 403
    for role in ("school_admin", "leader"):  # the school's admin, the session's presenter
        client.force_login(getattr(roles, role))
        assert client.get(url).status_code == 200, role


def test_marking_someone_not_on_the_sheet_is_a_404(client, session, roles):
    client.force_login(roles.school_admin)
    on_sheet = reverse("attendance:mark", args=[session.pk, roles.teacher.person.pk])
    assert client.get(on_sheet).status_code == 200
    off_sheet = reverse("attendance:mark", args=[session.pk, roles.other_teacher.person.pk])
    assert client.get(off_sheet).status_code == 404
    assert client.post(off_sheet, {"status": "present", "reason": "补登"}).status_code == 404


def test_a_reflection_page_of_a_foreign_session_is_a_404(client, session, roles):
    client.force_login(roles.other_teacher)
    assert client.get(reverse("attendance:reflection_submit", args=[session.pk])).status_code == 404


def test_the_session_list_pages_and_exports_the_sessions_run(client, sessions, roles, school_b):
    now = timezone.now()
    for i in range(55):
        sessions.make(title=f"第{i:02d}次教研", starts_at=now - dt.timedelta(days=i + 1), ends_at=now - dt.timedelta(days=i + 1) + dt.timedelta(hours=1))
    sessions.make(school=school_b, title="外校活动")
    client.force_login(roles.school_admin)
    url = reverse("attendance:sessions")
    first = client.get(url).content.decode()
    assert first.count("次教研") == 50 and "外校活动" not in first
    assert client.get(url, {"page": 2}).content.decode().count("次教研") == 5
    ws = load_workbook(io.BytesIO(client.get(url, {"export": "xlsx"}).content)).active
    titles = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert len(titles) == 55 and "外校活动" not in titles


def test_absences_are_searchable_and_the_export_follows_the_search(client, sessions, roles):
    past = timezone.now() - dt.timedelta(days=1)
    sessions.make(title="昨天的教研", starts_at=past, ends_at=past + dt.timedelta(hours=1), enroll=[roles.teacher, roles.member])
    client.force_login(roles.school_admin)
    html = client.get("/attendance/absences/", {"q": "组员"}).content.decode()
    assert "组员" in html and "张老师" not in html
    ws = load_workbook(io.BytesIO(client.get("/attendance/absences/", {"q": "组员", "format": "xlsx"}).content)).active
    names = [r[1].value for r in ws.iter_rows(min_row=3)]
    assert names == ["组员"]
