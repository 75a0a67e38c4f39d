"""A school admin imports a roster with a bad row, reads the error, fixes the file and imports it."""

import pytest
from stdnum.cn import ric

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "姓名,性别,身份证号,手机,学段,学科,职称,学历,编制,参加工作年月,教研组"


def id_number(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def roster_csv(tmp_path, *, broken: bool) -> str:
    good = id_number("43012119880412002")
    second = id_number("43012119920918001")
    bad = second[:-1] + ("0" if second[-1] != "0" else "1") if broken else second
    rows = [
        "长沙县星沙第一小学教师花名册,,,,,,,,,,",  # merged title row, as bureaus send them
        HEADER,
        f"刘丽,女,{good},13700000001,小学,语文,一级教师,本科,在编,2010.09,语文组",
        f"陈刚,男,{bad},13700000002,小学,数学,二级教师,大专,临聘,2015-09,数学组",
    ]
    path = tmp_path / ("roster-bad.csv" if broken else "roster.csv")
    path.write_bytes("\r\n".join(rows).encode("gbk"))  # GBK, as saved by Excel on Chinese Windows
    return str(path)


def test_a_school_admin_fixes_a_bad_row_and_imports(new_page, roles, school, tmp_path):
    from yanxiu.org.models import Group

    # The roster names the school's existing groups (语文组 comes with the roles).
    Group.objects.get_or_create(school=school, name="数学组", defaults={"kind": "research"})
    page = new_page()
    login(page, "schooladmin", next_url=f"/org/schools/{school.pk}/roster/")
    page.set_input_files("input[name=file]", roster_csv(tmp_path, broken=True))
    page.click("text=上传并预览")
    errors = page.locator("#roster-errors")
    errors.wait_for()
    row = page.locator("tr.roster-error").first
    assert "第 4 行" in row.inner_text() and "身份证号" in row.inner_text() and "校验位" in row.inner_text()
    assert page.locator("#roster-confirm").count() == 0

    page.set_input_files("input[name=file]", roster_csv(tmp_path, broken=False))
    page.click("text=上传并预览")
    page.locator("#roster-ok").wait_for()
    page.click("#roster-confirm")
    page.wait_for_url("**/org/staff/**")
    body = page.content()
    assert "导入成功" in body and "刘丽" in body and "陈刚" in body


def test_a_school_admin_downloads_the_template_and_creates_a_missing_group(new_page, roles, school, tmp_path):
    from yanxiu.org.models import Group

    page = new_page()
    login(page, "schooladmin", next_url=f"/org/schools/{school.pk}/roster/")
    with page.expect_download() as info:
        page.click("#roster-template")
    assert info.value.suggested_filename.endswith(".xlsx")
    page.set_input_files("input[name=file]", roster_csv(tmp_path, broken=False))
    page.click("text=上传并预览")
    page.locator("#roster-errors").wait_for()
    assert "数学组" in page.locator("#roster-errors + div").inner_text()
    page.check("#create-groups-upload")
    page.set_input_files("input[name=file]", roster_csv(tmp_path, broken=False))
    page.click("text=上传并预览")
    page.locator("#roster-ok").wait_for()
    assert page.is_checked("#create-groups-confirm")
    page.click("#roster-confirm")
    page.wait_for_url("**/org/staff/**")
    assert Group.objects.filter(school=school, name="数学组").exists()
