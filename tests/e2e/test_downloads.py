"""In the browser, at desktop and phone size: the staff list downloads under its Chinese name and a
name written as a formula arrives as text."""

import io
import re
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("mobile", [False, True])
def test_the_staff_list_downloads_named_in_chinese_with_names_as_text(new_page, roles, mobile, tmp_path):
    person = roles.teacher.person
    type(person).objects.filter(pk=person.pk).update(name=FORMULA)
    page = new_page(mobile=mobile)
    login(page, "schooladmin", next_url="/org/staff/")
    with page.expect_download() as info:
        page.click("text=导出 Excel（脱敏）")
    download = info.value
    assert re.fullmatch(r"教师名册-\d{8}-\d{4}\.xlsx", download.suggested_filename), download.suggested_filename
    path = tmp_path / "staff.xlsx"
    download.save_as(path)
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert not re.search(r"<f[\s>/]", sheets)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert FORMULA in [row[1] for row in rows]
