"""In the browser: the bureau filters its sheet by 片区, opens a school, reviews it with an adjustment,
and the sheet ranks the school by its final score; the school's admin then reads its own line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.reports.test_evaluation import YEAR, data  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_bureau_reviews_a_school_and_the_sheet_reranks(new_page, data, roles, school, school_b, tmp_path):  # noqa: F811
    from yanxiu.org.models import Cluster, School
    from yanxiu.reports.models import SchoolScore

    cluster = Cluster.objects.create(county=school.county, name="榔梨片区", base_school=school_b)
    School.objects.filter(pk=school_b.pk).update(cluster=cluster)
    page = new_page()
    login(page, "bureau", next_url=f"/reports/evaluation/?year={YEAR}")
    rows = page.locator("#list-table tbody tr")
    assert rows.count() == 2 and school.name in rows.nth(0).inner_text() and "46.48" in rows.nth(0).inner_text()
    page.screenshot(path=str(tmp_path / "sheet.png"), full_page=True)
    page.select_option("select[name=cluster]", label="榔梨片区")
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    assert school_b.name in page.locator("#list-table tbody").inner_text()
    page.click("#list-table a:text-is('评估')")
    page.fill("input[name=adjustment]", "50")
    page.fill("textarea[name=comment]", "培训档案完整")
    page.click("button[type=submit]")
    assert "调整分" in page.locator(".invalid-feedback").inner_text()  # out of bounds: refused on the form
    page.fill("input[name=adjustment]", "20")
    page.click("button[type=submit]")
    page.wait_for_url("**/reports/evaluation/schools/**")
    assert "培训档案完整" in page.content()
    assert SchoolScore.objects.get(school=school_b).final_score == 20
    page.click("text=返回评估表")
    rows = page.locator("#list-table tbody tr")
    assert school.name in rows.nth(0).inner_text() and school_b.name in rows.nth(1).inner_text()  # 46.48 before 20.00
    assert "已评估" in rows.nth(1).inner_text()

    admin = new_page()
    login(admin, "schooladmin", next_url=f"/reports/evaluation/?year={YEAR}")
    text = admin.locator("main").inner_text() if admin.locator("main").count() else admin.content()
    assert "46.48" in text and school_b.name not in text
    admin.screenshot(path=str(tmp_path / "school.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
