"""core.lists.ScopedListView: scoped rows, paging, search, filters, sorting, htmx partial, export."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.urls import path
from openpyxl import load_workbook

from yanxiu.core.lists import Column, ScopedListView
from yanxiu.org import scopes
from yanxiu.urls import urlpatterns as site_urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class SubjectFilter(forms.Form):
    subject = forms.ChoiceField(choices=[("", "全部"), ("数学", "数学"), ("语文", "语文")], required=False)


class StaffRows(ScopedListView):
    """A list of the employments the user may see, as an app would declare one."""

    permission = "org.view_staff_list"
    page_title = "名单"
    paginate_by = 10
    columns = [
        Column("name", "姓名", value="person.name", sortable="person__name"),
        Column("subject", "学科", sortable=True),
        Column("id_number", "身份证号", value="person.masked_id_number", classes="masked"),
        Column("school", "学校", value="school.name", show=False),
    ]
    filters = SubjectFilter
    search_fields = ["person__name"]
    export_filename = "名单"
    prefix = "测试"

    def get_queryset(self):
        rows = scopes.employments_visible_to(self.request.user).select_related("person", "school")
        # Only the people this test creates, so the pages are known in advance.
        return rows.filter(person__name__startswith=self.prefix).order_by("person__name", "pk")


class CappedRows(StaffRows):
    max_export_rows = 5


class HugePages(StaffRows):
    paginate_by = 10**9


class HostileRows(StaffRows):
    prefix = "="


urlpatterns = [
    path("t/rows/", StaffRows.as_view(), name="t_rows"),
    path("t/capped/", CappedRows.as_view(), name="t_capped"),
    path("t/huge/", HugePages.as_view(), name="t_huge"),
    path("t/hostile/", HostileRows.as_view(), name="t_hostile"),
    *site_urls,
]


@pytest.fixture
def many_teachers(people, school):
    return [people.teacher(school, name=f"测试{i:03d}", subject="数学" if i % 2 else "语文") for i in range(25)]


def _names(html: str) -> list[str]:
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"测试\d{3}", body)


def _sheet_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_pages_hold_page_size_rows_and_show_page_n_of_m(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    html = client.get("/t/rows/").content.decode()
    assert "第 1/3 页" in html
    assert len(_names(html)) == 10
    second = client.get("/t/rows/", {"page": "2"}).content.decode()
    assert "第 2/3 页" in second and not set(_names(html)) & set(_names(second))


@pytest.mark.parametrize("junk", ["abc", "-1", "0", "1.5", "9" * 5000, "\x00", ""])
def test_a_junk_page_number_is_page_one(client, roles, many_teachers, junk):
    client.force_login(roles.school_admin)
    response = client.get("/t/rows/", {"page": junk})
    assert response.status_code == 200
    html = response.content.decode()
    # "0" and "-1" are numbers before the first page: the nearest page is shown, never an error.
    assert "第 1/3 页" in html or "第 3/3 页" in html


def test_a_page_past_the_end_is_the_last_page(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    response = client.get("/t/rows/", {"page": "999999"})
    assert response.status_code == 200 and "第 3/3 页" in response.content.decode()


def test_the_page_size_is_bounded(client, roles, many_teachers):
    from yanxiu.core.lists import MAX_PAGE_SIZE

    view = HugePages()
    assert view.get_page_size() == MAX_PAGE_SIZE


def test_the_search_finds_by_the_declared_fields_and_is_bounded(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    html = client.get("/t/rows/", {"q": "测试007"}).content.decode()
    assert _names(html) == ["测试007"]
    long = client.get("/t/rows/", {"q": "测" * 10_000 + "\x00"})
    assert long.status_code == 200
    assert "没有记录" in long.content.decode()


def test_the_filter_form_filters_and_an_invalid_choice_filters_nothing(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    maths = _names(client.get("/t/rows/", {"subject": "数学", "page": "1"}).content.decode())
    assert maths and all(int(n[2:]) % 2 == 1 for n in maths)
    junk = client.get("/t/rows/", {"subject": "化学<script>"})
    assert junk.status_code == 200 and "第 1/3 页" in junk.content.decode()


def test_sorting_by_a_sortable_column_and_an_unknown_sort_is_ignored(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    descending = _names(client.get("/t/rows/", {"sort": "-name"}).content.decode())
    assert descending[0] == "测试024"
    unknown = client.get("/t/rows/", {"sort": "person__id_number"})
    assert unknown.status_code == 200 and _names(unknown.content.decode())[0] == "测试000"


def test_only_rows_from_the_scoped_queryset_are_listed(client, roles, many_teachers):
    client.force_login(roles.other_admin)
    html = client.get("/t/rows/", {"q": "测试"}).content.decode()
    assert _names(html) == [] and "共 0 条" in html
    client.force_login(roles.school_admin)
    assert "共 25 条" in client.get("/t/rows/").content.decode()


def test_an_htmx_request_gets_only_the_table_and_pager(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    response = client.get("/t/rows/", {"page": "2"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<table" in html and "第 2/3 页" in html
    assert "<nav class=\"navbar" not in html and "<form" not in html
    assert "HX-Request" in response["Vary"]
    # The pager's links work without JavaScript too: plain hrefs beside hx-get.
    assert 'href="/t/rows/?page=3"' in html and 'hx-get="/t/rows/?page=3"' in html
    restore = client.get("/t/rows/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<nav class=\"navbar" in restore.content.decode()


def test_the_full_page_has_title_search_filters_pager_total_and_export(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    html = client.get("/t/rows/").content.decode()
    assert "<nav class=\"navbar" in html and "名单" in html
    assert 'name="q"' in html and 'name="subject"' in html
    assert "共 " in html and "?export=xlsx" in html
    # Masked values only; the export-only column is not shown.
    person = many_teachers[0].person
    assert person.masked_id_number in html and person.id_number not in html


def test_the_export_writes_the_same_filtered_rows_as_the_pages(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    query = {"subject": "数学", "q": "测试"}
    listed = []
    for page in (1, 2):
        listed += _names(client.get("/t/rows/", {**query, "page": page}).content.decode())
    response = client.get("/t/rows/", {**query, "export": "xlsx", "page": "2"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in response["Content-Disposition"] and "%E5%90%8D%E5%8D%95" in response["Content-Disposition"]
    rows = _sheet_rows(response)
    assert rows[0] == ("姓名", "学科", "身份证号", "学校")
    assert sorted(r[0] for r in rows[1:]) == sorted(listed) and len(listed) == 12
    assert all("********" in r[2] for r in rows[1:])


def test_an_export_above_the_row_cap_is_refused_in_chinese(client, roles, many_teachers):
    client.force_login(roles.school_admin)
    response = client.get("/t/capped/", {"export": "xlsx", "subject": "数学"})
    assert response.status_code == 302 and "export" not in response.url and "subject=" in response.url
    page = client.get(response.url).content.decode()
    assert "超过一次导出的上限 5 行" in page


def test_formula_like_names_are_exported_as_text(client, roles, people, school):
    people.teacher(school, name="=HYPERLINK(\"http://x\",\"y\")")
    client.force_login(roles.school_admin)
    sheet = load_workbook(io.BytesIO(client.get("/t/hostile/", {"export": "xlsx"}).content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    hostile = [c for c in cells if str(c.value).startswith("=")]
    assert hostile and all(c.data_type == "s" for c in hostile)


def test_a_user_without_the_permission_gets_403_and_a_visitor_the_login(client, roles):
    client.force_login(roles.teacher)
    assert client.get("/t/rows/").status_code == 403
    assert client.get("/t/rows/", {"export": "xlsx"}).status_code == 403
    client.logout()
    response = client.get("/t/rows/")
    assert response.status_code == 302 and "/login" in response.url


def test_a_post_is_not_allowed(client, roles):
    client.force_login(roles.school_admin)
    assert client.post("/t/rows/").status_code == 405


def test_a_choice_label_column_sorts_by_its_field():
    from yanxiu.core.lists import Column

    assert Column("kind", "称号", value="get_kind_display", sortable=True).order_field == "kind"
    assert Column("stage", "学段", value="school.get_stage_display", sortable=True).order_field == "school__stage"
    assert Column("name", "姓名", value="person.name", sortable=True).order_field == "person__name"


def test_rows_computed_in_python_sort_by_the_shown_value():
    from types import SimpleNamespace

    from django.test import RequestFactory

    from yanxiu.core.lists import Column, ScopedListView

    class Register(ScopedListView):
        def get_columns(self):
            return [Column("n", "数量", sortable=True)]

    rows = [SimpleNamespace(n=3), SimpleNamespace(n=None), SimpleNamespace(n=10), SimpleNamespace(n=1)]
    view = Register()
    view.request = RequestFactory().get("/", {"sort": "n"})
    assert [r.n for r in view.sort_queryset(rows)] == [1, 3, 10, None]
    view.request = RequestFactory().get("/", {"sort": "-n"})
    assert [r.n for r in view.sort_queryset(rows)] == [10, 3, 1, None]
    assert view.sort_queryset([]) == []
