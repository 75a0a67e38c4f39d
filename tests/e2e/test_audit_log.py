"""In the browser: a school admin opens 操作记录 from the menu and filters it in place."""

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_school_admin_reads_and_filters_their_schools_history(new_page, roles, school, school_b):
    from yanxiu.org.services import school_update

    school_update(actor=roles.school_admin, school=school, address="星沙大道 1 号")
    school_update(actor=roles.other_admin, school=school_b, address="榔梨街道 2 号")
    from yanxiu.core import audit
    from yanxiu.core.events import Event

    audit.record(actor=roles.school_admin, event=Event.ROSTER_IMPORT, target=school, school=school)
    page = new_page()
    page.set_default_timeout(60000)
    login(page, "schooladmin", next_url="/")
    page.goto("/org/audit-log/")
    page.wait_for_selector("#list-table >> text=修改学校信息")
    table = page.locator("#list-table").inner_text()
    assert "导入花名册" in table and "school.update" not in table and "榔梨" not in table
    page.evaluate("window.__kept = 1")
    page.select_option("select[name=action]", "roster.import")
    page.locator("#list-table >> text=修改学校信息").wait_for(state="detached")
    assert "action=roster.import" in page.url and page.evaluate("window.__kept") == 1
