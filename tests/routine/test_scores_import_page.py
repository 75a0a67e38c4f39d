"""The score import page: upload with the exam's details, preview by class (no names) or every problem by row,
confirm; a large file goes through background jobs like the growth import."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.core.test_jobs import run_worker
from tests.routine.test_scores_import import DATA
from yanxiu.core.models import AuditEvent, Job
from yanxiu.routine.models import Exam, ExamScore

pytestmark = pytest.mark.django_db

URL = reverse("routine:scores_import")
EXAM = {"name": "2024年秋季期末质量监测", "date": "2025-01-10", "full_marks": "100", "kind": ""}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Waiting uploads of one test stay in that test."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def _pending_files() -> list[str]:
    return default_storage.listdir("routine_uploads")[1] if default_storage.exists("routine_uploads") else []


def test_preview_then_confirm_creates_the_exam(client, roles, school):
    client.force_login(roles.school_admin)
    page = client.get(URL)
    assert page.status_code == 200 and "导入考试成绩" in page.content.decode()
    preview = client.post(URL, {"action": "preview", "file": _upload("scores.xlsx"), **EXAM}).content.decode()
    assert 'id="scores-import-ok"' in preview and "共 11 名学生、3 个班，可导入 33 条成绩" in preview
    assert 'id="scores-import-confirm"' in preview and preview.count('class="scores-import-class"') == 3
    assert "未考（整班空白）" in preview and "3年级2班" in preview and "未导入的列" in preview
    assert "张小明" not in preview and "孙七" not in preview  # student names are not shown
    assert not Exam.objects.exists() and len(_pending_files()) == 1
    done = client.post(URL, {"action": "confirm", "school": school.pk}, follow=True).content.decode()
    assert "导入成功：“2024年秋季期末质量监测”共 11 名学生、3 个班，导入 33 条成绩（语文、数学、英语）" in done
    exam = Exam.objects.get(school=school)
    assert exam.created_by == roles.school_admin and exam.kind == "final" and ExamScore.objects.filter(exam=exam).count() == 33
    assert AuditEvent.objects.get(action="routine.scores_import").actor_id == roles.school_admin.pk
    assert not _pending_files()  # the file with the students' names is gone
    again = client.post(URL, {"action": "confirm", "school": school.pk}, follow=True).content.decode()
    assert "上传的文件已失效" in again and Exam.objects.count() == 1


def test_a_bad_file_or_exam_lists_every_problem_and_offers_no_confirm(client, roles, school):
    client.force_login(roles.school_admin)
    page = client.post(URL, {"action": "preview", "file": _upload("bad_scores.xlsx"), **EXAM}).content.decode()
    assert 'id="scores-import-errors"' in page and 'id="scores-import-confirm"' not in page
    assert page.count('class="scores-import-error"') == 11 and "第 4 行" in page and "超过满分 100" in page
    assert not _pending_files() and not Exam.objects.exists()
    unnamed = client.post(URL, {"action": "preview", "file": _upload("scores_gbk.csv"), **EXAM, "name": "成绩"}).content.decode()
    assert "无法从考试名称判断考试类型" in unnamed and not _pending_files()
    chosen = client.post(URL, {"action": "preview", "file": _upload("scores_gbk.csv"), **EXAM, "name": "成绩", "kind": "monthly"})
    assert 'id="scores-import-ok"' in chosen.content.decode() and len(_pending_files()) == 1
    wrong = client.post(URL, {"action": "preview", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4"), **EXAM}).content.decode()
    assert "不支持的文件类型" in wrong
    for field, value in (("date", "99999-01-01"), ("full_marks", "0"), ("full_marks", "1e9"), ("name", "期末" * 40)):
        page = client.post(URL, {"action": "preview", "file": _upload("scores_gbk.csv"), **EXAM, field: value}).content.decode()
        assert 'id="scores-import-ok"' not in page and "invalid-feedback" in page, field
    client.post(URL, {"action": "preview", "file": _upload("bad_scores.xlsx"), **EXAM})  # a bad file drops the waiting one
    assert not _pending_files()


def test_only_school_admins_open_the_page(client, roles, school):
    for user in (roles.teacher, roles.leader, roles.bureau, roles.centre):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"action": "confirm", "school": school.pk}).status_code == 403
    client.force_login(roles.other_admin)  # their own school, never another one's
    page = client.get(URL, {"school": school.pk})
    assert page.status_code == 200 and school.name not in page.content.decode()
    for hostile in ("abc", "-1", str(2**70), "1e5", "%00"):
        assert client.get(URL, {"school": hostile, "job": hostile}).status_code == 200


def test_a_large_file_is_checked_then_imported_by_jobs(client, roles, school, settings, tmp_path, monkeypatch,
                                                       django_capture_on_commit_callbacks):
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    settings.YANXIU_IMPORT_INLINE_KB = 0  # every file counts as large
    client.force_login(roles.school_admin)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(URL, {"action": "preview", "file": _upload("scores.xls"), **EXAM})
    preview = Job.objects.get(kind="routine.scores_preview")
    assert started["Location"] == reverse("core:job_detail", args=[preview.pk])
    run_worker(monkeypatch)
    preview.refresh_from_db()
    assert preview.status == Job.Status.DONE and "检查通过" in preview.message, preview.message
    page = client.get(preview.return_url).content.decode()
    assert 'id="scores-import-ok"' in page and 'id="scores-import-confirm"' in page and not Exam.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(URL, {"action": "confirm", "school": school.pk})
    imported = Job.objects.get(kind="routine.scores_import")
    assert confirmed["Location"] == reverse("core:job_detail", args=[imported.pk])
    run_worker(monkeypatch)
    imported.refresh_from_db()
    assert imported.status == Job.Status.DONE and "导入成功" in imported.message, imported.message
    assert 'id="scores-import-done"' in client.get(imported.return_url).content.decode()
    assert Exam.objects.get().scores.count() == 33 and not _pending_files()
    client.force_login(roles.other_admin)  # another school's admin sees neither the job nor its report
    assert client.get(reverse("core:job_detail", args=[imported.pk])).status_code == 404
