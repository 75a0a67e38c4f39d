"""Changing a published session's time or place tells the enrolled teachers until it takes place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.training.conftest import at
from yanxiu.core.models import AuditEvent
from yanxiu.training import ics, selectors, services
from yanxiu.training.models import Enrollment, SessionChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(roles, published_session):
    Enrollment.objects.get_or_create(session=published_session, person=roles.teacher.person)
    return published_session


def test_moving_a_published_session_is_recorded_old_to_new_and_bumps_the_calendar_sequence(roles, enrolled):
    old_start, old_end = enrolled.starts_at, enrolled.ends_at
    services.session_update(actor=roles.school_admin, session=enrolled, starts_at=at(4, 14, 0), ends_at=at(4, 15, 30),
                            place="报告厅")
    enrolled.refresh_from_db()
    change = SessionChange.objects.get(session=enrolled)
    assert (change.old_starts_at, change.old_ends_at, change.old_place) == (old_start, old_end, "三楼会议室")
    assert (change.new_starts_at, change.new_place, change.changed_by) == (at(4, 14, 0), "报告厅", roles.school_admin)
    assert enrolled.ics_sequence == 1
    event = AuditEvent.objects.filter(action="training.session.update", target_id=str(enrolled.pk)).latest("pk")
    assert event.detail["notified"] is True
    assert event.detail["previous"]["place"] == "三楼会议室" and event.detail["changed"]["place"] == "报告厅"
    notice = selectors.change_notice(session=enrolled)
    assert notice.startswith("时间已由 ") and f"{at(3):%Y-%m-%d} 15:10–16:40 改为 {at(4):%Y-%m-%d} 14:00–15:30" in notice
    assert "地点已由“三楼会议室”改为“报告厅”" in notice


def test_other_edits_and_draft_sessions_tell_nobody(roles, ready_session, enrolled):
    services.session_update(actor=roles.school_admin, session=enrolled, content="新的内容")
    assert not SessionChange.objects.exists()
    enrolled.refresh_from_db()
    assert enrolled.ics_sequence == 0
    draft = services.session_create(actor=roles.school_admin, project=enrolled.project, title="草稿活动",
                                    starts_at=at(5), ends_at=at(5, 16, 40), place="A", presenter_name="王", content="x")
    services.session_update(actor=roles.school_admin, session=draft, place="B")
    assert not SessionChange.objects.exists()


def test_moving_it_back_leaves_no_notice(roles, enrolled):
    services.session_update(actor=roles.school_admin, session=enrolled, place="报告厅")
    services.session_update(actor=roles.school_admin, session=enrolled, place="三楼会议室")
    assert selectors.change_notice(session=enrolled.__class__.objects.get(pk=enrolled.pk)) == ""


def test_the_teacher_sees_the_notice_on_home_my_trainings_and_the_session_page(client, roles, enrolled):
    services.session_update(actor=roles.school_admin, session=enrolled, place="报告厅")
    client.force_login(roles.teacher)
    for url in (reverse("reports:home"), reverse("training:my"), reverse("training:session_detail", args=[enrolled.pk])):
        html = client.get(url).content.decode()
        assert "活动变更" in html and "地点已由“三楼会议室”改为“报告厅”" in html, url
    Enrollment.objects.filter(session=enrolled, person=roles.member.person).delete()
    client.force_login(roles.member)  # not enrolled: the session page is visible, the notice is not theirs
    assert "活动变更" not in client.get(reverse("training:session_detail", args=[enrolled.pk])).content.decode()


def test_the_notice_ends_once_the_session_has_started(roles, enrolled):
    services.session_update(actor=roles.school_admin, session=enrolled, place="报告厅")
    enrolled.refresh_from_db()
    assert selectors.change_notice(session=enrolled)
    assert selectors.change_notice(session=enrolled, now=enrolled.starts_at + dt.timedelta(minutes=1)) == ""


def test_the_calendar_carries_the_new_time_and_sequence(roles, enrolled):
    services.session_update(actor=roles.school_admin, session=enrolled, starts_at=at(4, 14, 0), ends_at=at(4, 15, 30))
    enrolled.refresh_from_db()
    body = ics.build_calendar([enrolled], name="x")
    assert "SEQUENCE:1" in body
    assert f"DTSTART:{at(4, 14, 0).astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}" in body
