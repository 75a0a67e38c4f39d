"""A file over the upload limit is refused before it is stored, and the page says so, on a phone too."""

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "phone"])
def test_an_oversize_roster_is_refused_with_a_message_on_the_page(new_page, roles, school, tmp_path, settings, mobile):
    settings.YANXIU_IMPORT_MAX_MB = 1
    path = tmp_path / "花名册.csv"
    path.write_bytes(("姓名,性别,身份证号\n" + "张三,男,430121198506158037\n" * 120_000).encode())  # 3.4 MB
    page = new_page(mobile=mobile)
    url = f"/org/schools/{school.pk}/roster/"
    login(page, "schooladmin", next_url=url)
    page.set_input_files("input[name=file]", str(path))
    page.click("text=上传并预览")
    alert = page.locator(".alert", has_text="上限")
    alert.wait_for()
    assert "超过 1 MB 的上限" in alert.inner_text()
    assert page.url.endswith(url)
    if mobile:
        box = alert.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    from django.core.files.storage import default_storage

    assert not default_storage.exists("roster_uploads") or not default_storage.listdir("roster_uploads")[1]
