"""The session's user arrives with their person, so a page does not look the person up again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _person_lookups(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if 'FROM "org_person"' in q["sql"] and '"org_person"."user_id" =' in q["sql"]]


def test_a_teacher_page_reads_the_person_with_the_user(client, roles):
    client.force_login(roles.teacher)
    client.get("/")
    assert _person_lookups(client, "/") == []


def test_a_user_without_a_person_is_still_recognised(client, roles):
    from yanxiu.org.scopes import scope_of

    client.force_login(roles.bureau)
    response = client.get("/")
    assert response.status_code == 200
    user = response.wsgi_request.user
    assert scope_of(user).person_id is None and scope_of(user).bureau_counties
