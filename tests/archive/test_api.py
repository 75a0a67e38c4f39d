"""GET /api/archive/sessions/{id}/materials: the list for those who may see it."""

import pytest
from django.urls import reverse

from .conftest import pdf, photo

pytestmark = pytest.mark.django_db


def url(session_id: int) -> str:
    return f"/api/archive/sessions/{session_id}/materials"


def test_an_enrolled_teacher_lists_the_materials_with_their_download_address(client, roles, session, add):
    first = add(session, pdf(), title="评课讲稿", actor=roles.member)
    add(session, photo(), kind="photo", title="合影")
    client.force_login(roles.teacher)
    body = client.get(url(session.pk)).json()
    assert body["count"] == 2
    item = body["items"][0]
    assert item["id"] == first.pk and item["title"] == "评课讲稿" and item["kind"] == "slides" and item["kind_label"] == "讲稿/课件"
    assert item["extension"] == "pdf" and item["size"] == first.size and item["uploaded_by"] == roles.member.display_name
    assert item["url"] == reverse("archive:material_file", args=[first.pk])
    assert client.get(item["url"]).status_code == 200
    assert [i["title"] for i in body["items"]] == ["评课讲稿", "合影"]


@pytest.mark.parametrize(("role", "status"), [("school_admin", 200), ("leader", 200), ("centre", 200), ("bureau", 200),
                                              ("other_admin", 403), ("other_teacher", 403), ("far_bureau", 403), ("presenter", 403)])
def test_who_may_list(client, roles, session, add, role, status):
    add(session, pdf())
    client.force_login(getattr(roles, role))
    response = client.get(url(session.pk))
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "您没有权限查看本次活动的资料。"


def test_a_missing_session_is_404_and_anonymous_callers_are_refused(client, roles, session):
    assert client.get(url(session.pk)).status_code == 401
    client.force_login(roles.school_admin)
    assert client.get(url(999999)).status_code == 404


def test_pages_are_bounded(client, roles, session, add):
    add(session, pdf())
    client.force_login(roles.school_admin)
    assert client.get(url(session.pk), {"limit": 10**30}).status_code == 422
    assert client.get(url(session.pk), {"limit": 1}).json()["count"] == 1
