"""The API, fuzzed from its own OpenAPI document: no input makes it fail with a 5xx."""

import re

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

CSRF = "A" * 32


@pytest.fixture(autouse=True)
def keep_the_test_connection_open():
    """Calls go straight to the WSGI app, which would close the test's DB connection
    after each request; Django's own test client disconnects the same handlers."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=["teacher", "school_admin", "bureau"])
def api_auth(request, client, roles):
    client.force_login(getattr(roles, request.param))
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}, "headers": {"X-CSRFToken": CSRF}}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_with_a_server_error(case, api_auth):
    case.call_and_validate(checks=[not_a_server_error], cookies=api_auth["cookies"], headers=api_auth["headers"])


@pytest.mark.django_db
def test_the_api_documentation_is_served_without_internet(client, roles):
    client.force_login(roles.teacher)
    html = client.get("/api/docs").content.decode()
    assert "swagger" in html.lower()
    assert not re.search(r"""(src|href)=["']https?://""", html)


@pytest.mark.django_db
def test_anonymous_callers_are_refused(client):
    assert client.get("/api/org/staff").status_code == 401


@pytest.mark.django_db
def test_the_staff_endpoint_masks_personal_data_and_is_scoped(client, roles):
    client.force_login(roles.other_admin)
    items = client.get("/api/org/staff").json()["items"]
    names = {i["name"] for i in items}
    assert roles.other_teacher.person.name in names and roles.teacher.person.name not in names
    assert all("********" in i["id_number"] for i in items)
