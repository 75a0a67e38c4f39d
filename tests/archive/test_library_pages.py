"""The school's library is paged by session, its totals those of the whole year; the delete button is an action."""

import pytest
from django.urls import reverse

from yanxiu.archive import views
from yanxiu.archive.models import Material

from .conftest import pdf
from .test_views import client_for, library, year_of_sessions  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_library_shows_one_page_of_sessions_and_the_totals_of_the_year(client, roles, school, year_of_sessions, monkeypatch):  # noqa: F811
    monkeypatch.setattr(views.SchoolLibraryView, "paginate_by", 1)
    client_for(client, roles.school_admin)
    first = client.get(library(school, year=2026)).content.decode()
    second = client.get(library(school, year=2026, page=2)).content.decode()
    assert ("评课专题" in first) != ("评课专题" in second) and ("读书分享" in first) != ("读书分享" in second)
    assert "第 1/2 页" in first and "第 2/2 页" in second
    for body in (first, second):
        assert "共 4 份资料" in body  # the year's totals on every page


def test_an_htmx_page_of_the_library_is_its_groups_only(client, roles, school, year_of_sessions, monkeypatch):  # noqa: F811
    monkeypatch.setattr(views.SchoolLibraryView, "paginate_by", 1)
    client_for(client, roles.school_admin)
    response = client.get(library(school, year=2026, page=2), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'id="library-table"' in body and "<html" not in body and "全部打包下载" not in body


def test_a_material_of_another_schools_session_cannot_be_deleted_or_even_found(client, roles, sessions, add):
    session = sessions.make()
    material = add(session, pdf(), title="讲稿")
    client_for(client, roles.other_admin)
    assert client.post(reverse("archive:material_delete", args=[material.pk])).status_code == 404
    assert Material.objects.filter(pk=material.pk).exists()
