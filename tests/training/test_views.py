"""Training pages for each role, through the Django test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yanxiu.training import services
from yanxiu.training.models import Decision, LeaveRequest, Project, Session

from .conftest import at

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def test_teacher_sees_upcoming_session_with_its_notice_on_my_trainings(client, roles, published_session):
    response = client_for(client, roles.teacher).get(reverse("training:my"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "评课专题" in body and "三楼会议室" in body and "带听课本" in body
    assert "/training/calendar/" in body and ".ics" in body
    token = services.calendar_feed_for(roles.teacher.person).token
    assert f"/training/calendar/{token}.ics" in body and len(token) >= 32
    assert f"/calendar/{roles.teacher.person.pk}.ics" not in body


def test_every_role_page_renders(client, roles, published_session, bureau_session, bureau_project, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2, deadline=at(2))
    plan = services.plan_save(actor=roles.school_admin, school=school, school_year="2026-2027", summary="计划")
    pages = {
        roles.school_admin: [
            reverse("training:project_list"), reverse("training:project_create") + f"?school={school.pk}",
            reverse("training:project_detail", args=[published_session.project_id]),
            reverse("training:session_create", args=[published_session.project_id]),
            reverse("training:session_recurring", args=[published_session.project_id]),
            reverse("training:session_edit", args=[published_session.pk]),
            reverse("training:session_invite", args=[published_session.pk]),
            reverse("training:session_detail", args=[published_session.pk]),
            reverse("training:plan_list"), reverse("training:plan_create"), reverse("training:plan_detail", args=[plan.pk]),
            reverse("training:leave_list"), reverse("training:quota_list"), reverse("training:quota_detail", args=[quota.pk]),
            reverse("training:evaluations"), reverse("training:catalogue"),
        ],
        roles.bureau: [
            reverse("training:project_list"), reverse("training:project_create") + "?bureau=1",
            reverse("training:quota_allocate", args=[bureau_project.pk]), reverse("training:quota_list"),
            reverse("training:quota_missed"), reverse("training:swap_list"), reverse("training:leave_list"),
            reverse("training:category_create"), reverse("training:project_detail", args=[bureau_project.pk]),
        ],
        roles.centre: [reverse("training:review_list"), reverse("training:project_list"), reverse("training:catalogue")],
        roles.teacher: [reverse("training:my"), reverse("training:session_detail", args=[published_session.pk]),
                        reverse("training:leave_create", args=[published_session.pk])],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)


def test_teacher_cannot_open_admin_pages_or_another_schools_session(client, roles, published_session, ready_session):
    c = client_for(client, roles.teacher)
    for url in (reverse("training:project_list"), reverse("training:leave_list"), reverse("training:review_list"),
                reverse("training:quota_missed"), reverse("training:session_edit", args=[published_session.pk])):
        assert c.get(url).status_code in (403, 404), url
    c.force_login(roles.other_teacher)
    assert c.get(reverse("training:session_detail", args=[published_session.pk])).status_code == 404
    c.force_login(roles.other_admin)
    assert c.get(reverse("training:session_edit", args=[ready_session.pk])).status_code == 404
    assert c.post(reverse("training:session_publish", args=[ready_session.pk])).status_code == 404


def test_school_admin_creates_a_session_and_publishing_shows_missing_items(client, roles, school_project):
    c = client_for(client, roles.school_admin)
    response = c.post(reverse("training:session_create", args=[school_project.pk]), {
        "title": "新教师汇报课", "starts_at": "2026-10-13T15:10", "ends_at": "2026-10-13T16:40", "place": "",
        "presenter_name": "", "content": "", "invite_scope": "whole_school", "late_tolerance_minutes": 10,
        "early_leave_tolerance_minutes": 10,
    })
    assert response.status_code == 302
    session = Session.objects.get(title="新教师汇报课")
    assert str(session.hours) == "2.0"
    response = c.post(reverse("training:session_publish", args=[session.pk]), follow=True)
    assert "缺少：地点、内容、主讲人" in response.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.DRAFT


def test_recurring_page_creates_weekly_sessions(client, roles, school_project):
    c = client_for(client, roles.school_admin)
    response = c.post(reverse("training:session_recurring", args=[school_project.pk]), {
        "title": "周二教研", "weekday": 1, "start_time": "15:10", "end_time": "16:40",
        "first_date": "2026-09-01", "last_date": "2026-09-22", "place": "会议室",
    })
    assert response.status_code == 302
    assert Session.objects.filter(project=school_project, title__startswith="周二教研").count() == 4


def test_project_submit_and_centre_review_through_pages(client, roles, school, own_category):
    c = client_for(client, roles.school_admin)
    response = c.post(reverse("training:project_create") + f"?school={school.pk}", {
        "title": "信息技术应用能力提升", "kind": "school_based", "category": own_category.pk, "school_year": "2026-2027",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(title="信息技术应用能力提升")
    c.post(reverse("training:project_submit", args=[project.pk]))
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    c.force_login(roles.centre)
    assert "信息技术应用能力提升" in c.get(reverse("training:review_list")).content.decode()
    response = c.post(reverse("training:project_review", args=[project.pk]), {"decision": "return", "comment": ""})
    assert response.status_code == 400 and "审核意见" in response.content.decode()
    c.post(reverse("training:project_review", args=[project.pk]), {"decision": "approve", "comment": "同意实施"})
    project.refresh_from_db()
    assert project.status == Project.Status.APPROVED
    c.force_login(roles.school_admin)
    assert c.get(reverse("training:project_review", args=[project.pk])).status_code == 403


def test_teacher_asks_for_leave_and_school_admin_approves_on_the_page(client, roles, published_session):
    c = client_for(client, roles.teacher)
    response = c.post(reverse("training:leave_create", args=[published_session.pk]),
                      {"leave_type": "sick", "reason": "感冒"})
    assert response.status_code == 400 and "病假证明" in response.content.decode()
    response = c.post(reverse("training:leave_create", args=[published_session.pk]),
                      {"leave_type": "personal", "reason": "孩子生病"})
    assert response.status_code == 302
    leave = LeaveRequest.objects.get(person=roles.teacher.person)
    assert c.post(reverse("training:leave_decide", args=[leave.pk]), {"decision": "approve"}).status_code == 403
    c.force_login(roles.school_admin)
    assert "孩子生病" in c.get(reverse("training:leave_list")).content.decode()
    c.post(reverse("training:leave_decide", args=[leave.pk]), {"decision": "approve"})
    leave.refresh_from_db()
    assert leave.status == Decision.APPROVED


def test_school_admin_names_on_quota_and_sees_overflow_message(client, roles, bureau_project, bureau_session, school, people):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=1, deadline=at(2))
    c = client_for(client, roles.school_admin)
    response = c.post(reverse("training:quota_detail", args=[quota.pk]),
                      {"people": [roles.teacher.person.pk, roles.member.person.pk]})
    assert response.status_code == 400
    assert "名额已满：本校名额 1 人，已报 0 人" in response.content.decode()
    c.post(reverse("training:quota_detail", args=[quota.pk]), {"people": [roles.teacher.person.pk]})
    c.post(reverse("training:quota_submit", args=[quota.pk]))
    quota.refresh_from_db()
    assert quota.submitted_at is not None
    response = c.post(reverse("training:swap_create", args=[quota.pk]), {
        "kind": "swap", "out_person": roles.teacher.person.pk, "in_person": roles.member.person.pk, "reason": "外出"})
    assert response.status_code == 302
    c.force_login(roles.bureau)
    assert "外出" in c.get(reverse("training:swap_list")).content.decode()


def test_calendar_feed_is_valid_ics_reached_only_by_the_secret_token(client, roles, published_session):
    feed = services.calendar_feed_for(roles.teacher.person)
    response = client.get(reverse("training:calendar_feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:评课专题" in text and "LOCATION:三楼会议室" in text
    assert client.get(reverse("training:calendar_feed", args=["nope"])).status_code == 404
    client.force_login(roles.teacher)
    client.post(reverse("training:calendar_reset"))
    assert client.get(reverse("training:calendar_feed", args=[feed.token])).status_code == 404


def test_evaluation_page_records_scores_once(client, roles, published_session):
    Session.objects.filter(pk=published_session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2),
                                                           ends_at=timezone.now() - dt.timedelta(hours=1))
    c = client_for(client, roles.teacher)
    url = reverse("training:evaluate", args=[published_session.pk])
    assert c.get(url).status_code == 200
    assert c.post(url, {"content_score": 5, "presenter_score": 4, "organisation_score": 5}).status_code == 302
    response = c.post(url, {"content_score": 1, "presenter_score": 1, "organisation_score": 1})
    assert response.status_code == 400 and "只能评价一次" in response.content.decode()
    c.force_login(roles.school_admin)
    body = c.get(reverse("training:evaluations")).content.decode()
    assert "王教授" in body and "4.00" in body


def test_my_trainings_and_project_pages_do_not_grow_queries_with_sessions(client, roles, school_project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n, offset):
        for i in range(n):
            s = services.session_create(actor=roles.school_admin, project=school_project, title=f"活动{offset + i}",
                                        starts_at=at(2 + offset + i), ends_at=at(2 + offset + i, 16, 40), place="室",
                                        presenter_name="甲", content="乙")
            services.session_publish(actor=roles.school_admin, session=s)

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [(roles.teacher, reverse("training:my")),
            (roles.school_admin, reverse("training:project_detail", args=[school_project.pk])),
            (roles.school_admin, reverse("training:project_list"))]
    make(2, 0)
    [count(u, url) for u, url in urls]  # first visit creates the teacher's calendar token
    small = [count(u, url) for u, url in urls]
    make(10, 10)
    assert [count(u, url) for u, url in urls] == small
