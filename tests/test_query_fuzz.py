"""Every page, asked with hostile query parameters by every role, never answers 5xx.

The API is fuzzed from its OpenAPI document (tests/api/test_openapi_fuzz.py);
pages have no schema, so here every URL pattern of the project is requested
with a fixed list of hostile values (huge and negative numbers, words, NUL,
very long strings, absurd years and dates) in every query parameter the views
read. An out-of-bounds value must be refused (400 with a Chinese message) or
ignored, never crash the page.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Names the views read from the query string; the test also records what each page really reads.
NAMES = [
    "year", "school", "group", "page", "status", "term", "start", "end", "cycle", "full", "format", "purpose",
    "preset", "q", "t", "p", "code", "bureau", "next", "stage", "subject", "title", "tier", "employment_type", "kind",
]
HOSTILE = [
    str(10**30), "-1", "abc", "", "\x00", "9" * 5000, "1772599", "9223372036854775808", "0001-01-01", "9999-12-31", "１２３",
]
ALONE = [str(10**30), "-1", "abc", "9" * 5000, "1772599", "9999-12-31"]
KINDS = ("person", "school", "county", "session", "project", "plan", "survey")
SKIP = re.compile(r"^/(accounts/logout|django-admin|api/|i18n/|static/|media/)")


def _patterns(resolver: URLResolver | None = None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def _url(route: str, ids: dict[str, int]) -> str:
    """A concrete address, with the id of a real object of the kind the route names."""

    def number(match):
        head = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]  # the segment before the id
        for word in KINDS:
            if word in match.group(1) or word in head:
                return str(ids[word])
        return "1"

    url = re.sub(r"<int:([^>]+)>", number, route.lstrip("^").rstrip("$"))
    url = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000000", url)
    url = re.sub(r"<[^>]+>", "x", url)
    return "/" + url.replace("\\Z", "").replace("\\", "")


@pytest.fixture
def world(roles, school, county):
    """Real objects behind the ids: a policy in force, a published session with a plan and a survey."""
    import datetime as dt

    from tests.credits.factories import adopt
    from yanxiu.training import services

    adopt("000", county)
    plan = services.plan_save(actor=roles.school_admin, school=school, school_year="2026-2027", title="研修计划")
    from yanxiu.training.models import ContentCategory

    category = ContentCategory.objects.create(region=county, code="B01", name="校本特色课程", compulsory=False, mandated=False)
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="课堂观察", kind="observation",
                                      category=category, school_year="2026-2027")
    services.project_submit(actor=roles.school_admin, project=project)
    services.project_approve(actor=roles.centre, project=project, comment="同意")
    start = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=2), dt.time(15), tzinfo=timezone.get_current_timezone())
    session = services.session_create(actor=roles.school_admin, project=project, title="评课", starts_at=start,
                                      ends_at=start + dt.timedelta(hours=1), place="会议室", presenter_name="王老师", content="观课")
    services.session_publish(actor=roles.school_admin, session=session)
    from yanxiu.needs.models import NeedsSurvey

    survey_id = NeedsSurvey.objects.values_list("pk", flat=True).first() or 1
    return {"person": roles.teacher.person.pk, "school": school.pk, "county": county.pk, "session": session.pk,
            "project": project.pk, "plan": plan.pk, "survey": survey_id}


def _urls(ids) -> list[str]:
    seen = []
    for route in _patterns():
        if "(?P" in route:
            continue
        url = _url(route, ids)
        if not SKIP.match(url) and url not in seen:
            seen.append(url)
    return seen


@pytest.fixture
def names_read(monkeypatch):
    """The query parameters a request reads (directly or through a form bound to
    ``request.GET``), recorded on the QueryDict while the view runs."""
    from django.http import QueryDict

    seen: set[str] = set()
    # get/getlist only: copying or re-encoding the query (pagination links) reads every key through __getitem__.
    for method in ("get", "getlist"):
        original = getattr(QueryDict, method)

        def spy(self, key, *args, _original=original, **kwargs):
            if isinstance(key, str):
                seen.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, spy)
    return seen


# Each role's walk runs in one pass, to keep the suite short: the roles with the most pages
# (school admin, bureau, centre) on PostgreSQL, the stricter database (it refuses NUL in text and
# overflowing integers), the others on SQLite (whose pass also runs the browser tests).
_ON_POSTGRES = pytest.mark.postgres_only
_ON_SQLITE = pytest.mark.sqlite_only


@pytest.mark.parametrize("role", [
    pytest.param("teacher", marks=_ON_SQLITE), pytest.param("leader", marks=_ON_SQLITE),
    pytest.param("school_admin", marks=_ON_POSTGRES), pytest.param("bureau", marks=_ON_POSTGRES),
    pytest.param("centre", marks=_ON_POSTGRES), pytest.param("presenter", marks=_ON_SQLITE),
])
def test_no_page_answers_hostile_query_parameters_with_a_server_error(client, roles, world, role, names_read):
    client.force_login(getattr(roles, role))
    client.raise_request_exception = False
    failures = []
    this_year = timezone.localdate().year
    # Plausible values in every known name, so that each page reads (and its forms bound to the
    # query string read) every parameter it has; what it reads is recorded on the way.
    plausible = {name: "1" for name in NAMES} | {"start": f"{this_year}-01-01", "end": f"{this_year}-03-01"}
    benign = [plausible | {"year": str(this_year)}, plausible | {"year": f"{this_year}-{this_year + 1}"}]
    for url in _urls(world):
        names_read.clear()
        opened = [client.get(url, query).status_code for query in benign]
        read = sorted(names_read)
        refused_early = all(status in (302, 401, 403, 404, 405) for status in opened)
        # Refused before its parameters are read: one hostile try is enough.
        values = HOSTILE[:1] if refused_early else HOSTILE
        for value in values:
            # Every known name and every name the page was seen reading, so none escapes the hostile value.
            status = _try(client, url, {name: value for name in [*NAMES, *read]}, failures)
            if status is None or refused_early:
                break
            if status != 200 and value in ALONE:
                # The page refused the value in one parameter, which may hide what another does with it:
                # each parameter the page reads, alone. (Answered 200, every parameter was read and survived.)
                if any(_try(client, url, {name: value}, failures) is None for name in read):
                    break
    assert not failures, failures


def _try(client, url: str, query: dict, failures: list[str]) -> int | None:
    """The status of ``url`` asked with ``query``; None (and the failure noted) when it is 5xx."""
    response = client.get(url, query)
    if response.status_code >= 500:
        shown = query if len(query) == 1 else {"*": next(iter(query.values()))}
        failures.append(f"{url} { {k: v[:24] for k, v in shown.items()} } -> {response.status_code}")
        return None
    return response.status_code


def test_an_out_of_range_year_is_refused_with_a_chinese_message(client, roles, world):
    client.force_login(roles.teacher)
    for year in (str(10**30), "1772599", "1999", "abc"):
        response = client.get("/credits/me/", {"year": year})
        assert response.status_code == 400, (year, response.status_code)
        assert "year" in response.content.decode() and ("年份须在" in response.content.decode() or "须为整数" in response.content.decode())


def test_an_out_of_range_school_on_the_staff_list_is_ignored_not_a_crash(client, roles, world):
    client.force_login(roles.school_admin)
    response = client.get("/org/staff/", {"school": str(10**30)})
    assert response.status_code == 200
    assert roles.teacher.person.name in response.content.decode()  # the filter is dropped, the list stays
