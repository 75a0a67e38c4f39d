"""core.params: years, ids, dates and return addresses are bounded before use."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone

from yanxiu.core import params

THIS_YEAR = timezone.localdate().year


def q(text: str) -> QueryDict:
    return QueryDict(text)


@pytest.mark.parametrize("raw", [str(10**30), "1772599", "1999", str(THIS_YEAR + 6), "-2025", "abc", "1e3", "9" * 5000])
def test_a_year_outside_the_window_or_not_a_year_is_a_bad_parameter(raw):
    with pytest.raises(params.BadParameter) as exc:
        params.year_param(q(f"year={raw}"))
    assert "year" in str(exc.value)


def test_a_year_inside_the_window_is_returned_and_an_absent_one_gives_the_default():
    assert params.year_param(q("year=2025")) == 2025
    assert params.year_param(q(f"year={THIS_YEAR + 5}")) == THIS_YEAR + 5
    assert params.year_param(q(""), default=7) == 7
    assert params.year_param(q("year="), default=7) == 7


@pytest.mark.parametrize("raw", ["0", "-1", str(2**63), str(10**30), "x", "9" * 5000])
def test_ids_beyond_64_bits_or_not_positive_are_refused(raw):
    with pytest.raises(params.BadParameter):
        params.id_param(q(f"school={raw}"), "school")
    assert params.parse_id(raw) is None


def test_ids_within_64_bits_are_accepted():
    assert params.id_param(q(f"school={2**63 - 1}"), "school") == 2**63 - 1
    assert params.parse_id("42") == 42


def test_school_years_and_date_ranges_are_bounded():
    assert params.school_year_param(q("year=2025-2026")) == "2025-2026"
    for bad in ("2025-2027", "1772599-1772600", "abcd-efgh", "2025", "0001-0002"):
        with pytest.raises(params.BadParameter):
            params.school_year_param(q(f"year={bad}"))
    assert params.date_range_params(q("start=2026-09-01&end=2027-01-31")) is not None
    for bad in ("start=0001-01-01&end=9999-12-31", "start=2026-09-01&end=2026-08-01", "start=2026-01-01&end=2028-01-01", "start=x&end=y"):
        with pytest.raises(params.BadParameter):
            params.date_range_params(q(bad))


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "///evil.example", "http:evil.example", "javascript:alert(1)",
    "\\\\evil.example", "https://testserver.evil.example/", "/" + "a" * 3000,
    "123", "reports:home", "credits/me/", "/\\evil.example",
])
def test_a_return_address_off_this_site_falls_back(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert params.safe_next(request, "/home/") == "/home/"


def test_a_return_address_on_this_site_is_kept():
    request = RequestFactory().post("/x/", {"next": "/credits/me/?year=2025"})
    assert params.safe_next(request, "/home/") == "/credits/me/?year=2025"


def test_the_ninja_types_show_their_bounds_in_the_openapi_document(client, roles):
    client.force_login(roles.teacher)
    doc = client.get("/api/openapi.json").json()
    year = next(p for p in doc["paths"]["/api/credits/me"]["get"]["parameters"] if p["name"] == "year")
    assert "9999" in str(year["schema"])
    invite = doc["components"]["schemas"]["InviteIn"]["properties"]["person_ids"]
    assert str(2**63 - 1) in str(invite)


@pytest.mark.django_db
def test_the_credits_api_refuses_an_absurd_year_with_a_chinese_422(client, roles):
    client.force_login(roles.teacher)
    for year in ("1772599", str(10**30), "-1", "9" * 5000):
        r = client.get("/api/credits/me", {"year": year})
        assert r.status_code == 422, (year, r.status_code)
        message = str(r.json()["detail"])
        assert "年份须在" in message or "须为整数" in message


def test_a_search_text_loses_nul_characters_and_is_bounded():
    assert params.text_param(q("q=%E6%98%9F%00%E6%B2%99"), "q") == "星沙"
    assert len(params.text_param(q("q=" + "a" * 5000), "q")) == 100


@pytest.mark.django_db
def test_the_school_list_searches_with_a_nul_character_without_failing(client, roles):
    client.force_login(roles.bureau)
    assert client.get("/org/schools/", {"q": "星沙\x00"}).status_code == 200
