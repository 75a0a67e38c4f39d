"""The compliance lists page their rows; the counts above them are those of the whole school or county."""

import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.credits import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def standing(roles, school, school_b):
    adopt("000", school.county)
    credit(roles.teacher.person, 50)  # met
    credit(roles.member.person, 10)  # below
    credit(roles.other_teacher.person, 50)  # met, at school_b
    return school


def chart(html):
    return json.loads(re.search(r'<script id="county-chart" type="application/json">(.*?)</script>', html, re.S).group(1))


def sheet_rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_the_county_page_shows_one_page_of_schools_and_the_counts_of_the_whole_county(client, roles, standing, school_b, monkeypatch):
    monkeypatch.setattr(views.CountyListView, "paginate_by", 1)
    client.force_login(roles.bureau)
    url = reverse("credits:county", args=[standing.county_id])
    first = client.get(url, {"year": YEAR}).content.decode()
    second = client.get(url, {"year": YEAR, "page": 2}).content.decode()
    names = sorted([standing.name, school_b.name], key=lambda n: n)
    shown_first = [n for n in names if n in chart(first)["categories"]]
    shown_second = [n for n in names if n in chart(second)["categories"]]
    assert len(shown_first) == 1 and len(shown_second) == 1 and shown_first != shown_second
    # The summary counts every teacher of the county on every page (leader, admin and the three above).
    for html in (first, second):
        summary = html[html.index("达标 <strong>"):html.index("各校公示")]
        assert re.findall(r"<strong>(\d+)</strong>", summary)[0] == "2"
    assert "第 1/2 页" in first and "page=2" in first


def test_an_htmx_page_of_the_county_is_the_table_and_its_chart_only(client, roles, standing, monkeypatch):
    monkeypatch.setattr(views.CountyListView, "paginate_by", 1)
    client.force_login(roles.bureau)
    response = client.get(reverse("credits:county", args=[standing.county_id]), {"year": YEAR, "page": 2}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="county-table"' in html and 'id="county-chart"' in html and "各校公示" not in html


def test_the_county_export_holds_every_school_with_its_counts(client, roles, standing, school_b, monkeypatch):
    monkeypatch.setattr(views.CountyListView, "paginate_by", 1)
    client.force_login(roles.bureau)
    rows = sheet_rows(client.get(reverse("credits:county", args=[standing.county_id]), {"year": YEAR, "export": "xlsx"}))
    assert rows[0][:3] == ["学校标识码", "学校", "教师"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {standing.name, school_b.name}
    assert by_name[school_b.name][2] == 2 and by_name[school_b.name][3] == 1  # the school admin and the teacher; one met


def test_the_school_page_pages_its_teachers_and_counts_them_all(client, roles, standing, monkeypatch):
    monkeypatch.setattr(views.SchoolListView, "paginate_by", 1)
    client.force_login(roles.school_admin)
    url = reverse("credits:school", args=[standing.pk])
    html = client.get(url, {"year": YEAR}).content.decode()
    people = [p for p in ("张老师", "组员") if f">{p}</a>" in html]
    assert len(people) <= 1  # one teacher per page
    assert re.search(r"全部 (\d+)", html).group(1) == "4"  # teacher, member, leader and the school admin
    assert "达标 1" in html and "未达标 3" in html and "第 1/4 页" in html
    below = client.get(url, {"year": YEAR, "status": "below", "page": 99}).content.decode()
    assert "第 3/3 页" in below and "张老师" not in below


def test_the_school_export_holds_the_filtered_teachers_without_id_numbers(client, roles, standing, monkeypatch):
    monkeypatch.setattr(views.SchoolListView, "paginate_by", 1)
    client.force_login(roles.school_admin)
    rows = sheet_rows(client.get(reverse("credits:school", args=[standing.pk]), {"year": YEAR, "export": "xlsx", "status": "met"}))
    assert rows[0] == ["姓名", "合计", "集中", "网络", "校本", "状态", "说明"]
    assert [r[0] for r in rows[1:]] == ["张老师"] and rows[1][1] == 50 and rows[1][5] == "达标"
    flat = " ".join(str(c) for r in rows for c in r)
    assert roles.teacher.person.id_number not in flat


def test_an_unknown_status_lists_everyone(client, roles, standing):
    client.force_login(roles.school_admin)
    response = client.get(reverse("credits:school", args=[standing.pk]), {"year": YEAR, "status": "<b>x</b>"})
    html = response.content.decode()
    assert response.status_code == 200 and "张老师" in html and "组员" in html and "<b>x</b>" not in html
