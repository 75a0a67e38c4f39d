"""A large result list is checked and imported by a background job; the import page shows its report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.core.test_jobs import run_worker
from tests.credits.factories import YEAR
from tests.credits.test_views import setup  # noqa: F401 (fixture)
from yanxiu.core.models import Job
from yanxiu.credits.models import CreditEntry

pytestmark = pytest.mark.django_db

HEADER = "身份证号,姓名,培训名称,级别,类别,内容类别,学时,开始日期,结束日期,结果\n"


def upload(person, name: str) -> SimpleUploadedFile:
    line = f"{person.id_number},{name},县级班主任培训,县培,集中培训,,8,2025-10-01,2025-10-01,合格\n"
    return SimpleUploadedFile("结果.csv", (HEADER + line).encode("gbk"))


@pytest.fixture
def large(settings, tmp_path):
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    settings.YANXIU_IMPORT_INLINE_KB = 0


def test_a_large_result_list_is_imported_by_a_job(client, setup, roles, large, monkeypatch, django_capture_on_commit_callbacks,  # noqa: F811
                                                  settings):
    client.force_login(roles.bureau)
    before = CreditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("credits:import"), {"school_year": YEAR, "file": upload(setup, setup.name)})
    job = Job.objects.get(kind="credits.results_import")
    assert started["Location"] == reverse("core:job_detail", args=[job.pk])
    job_dir = settings.YANXIU_JOB_DIR
    assert [oct(p.stat().st_mode & 0o777) for p in job_dir.iterdir()] == ["0o600"]  # the input waits, owner-only
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "已导入 1 条" in job.message, job.message
    assert CreditEntry.objects.count() == before + 1
    assert not list(job_dir.iterdir())  # the copy of the file (ID numbers) is gone
    page = client.get(job.return_url).content.decode()
    assert 'id="import-result"' in page and "已登记" in page


def test_a_large_result_list_with_errors_comes_back_with_them(client, setup, roles, large, monkeypatch,  # noqa: F811
                                                              django_capture_on_commit_callbacks):
    client.force_login(roles.bureau)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("credits:import"), {"school_year": YEAR, "dry_run": "on", "file": upload(setup, "别人")})
    run_worker(monkeypatch)
    job = Job.objects.get(kind="credits.results_import")
    page = client.get(job.return_url).content.decode()
    assert "不一致" in page and "未登记任何记录" in page
    client.force_login(roles.centre)  # another user: the job's report is not theirs
    assert "不一致" not in client.get(job.return_url).content.decode()
