"""Every URL pattern of the project, walked anonymously and with every role.

The detailed allowed/forbidden matrix for the organisation pages is in
test_permission_matrix.py; here every pattern, of every app, must refuse an
anonymous visitor (unless listed as public) and must never answer a role with
a server error.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Public on purpose: login, language switch, health check, certificate
# verification, calendar feeds (secret token in the URL) and the API schema.
PUBLIC = re.compile(
    r"^/(accounts/login/|i18n/|healthz|credits/verify/|api/openapi\.json|api/docs|training/calendar/|django-admin/)"
)


def _patterns(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def _sample_url(route: str) -> str:
    route = route.lstrip("^").rstrip("$")
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug):[^>]+>", "x", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", route)
    route = re.sub(r"<path:[^>]+>", "x", route)
    route = re.sub(r"<[^>]+>", "x", route)
    route = route.replace("\\Z", "").replace("\\", "")
    return "/" + route


def _urls():
    seen = []
    for route in _patterns():
        if "(?P" in route or route.startswith("django-admin"):
            continue
        url = _sample_url(route)
        if url not in seen:
            seen.append(url)
    return seen


URLS = _urls()


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_refused(client, url):
    if PUBLIC.match(url):
        return
    response = client.get(url)
    assert response.status_code in (302, 401, 403, 404, 405), (url, response.status_code)
    if response.status_code == 302:
        assert "/accounts/login/" in response.url, (url, response.url)


@pytest.mark.parametrize("role", ["teacher", "leader", "school_admin", "bureau", "centre", "presenter"])
def test_no_url_answers_any_role_with_a_server_error(client, roles, role):
    client.force_login(getattr(roles, role))
    client.raise_request_exception = False
    failures = []
    for url in URLS:
        if url.startswith("/accounts/logout"):
            continue
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url} -> {response.status_code}")
    assert not failures, failures
