"""The training API: catalogue, projects, sessions scoped to the user, enrolment, leave, evaluations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yanxiu.training.models import LeaveRequest, Project, Session

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(method, path, user, **data):
        client.force_login(user)
        kwargs = {"content_type": "application/json", "data": data} if method == "post" else {"data": data}
        return getattr(client, method)(f"/api/training{path}", **kwargs)

    return call


def test_catalogue_lists_levels_kinds_and_the_regions_categories(api, roles, category, own_category):
    body = api("get", "/catalogue", roles.teacher).json()
    assert [c["label"] for c in body["levels"]] == ["国培", "省培", "市培", "县培", "校培"]
    assert {"value": "lesson_study", "label": "课例研究"} in body["kinds"]
    assert {(c["code"], c["compulsory"], c["mandated"]) for c in body["categories"]} == {("A01", True, True),
                                                                                       ("B01", False, False)}


def test_sessions_are_scoped_to_the_user(api, roles, published_session, ready_session, bureau_session):
    ids = {s["id"] for s in api("get", "/sessions", roles.teacher).json()["items"]}
    assert ids == {published_session.pk}  # not the draft, not the bureau session they are not on
    assert api("get", "/sessions", roles.other_teacher).json()["items"] == []
    assert api("get", f"/sessions/{published_session.pk}", roles.other_teacher).status_code == 404
    admin_ids = {s["id"] for s in api("get", "/sessions", roles.school_admin).json()["items"]}
    assert {published_session.pk, ready_session.pk} <= admin_ids and bureau_session.pk not in admin_ids
    detail = api("get", f"/sessions/{published_session.pk}", roles.teacher).json()
    assert detail["my_enrollment"] == "enrolled" and detail["missing"] == [] and detail["hours"] == "2.0"
    mine = api("get", "/sessions", roles.teacher, mine="true").json()["items"]
    assert [s["id"] for s in mine] == [published_session.pk]


def test_publish_via_api_returns_400_with_the_missing_items(api, roles, school_project):
    r = api("post", f"/projects/{school_project.pk}/sessions", roles.school_admin, title="待定",
            starts_at=at(2).isoformat(), ends_at=at(2, 16, 40).isoformat())
    assert r.status_code == 201
    r = api("post", f"/sessions/{r.json()['id']}/publish", roles.school_admin)
    assert r.status_code == 400 and "缺少：地点、内容、主讲人" in r.json()["detail"]


def test_project_approval_flow_and_permissions_via_api(api, roles, own_category):
    r = api("post", "/projects", roles.school_admin, title="阅读工程", kind="reading", category_id=own_category.pk,
            school_year="2026-2027")
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["requires_approval"]
    pid = r.json()["id"]
    assert api("post", f"/projects/{pid}/submit", roles.school_admin).json()["status"] == "submitted"
    r = api("post", f"/projects/{pid}/review", roles.school_admin, approve=True)
    assert r.status_code == 403 and "研训中心" in r.json()["detail"]
    r = api("post", f"/projects/{pid}/review", roles.centre, approve=False, comment="")
    assert r.status_code == 400 and "审核意见" in r.json()["detail"]
    assert api("post", f"/projects/{pid}/review", roles.centre, approve=True).json()["status"] == "approved"
    assert api("get", f"/projects/{pid}", roles.other_admin).status_code == 404
    assert Project.objects.get(pk=pid).reviewer == roles.centre


def test_leave_create_list_and_decide_via_api(api, roles, published_session):
    r = api("post", "/leave", roles.teacher, session_id=published_session.pk, leave_type="sick", reason="发烧")
    assert r.status_code == 400 and "病假证明" in r.json()["detail"]
    r = api("post", "/leave", roles.teacher, session_id=published_session.pk, leave_type="personal", reason="搬家")
    assert r.status_code == 201 and r.json()["status"] == "pending"
    leave_id = r.json()["id"]
    assert api("post", f"/leave/{leave_id}/decide", roles.teacher, approve=True).status_code == 403
    assert api("post", f"/leave/{leave_id}/decide", roles.other_admin, approve=True).status_code == 404
    awaiting = api("get", "/leave", roles.school_admin, awaiting="true").json()["items"]
    assert [row["id"] for row in awaiting] == [leave_id]
    r = api("post", f"/leave/{leave_id}/decide", roles.school_admin, approve=True)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert LeaveRequest.objects.get(pk=leave_id).school_decided_by == roles.school_admin


def test_leave_after_start_is_refused_via_api(api, roles, published_session):
    Session.objects.filter(pk=published_session.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    r = api("post", "/leave", roles.teacher, session_id=published_session.pk, leave_type="personal", reason="事")
    assert r.status_code == 400 and "不能再请假" in r.json()["detail"]


def test_enrolment_list_and_invitation_via_api(api, roles, ready_session, group):
    r = api("post", f"/sessions/{ready_session.pk}/invite", roles.school_admin, scope="group", group_id=group.pk)
    assert r.status_code == 200 and r.json() == {"count": 2}
    rows = api("get", f"/sessions/{ready_session.pk}/enrollments", roles.school_admin).json()["items"]
    assert {row["person_id"] for row in rows} == {roles.leader.person.pk, roles.member.person.pk}
    assert api("post", f"/sessions/{ready_session.pk}/invite", roles.other_admin, scope="whole_school").status_code == 404


def test_evaluation_via_api_and_summaries(api, roles, published_session):
    Session.objects.filter(pk=published_session.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    r = api("post", f"/sessions/{published_session.pk}/evaluation", roles.teacher, content_score=5, presenter_score=5,
            organisation_score=4, comment="好")
    assert r.status_code == 201 and r.json()["count"] == 1
    r = api("post", f"/sessions/{published_session.pk}/evaluation", roles.teacher, content_score=5, presenter_score=5,
            organisation_score=4)
    assert r.status_code == 400 and "只能评价一次" in r.json()["detail"]
    assert api("get", f"/sessions/{published_session.pk}/evaluation", roles.teacher).status_code == 403
    summary = api("get", f"/sessions/{published_session.pk}/evaluation", roles.school_admin).json()
    assert summary["presenter"] == "5.00" and summary["organisation"] == "4.00"
    presenters = api("get", "/evaluations/presenters", roles.school_admin).json()
    assert presenters[0]["name"] == "王教授" and presenters[0]["count"] == 1


def test_sick_leave_with_its_note_via_multipart(client, roles, published_session):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client.force_login(roles.teacher)
    fake = SimpleUploadedFile("note.jpg", b"<html><script>alert(1)</script></html>")
    r = client.post("/api/training/leave/with-attachment",
                    {"session_id": published_session.pk, "leave_type": "sick", "reason": "发烧", "attachment": fake})
    assert r.status_code == 400 and "证明材料“note.jpg”的内容不是有效的JPG文件" in r.json()["detail"]
    assert not LeaveRequest.objects.exists()
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, format="PNG")
    note = SimpleUploadedFile("病历.png", buffer.getvalue())
    r = client.post("/api/training/leave/with-attachment",
                    {"session_id": published_session.pk, "leave_type": "sick", "reason": "发烧", "attachment": note})
    assert r.status_code == 201 and r.json()["has_attachment"] and r.json()["leave_type"] == "sick"
    leave = LeaveRequest.objects.get()
    client.force_login(roles.school_admin)
    served = client.get(reverse("training:leave_attachment", args=[leave.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["Content-Security-Policy"] == "sandbox" and b"".join(served.streaming_content) == buffer.getvalue()
    client.force_login(roles.other_admin)
    assert client.get(reverse("training:leave_attachment", args=[leave.pk])).status_code == 404
