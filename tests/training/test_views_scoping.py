"""Training pages fetch objects through scoped selectors: a wrong or foreign id is a 404 for
every role that may not see the object, a 403 for one that sees it but may not act on it.
Lists page, search, export and answer htmx with the table alone; buttons are POST only."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yanxiu.training import services
from yanxiu.training.models import Enrollment, LeaveRequest, Project

from .conftest import at

pytestmark = pytest.mark.django_db

ROLES = ["teacher", "other_teacher", "member", "leader", "school_admin", "other_admin", "bureau", "far_bureau", "centre",
         "presenter"]


def _answers(client, roles, method, url, data=None) -> dict[str, int]:
    out = {}
    for role in ROLES:
        client.force_login(getattr(roles, role))
        out[role] = getattr(client, method)(url, data or {}).status_code
    return out


def test_a_draft_session_is_a_404_for_everyone_outside_its_school(client, roles, ready_session):
    answers = _answers(client, roles, "get", reverse("training:session_detail", args=[ready_session.pk]))
    assert answers["school_admin"] == 200 and answers["bureau"] == 200 and answers["centre"] == 200
    for role in ("other_teacher", "other_admin", "far_bureau", "presenter"):
        assert answers[role] == 404, (role, answers)


def test_publishing_another_schools_session_is_a_404_and_a_teachers_try_a_403(client, roles, ready_session):
    url = reverse("training:session_publish", args=[ready_session.pk])
    for role in ("other_teacher", "other_admin", "far_bureau", "presenter"):
        client.force_login(getattr(roles, role))
        assert client.post(url).status_code == 404, role
    ready_session.refresh_from_db()
    assert ready_session.status == "draft"
    client.force_login(roles.school_admin)
    assert client.post(url).status_code == 302
    ready_session.refresh_from_db()
    assert ready_session.status == "published"
    # Now the teachers of the school see it: publishing is refused, not hidden.
    client.force_login(roles.teacher)
    assert client.post(url).status_code == 403


def test_an_action_button_never_runs_from_a_link(client, roles, ready_session):
    client.force_login(roles.school_admin)
    assert client.get(reverse("training:session_publish", args=[ready_session.pk])).status_code == 405
    ready_session.refresh_from_db()
    assert ready_session.status == "draft"


def test_a_refused_publication_is_a_message_on_the_session_page(client, roles, school_project):
    session = services.session_create(actor=roles.school_admin, project=school_project, title="缺项活动",
                                      starts_at=at(4), ends_at=at(4, 16, 40))
    client.force_login(roles.school_admin)
    response = client.post(reverse("training:session_publish", args=[session.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("training:session_detail", args=[session.pk])
    shown = [str(m) for m in response.context["messages"]]
    assert any("地点" in m for m in shown), shown
    session.refresh_from_db()
    assert session.status == "draft"


def test_withdrawing_someone_elses_enrolment_is_a_404_outside_the_session(client, roles, published_session):
    enrollment, _ = Enrollment.objects.update_or_create(
        session=published_session, person=roles.teacher.person,
        defaults={"school": roles.teacher.person.current_employment.school, "source": "self", "status": "enrolled"},
    )
    url = reverse("training:enrollment_withdraw", args=[enrollment.pk])
    for role in ("other_teacher", "other_admin", "far_bureau", "presenter", "member"):
        client.force_login(getattr(roles, role))
        assert client.post(url).status_code == 404, role
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    client.force_login(roles.teacher)
    assert client.post(url).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_a_leave_request_is_cancelled_only_by_its_teacher_and_decided_only_by_its_school(client, roles, published_session):
    leave = services.leave_request_create(actor=roles.teacher, session=published_session, leave_type="personal",
                                          reason="家中有事")
    cancel = reverse("training:leave_cancel", args=[leave.pk])
    decide = reverse("training:leave_decide", args=[leave.pk])
    for role in ("other_teacher", "member", "school_admin", "other_admin", "far_bureau"):
        client.force_login(getattr(roles, role))
        assert client.post(cancel).status_code == 404, role
    for role in ("other_teacher", "member", "other_admin", "far_bureau", "presenter"):
        client.force_login(getattr(roles, role))
        assert client.post(decide, {"decision": "approve"}).status_code == 404, role
    client.force_login(roles.teacher)
    assert client.post(decide, {"decision": "approve"}).status_code == 403  # their own: seen, not decided
    assert LeaveRequest.objects.get(pk=leave.pk).status == "pending"
    assert client.post(cancel).status_code == 302
    assert LeaveRequest.objects.get(pk=leave.pk).status == "rejected"  # withdrawn by the teacher


def test_a_category_of_another_county_is_a_404(client, roles, category, other_county):
    from yanxiu.training.models import ContentCategory

    far = ContentCategory.objects.create(region=other_county, code="F01", name="浏阳特色", compulsory=False, mandated=False)
    client.force_login(roles.bureau)
    assert client.get(reverse("training:category_edit", args=[category.pk])).status_code == 200
    assert client.get(reverse("training:category_edit", args=[far.pk])).status_code == 404
    client.force_login(roles.far_bureau)
    assert client.get(reverse("training:category_edit", args=[far.pk])).status_code == 200


def test_a_nomination_of_another_school_is_a_404(client, roles, bureau_project, bureau_session, school):
    quota = services.quota_allocate(actor=roles.bureau, project=bureau_project, school=school, places=2, deadline=at(2))
    services.quota_name(actor=roles.school_admin, quota=quota, people=[roles.teacher.person])
    nomination = quota.nominations.get()
    url = reverse("training:quota_unname", args=[nomination.pk])
    for role in ("other_admin", "other_teacher", "teacher", "far_bureau"):
        client.force_login(getattr(roles, role))
        assert client.post(url).status_code == 404, role
        assert client.post(reverse("training:quota_submit", args=[quota.pk])).status_code == 404, role
    client.force_login(roles.bureau)
    assert client.post(url).status_code == 403  # the bureau sees the list; the school names on it
    nomination.refresh_from_db()
    assert nomination.is_active


def _projects(school, county, n: int):
    Project.objects.bulk_create(
        Project(owner_school=school, region=county, title=f"校本项目{i:03d}", level="school", school_year="2026-2027",
                status="approved")
        for i in range(n)
    )


def test_the_project_list_pages_searches_and_answers_htmx_with_the_table(client, roles, school, county):
    _projects(school, county, 60)
    client.force_login(roles.school_admin)
    url = reverse("training:project_list")
    first = client.get(url).content.decode()
    assert first.count("校本项目") == 50 and "第 1/2 页，共 60 条" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count("校本项目") == 10
    assert client.get(url, {"page": "x"}).status_code == 200
    partial = client.get(url, {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="list-table"' in partial and partial.count("校本项目") == 10
    found = client.get(url, {"q": "项目007"}).content.decode()
    assert "校本项目007" in found and "校本项目008" not in found
    assert client.get(url, {"school_year": "2027-2029"}).status_code == 200  # a bad filter filters nothing


def test_the_project_list_filters_by_year_and_status(client, roles, school, county):
    _projects(school, county, 3)
    Project.objects.create(owner_school=school, region=county, title="往年项目", school_year="2025-2026", status="approved")
    client.force_login(roles.school_admin)
    html = client.get(reverse("training:project_list"), {"school_year": "2025-2026"}).content.decode()
    assert "往年项目" in html and "校本项目" not in html
    html = client.get(reverse("training:project_list"), {"status": "draft"}).content.decode()
    assert "往年项目" not in html and "校本项目" not in html


def test_the_quota_list_exports_every_row_of_the_bureau(client, roles, bureau_project, school, school_b):
    for target in (school, school_b):
        services.quota_allocate(actor=roles.bureau, project=bureau_project, school=target, places=3, deadline=at(2))
    client.force_login(roles.bureau)
    response = client.get(reverse("training:quota_list"), {"export": "xlsx"})
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:3] == ["学校", "培训", "活动"]
    assert sorted(r[0] for r in rows[1:]) == sorted([school.name, school_b.name])
    client.force_login(roles.other_admin)
    ws = load_workbook(io.BytesIO(client.get(reverse("training:quota_list"), {"export": "xlsx"}).content)).active
    assert [[c.value for c in r][0] for r in ws.iter_rows(min_row=2)] == [school_b.name]


def test_the_leave_list_exports_the_requests_waiting_for_the_user(client, roles, published_session):
    services.leave_request_create(actor=roles.teacher, session=published_session, leave_type="personal", reason="家中有事")
    client.force_login(roles.school_admin)
    ws = load_workbook(io.BytesIO(client.get(reverse("training:leave_list"), {"export": "xlsx"}).content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["张老师"] and "家中有事" in rows[0]
    client.force_login(roles.teacher)
    assert client.get(reverse("training:leave_list"), {"export": "xlsx"}).status_code == 403
