"""In the browser: the presenter files slides from the session page, an enrolled
teacher on a phone opens them, and the school admin downloads the year as a zip."""

import io
import zipfile

import pytest

from tests.conftest import login

from .conftest import pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_presenter_files_slides_teacher_opens_them_admin_downloads_the_year(new_page, roles, session, school, tmp_path):
    from yanxiu.archive.models import Material

    slides = tmp_path / "第一讲.pdf"
    slides.write_bytes(pdf().read())

    presenter = new_page()
    login(presenter, "member", next_url=f"/training/sessions/{session.pk}/")
    card = presenter.locator("#materials")
    card.locator("input[name=title]").fill("评课讲稿")
    card.locator("input[name=file]").set_input_files(str(slides))
    card.locator("button:has-text('上传')").click()
    presenter.locator("#materials a:has-text('评课讲稿')").wait_for()
    assert "资料已上传" in presenter.content()
    material = Material.objects.get()
    assert material.uploaded_by == roles.member and material.original_name == "第一讲.pdf"

    teacher = new_page(mobile=True)
    login(teacher, "teacher", next_url=f"/training/sessions/{session.pk}/")
    link = teacher.locator("#materials a:has-text('评课讲稿')")
    assert teacher.locator("#materials input[type=file]").count() == 0
    response = teacher.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"

    admin = new_page()
    login(admin, "schooladmin", next_url="/")
    admin.click("text=培训与考勤")
    admin.click("text=资源库")
    admin.locator("h1:has-text('校本研修资源库')").wait_for()
    assert "评课讲稿" in admin.content()
    with admin.expect_download() as info:
        admin.click("#download-zip")
    names = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read())).namelist()
    assert any(n.endswith(" 评课专题/评课讲稿.pdf") for n in names)
    assert any(n.endswith(" 评课专题/签到表.xlsx") for n in names)
