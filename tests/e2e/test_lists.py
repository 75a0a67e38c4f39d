"""In the browser: a scoped list pages and filters in place (htmx swaps the table, the address follows),
and the same links work as plain links."""

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def many_teachers(people, school):
    return [people.teacher(school, name=f"测试{i:03d}", subject="数学" if i % 2 else "语文") for i in range(60)]


def test_the_staff_list_pages_and_filters_in_place(new_page, roles, many_teachers):
    page = new_page()
    page.set_default_timeout(60000)  # a loaded machine: the first page's vendored scripts take a while
    login(page, "schooladmin", next_url="/org/staff/")
    page.wait_for_selector("text=第 1/2 页")
    page.evaluate("window.__kept = 1")  # survives only if the page is not reloaded
    page.click("#staff-table a[rel=next]")
    page.wait_for_selector("text=第 2/2 页")
    assert "page=2" in page.url
    assert page.evaluate("window.__kept") == 1
    page.select_option("select[name=subject]", "数学")
    page.locator("#staff-table", has_text="共 30 条").wait_for()
    table = page.inner_text("#staff-table")
    assert "测试000" not in table and "第 1/1 页" not in table and "共 30 条" in table
    assert page.evaluate("window.__kept") == 1


def test_the_pager_works_without_javascript(browser, live_server, roles, many_teachers):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        login(page, "schooladmin", next_url="/org/staff/")
        page.wait_for_selector("text=第 1/2 页")
        page.click("#staff-table a[rel=next]")
        page.wait_for_selector("text=第 2/2 页")
        assert "page=2" in page.url
    finally:
        context.close()
