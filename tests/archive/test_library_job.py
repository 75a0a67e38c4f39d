"""A large yearly library is zipped by a background job: progress, then the owner's download."""

import io
import zipfile

import pytest
from django.urls import reverse

from tests.archive.test_views import year_of_sessions  # noqa: F401 (fixture)
from tests.core.test_jobs import run_worker
from yanxiu.core.models import Job

pytestmark = pytest.mark.django_db


def test_a_library_over_the_limit_is_zipped_by_a_job(client, roles, school, year_of_sessions, settings, tmp_path,  # noqa: F811
                                                      monkeypatch, django_capture_on_commit_callbacks):
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    settings.YANXIU_ZIP_INLINE_FILES = 2
    client.force_login(roles.school_admin)
    url = reverse("archive:school_zip", args=[school.pk]) + "?year=2026"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    job = Job.objects.get(owner=roles.school_admin, kind="archive.library_zip")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (4, 4), job.message
    assert "4 份资料" in job.message and "2026-2027" in job.result_name
    download = client.get(reverse("core:job_download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len([n for n in names if not n.endswith("签到表.xlsx")]) == 4 and any(n.endswith("签到表.xlsx") for n in names)
    assert not any("外校" in n or "去年" in n for n in names)
    client.force_login(roles.teacher)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_small_library_is_still_sent_at_once(client, roles, school, year_of_sessions):  # noqa: F811
    response = client.force_login(roles.school_admin) or client.get(reverse("archive:school_zip", args=[school.pk]) + "?year=2026")
    assert response["Content-Type"] == "application/zip" and not Job.objects.exists()
