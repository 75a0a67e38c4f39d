"""The summary pages: the school's admin edits, refreshes, files and downloads; region staff read, list and reopen;
another school's admin gets a 404 and a teacher nothing; hostile parameters get a 400."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.reports.models import YearSummary


@pytest.fixture
def setup(roles, school):
    adopt("000", school.county)
    credit(roles.teacher.person, 30)
    return roles


def page(school) -> str:
    return reverse("reports:summary_school", args=[school.pk]) + f"?year={YEAR}"


def url(name, school) -> str:
    return reverse(f"reports:{name}", args=[school.pk])


def get(client, user, address, **params):
    client.force_login(user)
    return client.get(address, params)


def test_the_school_admin_gets_the_draft_in_textareas_with_the_figures_and_their_sources(client, setup, school):
    response = get(client, setup.school_admin, page(school))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="activities"' in html and "本学年共开展校本研修活动 0 次，参训 0 人次" in html
    assert "数据与来源" in html and "yanxiu compliance --school 4301210001 --year 2025" in html
    assert "刷新数据" in html and "下载 Word" in html and "下一学年研修计划（草案）Word" in html
    assert "报送教育局" not in html  # nothing saved yet


def test_who_may_open_the_page(client, setup, school):
    for user, status in ((setup.teacher, 403), (setup.member, 403), (setup.leader, 403), (setup.presenter, 403),
                         (setup.other_admin, 404), (setup.far_bureau, 404), (setup.bureau, 200), (setup.centre, 200)):
        assert get(client, user, page(school)).status_code == status, user.username
    html = get(client, setup.bureau, page(school)).content.decode()
    assert 'name="activities"' not in html and "刷新数据" not in html and "一、目标与机构" in html


def test_saving_refreshing_filing_and_reopening_through_the_pages(client, setup, school):
    client.force_login(setup.school_admin)
    data = {"year": YEAR, "title": "", "goals": "我校的目标。", "mechanisms": "", "activities": "", "results": "", "problems": "",
            "next_steps": ""}
    response = client.post(url("summary_school", school), data)
    assert response.status_code == 302
    summary = YearSummary.objects.get(school=school, school_year=YEAR)
    assert summary.sections["goals"] == "我校的目标。" and summary.figures
    assert client.post(url("summary_refresh", school), {"year": YEAR}).status_code == 302
    assert YearSummary.objects.get().sections["goals"] == "我校的目标。"
    assert client.post(url("summary_refresh", school), {"year": YEAR, "redraft": "1"}).status_code == 302
    assert "我校将校本培训工作列为" in YearSummary.objects.get().sections["goals"]
    assert client.post(url("summary_file", school), {"year": YEAR}).status_code == 302
    assert YearSummary.objects.get().is_filed
    html = client.get(page(school)).content.decode()
    assert "已报送" in html and 'name="activities"' not in html and "退回学校修改" not in html
    # Saving a filed summary is refused with the reason on the page.
    response = client.post(url("summary_school", school), {**data, "goals": "改"})
    assert response.status_code == 400 and "报送，不能再修改" in response.content.decode()
    client.force_login(setup.bureau)
    assert "退回学校修改" in client.get(page(school)).content.decode()
    assert client.post(url("summary_school", school), data).status_code == 403
    assert client.post(url("summary_reopen", school), {"year": YEAR, "reason": "请补充数据分析"}).status_code == 302
    assert not YearSummary.objects.get().is_filed
    client.force_login(setup.school_admin)
    assert "请补充数据分析" in client.get(page(school)).content.decode()


def test_buttons_refuse_other_roles(client, setup, school):
    client.force_login(setup.other_admin)
    assert client.post(url("summary_refresh", school), {"year": YEAR}).status_code == 404
    client.force_login(setup.teacher)
    assert client.post(url("summary_file", school), {"year": YEAR}).status_code == 403
    client.force_login(setup.bureau)
    assert client.post(url("summary_refresh", school), {"year": YEAR}).status_code == 403
    assert client.post(url("summary_reopen", school), {"year": YEAR, "reason": "x"}).status_code == 404  # nothing filed
    client.force_login(setup.school_admin)
    assert client.post(url("summary_reopen", school), {"year": YEAR, "reason": "x"}).status_code == 403
    assert not YearSummary.objects.exists()


def test_preview_and_downloads(client, setup, school):
    client.force_login(setup.school_admin)
    preview = client.get(url("summary_preview", school), {"year": YEAR})
    assert preview.status_code == 200 and "附：数据来源" in preview.content.decode()
    docx = client.get(url("summary_download", school), {"year": YEAR, "format": "docx"})
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats") and docx.content[:2] == b"PK"
    assert "filename*=UTF-8''" in docx["Content-Disposition"]
    pdf = client.get(url("summary_download", school), {"year": YEAR, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    plan = client.get(url("summary_plan", school), {"year": YEAR, "format": "docx"})
    assert plan.status_code == 200 and plan.content[:2] == b"PK"
    client.force_login(setup.other_admin)
    assert client.get(url("summary_download", school), {"year": YEAR}).status_code == 404


def test_hostile_parameters_are_a_400_or_a_404_never_a_500(client, setup, school):
    client.force_login(setup.school_admin)
    assert client.get(url("summary_download", school), {"year": YEAR, "format": "xls"}).status_code == 400
    assert client.get(page(school).split("?")[0], {"year": 10**30}).status_code == 400
    assert client.get(url("summary_preview", school), {"year": "abc"}).status_code == 400
    assert client.get(reverse("reports:summary_school", args=[10**20])).status_code == 404
    assert client.post(url("summary_refresh", school), {"year": "-1"}).status_code == 400


def test_the_bureau_lists_its_schools_with_the_state_of_their_summaries(client, setup, school, school_b, far_school):
    from yanxiu.reports.services.summary import summary_file, summary_save

    summary_file(actor=setup.school_admin, summary=summary_save(actor=setup.school_admin, school=school, year=YEAR, title="",
                                                                sections=None))
    summary_save(actor=setup.other_admin, school=school_b, year=YEAR, title="", sections=None)
    response = get(client, setup.bureau, reverse("reports:summary_list"), year=YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    assert school.name in html and school_b.name in html and far_school.name not in html
    assert "已报送" in html and "草稿" in html and "未开始 0 所" in html
    assert page(school).replace("&", "&amp;") in html or page(school) in html
    filtered = get(client, setup.bureau, reverse("reports:summary_list"), year=YEAR, status="filed").content.decode()
    assert school.name in filtered and school_b.name not in filtered
    export = get(client, setup.bureau, reverse("reports:summary_list"), year=YEAR, export="xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    far = get(client, setup.far_bureau, reverse("reports:summary_list"), year=YEAR).content.decode()
    assert school.name not in far and "未开始 1 所" in far
    for user in (setup.school_admin, setup.teacher):
        assert get(client, user, reverse("reports:summary_list")).status_code == 403


def test_the_menu_entry_sends_each_role_to_its_page(client, setup, school):
    response = get(client, setup.school_admin, reverse("reports:summary"))
    assert response.status_code == 302 and response.url.startswith(reverse("reports:summary_school", args=[school.pk]))
    response = get(client, setup.bureau, reverse("reports:summary"))
    assert response.status_code == 302 and response.url == reverse("reports:summary_list")
    assert get(client, setup.teacher, reverse("reports:summary")).status_code == 403
