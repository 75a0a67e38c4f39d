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
# verification, calendar feeds (secret token in the URL), the API schema and published competition results.
PUBLIC = re.compile(
    r"^/(accounts/login/|i18n/|healthz|credits/verify/|api/openapi\.json|api/docs|training/calendar/|django-admin/|routine/results/)"
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


# --- Every link rendered for a role opens for that role ---------------------------
#
# For each demo login, crawl breadth-first from the home page (GET, same-site
# links and htmx hx-get targets) and require every link found to answer 200,
# or a redirect to a page that itself answers 200. Downloads are fetched like
# pages (their content is not parsed). Links differing only in their ids are
# checked a bounded number of times per URL pattern, and the crawl stops after
# a bounded number of requests: both bounds are reported when hit, never
# silently.

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.urls import Resolver404, resolve

WALK_PER_PATTERN = 2
WALK_MAX_REQUESTS = 900
WALK_SHORT_LIVED = ("/attendance/s/",)
# Anything under these prefixes is not a page of the product.
WALK_NOT_PAGES = ("/static/", "/media/", "/django-admin/", "/api/docs", "/i18n/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            value = attrs.get(name)
            if value and (tag == "a" or name == "hx-get"):
                self.links.append(value)


def _same_site(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    url, _frag = urldefrag(urljoin("http://testserver" + base, href))
    parts = urlsplit(url)
    if parts.netloc != "testserver" or parts.path.startswith(WALK_NOT_PAGES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pattern_key(url: str) -> str:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return url
    keys = ",".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return f"{match.view_name}?{keys}"


def walk_links(client, start: str = "/") -> tuple[list[str], dict]:
    """Crawl from ``start``; the broken links found (with the page that rendered them) and a summary.

    Each link is fetched as soon as the page rendering it has been read (a sign-in screen's QR
    link lives 15 seconds); pages are then expanded breadth-first.
    """
    failures: list[str] = []
    seen: set[str] = {start}
    per_pattern: dict[str, int] = {}
    counts = {"requests": 0, "capped": 0}

    def fetch(url: str, source: str) -> list[str] | None:
        """GET ``url`` (following same-site redirects); the links of an HTML page, [] for a download, None when broken."""
        if counts["requests"] >= WALK_MAX_REQUESTS:
            counts["capped"] += 1
            return []
        counts["requests"] += 1
        response = client.get(url)
        hops = 0
        while response.status_code in (301, 302, 303) and hops < 3:
            target = _same_site(url, response["Location"])
            if target is None or target.startswith("/accounts/login/"):
                break
            url, hops = target, hops + 1
            response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{url} -> {response.status_code} {response.get('Location', '')} (linked from {source})")
            return None
        if not response.get("Content-Type", "").startswith("text/html") or getattr(response, "streaming", False):
            return []
        parser = _Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        return parser.links

    queue: deque[tuple[str, list[str]]] = deque([(start, fetch(start, "(start)") or [])])
    while queue:
        url, hrefs = queue.popleft()
        # Short-lived links first: the sign-in QR link expires with its 15-second window.
        hrefs = sorted(hrefs, key=lambda h: not any(p in h for p in WALK_SHORT_LIVED))
        for href in hrefs:
            link = _same_site(url, href)
            if link is None or link in seen:
                continue
            seen.add(link)
            key = _pattern_key(link)
            per_pattern[key] = per_pattern.get(key, 0) + 1
            if per_pattern[key] > WALK_PER_PATTERN:
                continue
            links = fetch(link, url)
            if links:
                # A sign-in QR link lives one window: open it now, not when its page's turn comes.
                for short in {_same_site(link, h) for h in links if any(p in h for p in WALK_SHORT_LIVED)} - seen - {None}:
                    seen.add(short)
                    fetch(short, link)
                queue.append((link, links))
    sampled = {k: n for k, n in per_pattern.items() if n > WALK_PER_PATTERN}
    return failures, {"requests": counts["requests"], "not_fetched_over_cap": counts["capped"], "patterns": len(per_pattern),
                      "sampled": sampled}


@pytest.fixture
def demo_county(db):
    import io

    from django.core.management import call_command

    call_command("seed_demo", teachers=200, stdout=io.StringIO())


DEMO_LOGINS = ["admin", "bureau", "centre", "school", "leader", "teacher", "presenter"]


# Links and permissions do not depend on the database: each login is walked in one pass only, the two roles
# with the most pages in the PostgreSQL pass and the others in the SQLite pass, so the passes (which run side
# by side) take about as long.
WALK_GROUPS = [
    pytest.param(("admin", "bureau"), marks=pytest.mark.postgres_only, id="admin-bureau"),
    pytest.param(("centre", "school", "leader", "teacher", "presenter"), marks=pytest.mark.sqlite_only, id="others"),
]


def test_the_walk_groups_cover_every_demo_login():
    from yanxiu.demo import county as demo

    walked = [login for group in WALK_GROUPS for login in group.values[0]]
    assert sorted(walked) == sorted(DEMO_LOGINS) == sorted(demo.LOGIN_USERNAMES)


@pytest.mark.parametrize("logins", WALK_GROUPS)
def test_every_link_rendered_for_each_demo_role_opens_for_that_role(client, demo_county, logins):
    from yanxiu.accounts.models import User

    client.raise_request_exception = False
    report = {}
    failures = []
    for username in logins:
        client.force_login(User.objects.get(username=username))
        broken, summary = walk_links(client)
        failures += [f"{username}: {line}" for line in broken]
        report[username] = summary
        # The crawl really covered the role's pages: no role stops at its home page.
        if summary["requests"] <= 3 or summary["not_fetched_over_cap"]:
            failures.append(f"{username}: crawl too thin or capped: {summary}")
    print("link walk per role:", {u: (r["requests"], r["patterns"], sorted(r["sampled"])) for u, r in report.items()})
    assert not failures, "\n".join(failures)


def test_the_link_walk_reports_a_link_that_answers_403(client, roles, monkeypatch):
    """The walk itself is real: a link the role cannot open is reported with the page that rendered it."""
    client.force_login(roles.teacher)
    from django.test.client import Client

    original = Client.get

    def get(self, path, *args, **kwargs):
        response = original(self, path, *args, **kwargs)
        if path == "/" and response.status_code == 200:
            response.content = response.content + b'<a href="/attendance/sessions/">x</a>'
        return response

    monkeypatch.setattr(Client, "get", get)
    client.raise_request_exception = False
    broken, _summary = walk_links(client)
    assert broken == ["/attendance/sessions/ -> 403  (linked from /)"]
