"""The growth import page: upload, preview listing every problem by row, confirm;
a large file goes through background jobs like the roster import."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.core.test_jobs import run_worker
from tests.growth.test_import import DATA, staff  # noqa: F401 (fixture)
from yanxiu.core.models import AuditEvent, Job
from yanxiu.growth.models import GrowthRecord

pytestmark = pytest.mark.django_db

URL = reverse("growth:import")


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def _pending_files() -> list[str]:
    return default_storage.listdir("growth_uploads")[1] if default_storage.exists("growth_uploads") else []


def test_preview_then_confirm_writes_the_records(client, roles, school, staff):  # noqa: F811
    client.force_login(roles.school_admin)
    page = client.get(URL)
    assert page.status_code == 200 and "导入成长记录" in page.content.decode()
    back = f'{reverse("growth:setup")}?school={school.pk}'
    assert f'href="{back}"' in page.content.decode() and client.get(back).status_code == 200  # the way back
    preview = client.post(URL, {"action": "preview", "file": _upload("register.xlsx")}).content.decode()
    assert 'id="growth-import-ok"' in preview and "可导入 13 条记录" in preview and 'id="growth-import-confirm"' in preview
    assert not GrowthRecord.objects.exists() and len(_pending_files()) == 1
    done = client.post(URL, {"action": "confirm", "school": school.pk}, follow=True)
    assert "导入成功：共 13 行，导入 13 条成长记录" in done.content.decode()
    assert GrowthRecord.objects.filter(school=school, source="imported", created_by=roles.school_admin).count() == 13
    assert AuditEvent.objects.get(action="growth.record_import").actor_id == roles.school_admin.pk
    assert not _pending_files()  # the file with its ID numbers is gone
    again = client.post(URL, {"action": "confirm", "school": school.pk}, follow=True).content.decode()
    assert "上传的文件已失效" in again and GrowthRecord.objects.count() == 13


def test_a_bad_file_lists_every_problem_and_offers_no_confirm(client, roles, school, staff):  # noqa: F811
    client.force_login(roles.school_admin)
    page = client.post(URL, {"action": "preview", "file": _upload("bad.xlsx")}).content.decode()
    assert 'id="growth-import-errors"' in page and 'id="growth-import-confirm"' not in page
    assert page.count('class="growth-import-error"') == 14 and "第 9 行" in page and "本校没有名为“赵六”的教师" in page
    assert not _pending_files() and not GrowthRecord.objects.exists()
    wrong = client.post(URL, {"action": "preview", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")}).content.decode()
    assert "不支持的文件类型" in wrong


def test_only_school_admins_open_the_page(client, roles, school):
    for user in (roles.teacher, roles.leader, roles.bureau):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.force_login(roles.other_admin)  # their own school, never another one's
    page = client.get(URL, {"school": school.pk})
    assert page.status_code == 200 and school.name not in page.content.decode()
    for hostile in ("abc", "-1", str(2**70), "1e5", "%00"):
        assert client.get(URL, {"school": hostile, "job": hostile}).status_code == 200


def test_a_large_register_is_checked_then_imported_by_jobs(client, roles, school, staff, settings, tmp_path,  # noqa: F811
                                                          monkeypatch, django_capture_on_commit_callbacks):
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    settings.YANXIU_IMPORT_INLINE_KB = 0  # every file counts as large
    client.force_login(roles.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(URL, {"action": "preview", "file": _upload("register.ods")})
    preview = Job.objects.get(kind="growth.import_preview")
    assert started["Location"] == reverse("core:job_detail", args=[preview.pk])
    run_worker(monkeypatch)
    preview.refresh_from_db()
    assert preview.status == Job.Status.DONE and "检查通过" in preview.message, preview.message
    page = client.get(preview.return_url).content.decode()
    assert 'id="growth-import-ok"' in page and 'id="growth-import-confirm"' in page and not GrowthRecord.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(URL, {"action": "confirm", "school": school.pk})
    imported = Job.objects.get(kind="growth.import")
    assert confirmed["Location"] == reverse("core:job_detail", args=[imported.pk])
    run_worker(monkeypatch)
    imported.refresh_from_db()
    assert imported.status == Job.Status.DONE and "导入成功" in imported.message, imported.message
    assert 'id="growth-import-done"' in client.get(imported.return_url).content.decode()
    assert GrowthRecord.objects.count() == 13 and not _pending_files()
    client.force_login(roles.other_admin)  # another school's admin sees neither the job nor its report
    assert client.get(reverse("core:job_detail", args=[imported.pk])).status_code == 404
