"""The materials card on the session page, downloads, and the school's yearly library with its zip."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yanxiu.archive.models import Material

from .conftest import mp4, pdf, photo, xlsx

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def detail(session):
    return reverse("training:session_detail", args=[session.pk])


def library(school, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("archive:school", args=[school.pk]) + (f"?{query}" if query else "")


# --- The card on the session page ------------------------------------------------------


def test_a_manager_sees_the_card_with_the_upload_form_and_delete_buttons(client, roles, session, add):
    material = add(session, pdf(), title="评课讲稿")
    body = client_for(client, roles.school_admin).get(detail(session)).content.decode()
    assert "活动资料" in body and "评课讲稿" in body
    assert reverse("archive:material_file", args=[material.pk]) in body
    assert reverse("archive:material_add", args=[session.pk]) in body
    assert reverse("archive:material_delete", args=[material.pk]) in body


def test_an_enrolled_teacher_sees_and_downloads_but_may_not_upload_or_delete(client, roles, session, add):
    material = add(session, pdf(), title="评课讲稿")
    client_for(client, roles.teacher)
    body = client.get(detail(session)).content.decode()
    assert "评课讲稿" in body and reverse("archive:material_file", args=[material.pk]) in body
    assert reverse("archive:material_add", args=[session.pk]) not in body
    assert reverse("archive:material_delete", args=[material.pk]) not in body
    response = client.get(reverse("archive:material_file", args=[material.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(reverse("archive:material_add", args=[session.pk])).status_code == 403
    assert client.post(reverse("archive:material_delete", args=[material.pk])).status_code == 403
    assert Material.objects.filter(pk=material.pk).exists()


def test_a_teacher_who_can_see_the_session_but_is_not_enrolled_sees_no_card(client, roles, sessions, add, people, school):
    session = sessions.make()  # published at the teacher's school: visible, not enrolled
    add(session, pdf(), title="评课讲稿")
    response = client_for(client, roles.teacher).get(detail(session))
    assert response.status_code == 200 and "评课讲稿" not in response.content.decode()


# The school's teacher sees the session (403); the others may not see it at all (404).
@pytest.mark.parametrize("role, status", [("other_admin", 404), ("far_bureau", 404), ("other_teacher", 404), ("presenter", 404),
                                          ("teacher", 403)])
def test_outsiders_get_no_file(client, roles, sessions, add, role, status):
    session = sessions.make(enroll=[roles.member])
    material = add(session, photo())
    response = client_for(client, getattr(roles, role)).get(reverse("archive:material_file", args=[material.pk]))
    assert response.status_code == status


def test_a_missing_material_is_404(client, roles):
    assert client_for(client, roles.school_admin).get(reverse("archive:material_file", args=[999])).status_code == 404


def test_the_presenter_uploads_from_the_card_and_lands_back_on_the_session(client, roles, session):
    client_for(client, roles.member)
    response = client.post(reverse("archive:material_add", args=[session.pk]),
                           {"title": "课堂照片", "kind": "photo", "file": photo("IMG_2031.jpg")})
    assert response.status_code == 302 and response["Location"] == detail(session) + "#materials"
    material = Material.objects.get()
    assert material.title == "课堂照片" and material.uploaded_by == roles.member
    body = client.get(response["Location"]).content.decode()
    assert "资料已上传" in body and "课堂照片" in body
    served = client.get(reverse("archive:material_file", args=[material.pk]))
    assert served["Content-Type"] == "image/jpeg" and served["Content-Security-Policy"] == "sandbox"
    assert served["Content-Disposition"].startswith("inline")


def test_a_bad_upload_shows_the_form_with_the_problem_and_stores_nothing(client, roles, session):
    client_for(client, roles.leader)
    page = SimpleUploadedFile("课件.pptx", b"<html><script>alert(1)</script></html>")
    response = client.post(reverse("archive:material_add", args=[session.pk]), {"title": "", "kind": "slides", "file": page})
    assert response.status_code == 400
    assert "资料文件“课件.pptx”的内容不是有效的PPTX文件，请重新选择。" in response.content.decode()
    response = client.post(reverse("archive:material_add", args=[session.pk]), {"title": "", "kind": "slides"})
    assert response.status_code == 400 and "请选择要上传的文件。" in response.content.decode()
    assert not Material.objects.exists()


def test_the_upload_page_also_works_on_its_own(client, roles, session):
    response = client_for(client, roles.school_admin).get(reverse("archive:material_add", args=[session.pk]))
    assert response.status_code == 200 and 'enctype="multipart/form-data"' in response.content.decode()


def test_an_office_file_is_a_download(client, roles, session, add):
    material = add(session, xlsx(), kind="record", title="活动记录")
    response = client_for(client, roles.teacher).get(reverse("archive:material_file", args=[material.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment") and ".xlsx" in response["Content-Disposition"]


def test_delete_from_the_card(client, roles, session, add, django_capture_on_commit_callbacks):
    material = add(session, pdf(), title="旧讲稿")
    client_for(client, roles.school_admin)
    assert client.get(reverse("archive:material_delete", args=[material.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archive:material_delete", args=[material.pk]))
    assert response.status_code == 302 and response["Location"] == detail(session) + "#materials"
    assert not Material.objects.exists()
    assert "已删除资料“旧讲稿”" in client.get(response["Location"]).content.decode()


# --- The school's library ---------------------------------------------------------------


@pytest.fixture
def year_of_sessions(sessions, roles, add, school):
    """Two sessions this school year (one in another project), one last year, one at another school."""
    this = sessions.make(title="评课专题", enroll=[roles.teacher])
    this.starts_at = timezone.now() - dt.timedelta(days=1)
    this.ends_at = this.starts_at + dt.timedelta(hours=2)
    this.save()
    second = sessions.make(title="读书分享", starts_at=timezone.now() + dt.timedelta(days=20),
                           ends_at=timezone.now() + dt.timedelta(days=20, hours=1))
    second.project.title = "教师读书会"
    second.project.save()
    last_year = sessions.make(title="去年的活动")
    last_year.project.school_year = "2025-2026"
    last_year.project.save()
    elsewhere = sessions.make(school=roles.other_admin.person.current_employment.school, title="外校活动")
    add(this, pdf(), title="讲稿")
    add(this, photo("合影.jpg"), kind="photo", title="合影")
    add(this, photo("合影2.jpg"), kind="photo", title="合影")  # same title: kept apart in the zip
    add(second, mp4(), kind="video", title="分享实录")
    add(last_year, pdf(), title="去年讲稿")
    add(elsewhere, pdf(), title="外校讲稿", actor=roles.other_admin)
    return {"this": this, "second": second, "last_year": last_year, "elsewhere": elsewhere}


def test_the_school_admin_sees_the_year_with_its_materials_and_sign_in_sheets(client, roles, school, year_of_sessions):
    response = client_for(client, roles.school_admin).get(library(school, year=2026))
    assert response.status_code == 200
    body = response.content.decode()
    assert "校本研修资源库" in body and "2026-2027" in body
    for title in ("评课专题", "读书分享", "讲稿", "合影", "分享实录"):
        assert title in body
    assert "去年讲稿" not in body and "外校讲稿" not in body and "外校活动" not in body
    assert reverse("attendance:export", args=[year_of_sessions["this"].pk]) in body
    assert reverse("attendance:export", args=[year_of_sessions["second"].pk]) not in body  # not begun yet
    assert reverse("archive:school_zip", args=[school.pk]) + "?year=2026" in body
    local = timezone.localtime(year_of_sessions["this"].starts_at)
    assert f"{local.year}年{local.month}月" in body
    assert "共 4 份资料" in body


def test_the_default_year_is_the_current_school_year(client, roles, school, year_of_sessions):
    body = client_for(client, roles.school_admin).get(library(school)).content.decode()
    assert "分享实录" in body and "去年讲稿" not in body


def test_last_year_and_grouping_by_project_and_the_kind_filter(client, roles, school, year_of_sessions):
    client_for(client, roles.school_admin)
    body = client.get(library(school, year=2025)).content.decode()
    assert "去年讲稿" in body and "分享实录" not in body
    body = client.get(library(school, year=2026, group="project")).content.decode()
    assert "教师读书会" in body and "校本研修项目" in body
    body = client.get(library(school, year=2026, kind="video")).content.decode()
    assert "分享实录" in body and "合影" not in body and "评课专题" not in body
    assert reverse("archive:school_zip", args=[school.pk]) + "?year=2026&amp;kind=video" in body
    assert client.get(library(school, year="abc", kind="nonsense", group="x")).status_code == 200


def test_region_staff_see_the_library_the_centre_without_sheet_exports(client, roles, school, year_of_sessions):
    export = reverse("attendance:export", args=[year_of_sessions["this"].pk])
    body = client_for(client, roles.bureau).get(library(school, year=2026)).content.decode()
    assert "讲稿" in body and export in body
    client.logout()
    response = client_for(client, roles.centre).get(library(school, year=2026))
    assert response.status_code == 200 and "讲稿" in response.content.decode() and export not in response.content.decode()


# The school's own people see the school (403); the others may not see it at all (404).
@pytest.mark.parametrize("role, status", [("teacher", 403), ("leader", 403), ("member", 403), ("other_admin", 404), ("far_bureau", 404),
                                          ("presenter", 404)])
def test_others_may_not_see_the_library_or_its_zip(client, roles, school, year_of_sessions, role, status):
    client_for(client, getattr(roles, role))
    assert client.get(library(school, year=2026)).status_code == status
    assert client.get(reverse("archive:school_zip", args=[school.pk])).status_code == status


def test_an_unknown_school_is_404(client, roles):
    assert client_for(client, roles.school_admin).get(reverse("archive:school", args=[99999])).status_code == 404


def read_zip(response) -> zipfile.ZipFile:
    assert response["Content-Type"] == "application/zip" and response["Content-Disposition"].startswith("attachment")
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_every_file_of_the_year_in_a_folder_per_session(client, roles, school, year_of_sessions):
    this, second = year_of_sessions["this"], year_of_sessions["second"]
    response = client_for(client, roles.school_admin).get(reverse("archive:school_zip", args=[school.pk]) + "?year=2026")
    archive = read_zip(response)
    day = f"{timezone.localtime(this.starts_at):%Y-%m-%d}"
    later = f"{timezone.localtime(second.starts_at):%Y-%m-%d}"
    names = set(archive.namelist())
    assert {f"{day} 评课专题/讲稿.pdf", f"{day} 评课专题/合影.jpg", f"{day} 评课专题/合影 (2).jpg",
            f"{later} 读书分享/分享实录.mp4"} <= names
    assert archive.read(f"{day} 评课专题/讲稿.pdf") == Material.objects.get(title="讲稿").file.open("rb").read()
    assert archive.read(f"{later} 读书分享/分享实录.mp4") == mp4().read()
    # The session that has begun comes with its sign-in sheet; the one to come does not.
    sheet = load_workbook(io.BytesIO(archive.read(f"{day} 评课专题/签到表.xlsx")))
    assert "张老师" in [c.value for c in sheet.active["B"]]
    assert f"{later} 读书分享/签到表.xlsx" not in names
    assert not any("去年" in n or "外校" in n for n in names)
    assert "2026-2027" in response["Content-Disposition"]


def test_the_zip_follows_the_kind_filter_and_the_user(client, roles, school, year_of_sessions):
    client_for(client, roles.school_admin)
    names = read_zip(client.get(reverse("archive:school_zip", args=[school.pk]) + "?year=2026&kind=photo")).namelist()
    assert len(names) == 2 and all(n.endswith(".jpg") for n in names)
    client.logout()
    names = read_zip(client_for(client, roles.centre).get(reverse("archive:school_zip", args=[school.pk]) + "?year=2026")).namelist()
    assert not any(n.endswith("签到表.xlsx") for n in names) and len(names) == 4


def test_a_file_gone_from_the_server_is_listed_not_fatal(client, roles, school, year_of_sessions):
    material = Material.objects.get(title="讲稿")
    material.file.storage.delete(material.file.name)
    archive = read_zip(client_for(client, roles.school_admin).get(reverse("archive:school_zip", args=[school.pk]) + "?year=2026"))
    note = archive.read("缺失文件清单.txt").decode()
    assert "讲稿.pdf" in note and not any(n.endswith("/讲稿.pdf") for n in archive.namelist())


def test_school_admins_find_the_library_in_the_menu(client, roles, school):
    body = client_for(client, roles.school_admin).get("/").content.decode()
    assert "资源库" in body and reverse("archive:school", args=[school.pk]) in body
    client.logout()
    assert reverse("archive:school", args=[school.pk]) not in client_for(client, roles.teacher).get("/").content.decode()


def test_two_sessions_of_the_same_day_and_title_get_a_folder_each(client, roles, school, sessions, add):
    first, second = sessions.make(title="周三教研"), sessions.make(title="周三教研")
    second.starts_at = first.starts_at
    second.save()
    add(first, pdf(), title="讲稿")
    add(second, pdf(), title="讲稿")
    archive = read_zip(client_for(client, roles.centre).get(reverse("archive:school_zip", args=[school.pk]) + "?year=2026"))
    day = f"{timezone.localtime(first.starts_at):%Y-%m-%d}"
    assert sorted(archive.namelist()) == [f"{day} 周三教研 (2)/讲稿.pdf", f"{day} 周三教研/讲稿.pdf"]


def test_a_video_answers_byte_ranges_so_phone_players_can_start_and_seek(client, roles, session, add):
    material = add(session, mp4(), kind="video", title="课堂实录")
    data = mp4().read()
    url = reverse("archive:material_file", args=[material.pk])
    client_for(client, roles.teacher)
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes" and b"".join(whole.streaming_content) == data
    first = client.get(url, headers={"Range": "bytes=0-7"})
    assert first.status_code == 206 and first["Content-Range"] == f"bytes 0-7/{len(data)}" and first["Content-Length"] == "8"
    assert b"".join(first.streaming_content) == data[:8] and first["Content-Type"] == "video/mp4"
    rest = client.get(url, headers={"Range": "bytes=8-"})
    assert b"".join(rest.streaming_content) == data[8:]
    tail = client.get(url, headers={"Range": "bytes=-4"})
    assert b"".join(tail.streaming_content) == data[-4:] and tail["Content-Range"] == f"bytes {len(data) - 4}-{len(data) - 1}/{len(data)}"
    beyond = client.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"
    client_for(client, roles.other_teacher)  # another school's session: not found
    assert client.get(url, headers={"Range": "bytes=0-7"}).status_code == 404


def test_region_staff_reach_a_schools_library_from_the_school_page(client, roles, school):
    client_for(client, roles.centre)
    page = client.get(reverse("org:school_detail", args=[school.pk])).content.decode()
    assert reverse("archive:school", args=[school.pk]) in page
    assert client.get(reverse("archive:school", args=[school.pk])).status_code == 200
