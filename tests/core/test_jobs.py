"""Background jobs: started by a page, run by the database worker, shown with progress, downloaded by their owner."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import stat
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from yanxiu.core import jobs
from yanxiu.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _job_dir(settings, tmp_path):
    settings.YANXIU_JOB_DIR = tmp_path / "jobs"
    return settings.YANXIU_JOB_DIR


def run_worker(monkeypatch) -> None:
    """Run every queued task with the django-tasks database worker, in this test's transaction.

    The worker closes "old" connections between tasks; inside a test's transaction
    that would close the test's own connection, so that step is left out here.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                     max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()


# --- Tasks used by these tests --------------------------------------------------------------


@jobs.job_task
def count_to(job, *, n: int, fail_at: int = 0, user_error: bool = False) -> int:
    path = jobs.output_path(job, "csv")
    with path.open("w", encoding="utf-8") as out:
        for i in range(1, n + 1):
            if i == fail_at:
                if user_error:
                    raise jobs.JobError("第 %d 行有问题" % i)
                raise RuntimeError("secret traceback detail 430121198506150011")
            out.write(f"{i}\n")
            jobs.progress(job.pk, i, n)
    jobs.finish(job.pk, path, "数到-%d.csv" % n)
    return n


def start_count(user, django_capture_on_commit_callbacks, **kwargs) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        return jobs.start(user=user, kind="test.count", label="数数", task=count_to, **kwargs)


# --- The job and its task -------------------------------------------------------------------


def test_a_job_is_queued_on_commit_and_run_by_the_database_worker(roles, monkeypatch, django_capture_on_commit_callbacks, settings):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.start(user=roles.school_admin, kind="test.count", label="数数", task=count_to, n=3)
        assert not DBTaskResult.objects.exists()  # nothing queued before the transaction commits
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    task_result = DBTaskResult.objects.get()
    assert job.status == Job.Status.QUEUED and job.task_result_id == str(task_result.id)
    assert task_result.task_path == "tests.core.test_jobs.count_to"
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (3, 3) and job.percent == 100
    assert job.started_at and job.finished_at and job.result_name == "数到-3.csv"
    path = jobs.result_file(job)
    assert path.read_text() == "1\n2\n3\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.parent == settings.YANXIU_JOB_DIR
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_failed_job_shows_a_chinese_message_and_logs_the_traceback(roles, monkeypatch, django_capture_on_commit_callbacks, caplog, client):
    job = start_count(roles.school_admin, django_capture_on_commit_callbacks, n=5, fail_at=3)
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at
    assert "任务未能完成" in job.message and "secret" not in job.message
    assert any("job %s failed" % job.pk in r.getMessage() for r in caplog.records)
    assert "430121198506150011" not in job.message
    client.force_login(roles.school_admin)
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "任务失败" in page and "任务未能完成" in page and "Traceback" not in page and "secret" not in page
    assert "hx-trigger=\"every" not in page  # no more polling
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_a_users_error_is_shown_as_written(roles, monkeypatch, django_capture_on_commit_callbacks):
    job = start_count(roles.school_admin, django_capture_on_commit_callbacks, n=5, fail_at=2, user_error=True)
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "第 2 行有问题"


def test_progress_is_bounded_and_throttled(roles, monkeypatch):
    job = Job.objects.create(owner=roles.school_admin, kind="t", label="t")
    jobs.progress(job.pk, 5, 10, "第一批")
    jobs.progress(job.pk, 6, 10)  # within half a second: not written
    job.refresh_from_db()
    assert (job.done, job.total, job.message, job.percent) == (5, 10, "第一批", 50)
    jobs.progress(job.pk, 50, 10)  # the last step is always written, and never past the total
    job.refresh_from_db()
    assert (job.done, job.total) == (10, 10)


def test_finish_refuses_a_file_outside_the_job_folder(roles, tmp_path):
    job = Job.objects.create(owner=roles.school_admin, kind="t", label="t")
    outside = tmp_path / "elsewhere.zip"
    outside.write_bytes(b"x")
    with pytest.raises(ValueError):
        jobs.finish(job.pk, outside, "x.zip")


# --- Pages ---------------------------------------------------------------------------------


def test_the_job_page_polls_while_running_and_offers_the_download_when_done(roles, client, monkeypatch, django_capture_on_commit_callbacks):
    job = start_count(roles.school_admin, django_capture_on_commit_callbacks, n=4)
    client.force_login(roles.school_admin)
    url = reverse("core:job_detail", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'class="progress' in page and "排队中" in page
    assert "style=" not in page  # the bar's width comes from data-progress (no style attributes under the CSP)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=1, total=4)
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="job-status"') and 'data-progress="25"' in fragment and "1 / 4" in fragment
    assert "<html" not in fragment
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, done=0, total=0)
    run_worker(monkeypatch)
    done = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger=\"every" not in done and reverse("core:job_download", args=[job.pk]) in done and "已完成" in done
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"1\n2\n3\n4\n"
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment") and "filename*=UTF-8''%E6%95%B0%E5%88%B0-4.csv" in disposition


def test_only_the_owner_sees_a_job_or_downloads_its_file(roles, client, monkeypatch, django_capture_on_commit_callbacks):
    job = start_count(roles.school_admin, django_capture_on_commit_callbacks, n=2)
    run_worker(monkeypatch)
    for user in (roles.other_admin, roles.bureau, roles.teacher):
        client.force_login(user)
        assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 302  # to the login page
    client.force_login(roles.school_admin)
    assert client.get(reverse("core:job_detail", args=[job.pk + 1000])).status_code == 404


# --- Cleaning -------------------------------------------------------------------------------


def test_old_jobs_are_removed_with_their_files_by_the_daily_task(roles, monkeypatch, django_capture_on_commit_callbacks, settings):
    old = start_count(roles.school_admin, django_capture_on_commit_callbacks, n=1)
    new = start_count(roles.school_admin, django_capture_on_commit_callbacks, n=1)
    run_worker(monkeypatch)
    old.refresh_from_db()
    new.refresh_from_db()
    old_file, new_file = jobs.result_file(old), jobs.result_file(new)
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=settings.YANXIU_JOB_KEEP_DAYS + 1))
    stray = jobs.output_path(999999, "zip")  # a file whose job never finished
    os.utime(stray, (0, 0))
    assert "yanxiu.core.tasks.purge_old_jobs" in settings.DAILY_TASKS
    from yanxiu.core.tasks import purge_old_jobs

    assert purge_old_jobs.call() == 1
    assert not Job.objects.filter(pk=old.pk).exists() and not old_file.exists() and not stray.exists()
    assert Job.objects.filter(pk=new.pk).exists() and new_file.exists()


# --- The real command ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_command_runs_a_queued_job(roles):
    """``yanxiu db_worker`` (what scripts/serve.sh starts) picks the job up from the database."""
    job = jobs.start(user=roles.school_admin, kind="test.count", label="数数", task=count_to, n=2)  # autocommit: queued now
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and jobs.result_file(job).read_text() == "1\n2\n"
# --- Wired pages ----------------------------------------------------------------------------


def test_a_large_certificate_zip_is_a_job_and_a_small_one_is_immediate(roles, client, school, monkeypatch,
                                                                       django_capture_on_commit_callbacks, settings):
    from tests.credits.factories import YEAR
    from yanxiu.credits.services import certificate_issue

    for n in range(3):
        certificate_issue(actor=None, person=roles.teacher.person, title=f"培训{n}", organiser="县教师发展中心", hours=8,
                          school_year=YEAR, source_key=f"test:{n}", school=school, issued_on=dt.date(2025, 10, 12))
    client.force_login(roles.school_admin)
    url = reverse("credits:school_certificates", args=[school.pk]) + f"?year={YEAR}"
    small = client.get(url)
    assert small["Content-Type"] == "application/zip" and len(zipfile.ZipFile(io.BytesIO(small.content)).namelist()) == 3
    settings.YANXIU_ZIP_INLINE_FILES = 2
    with django_capture_on_commit_callbacks(execute=True):
        started = client.get(url)
    job = Job.objects.get(owner=roles.school_admin)
    assert started.status_code == 302 and started["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.kind == "credits.certificates_zip" and school.name in job.label
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and (job.done, job.total) == (3, 3), job.message
    download = client.get(reverse("core:job_download", args=[job.pk]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert len(names) == 3 and all(name.endswith(".pdf") for name in names)
    assert job.result_name.startswith("培训证书-") and job.result_name.endswith(".zip")


def test_a_long_list_export_is_a_job_that_writes_the_same_rows_for_the_same_user(roles, client, school, monkeypatch,
                                                                                  django_capture_on_commit_callbacks, settings):
    from openpyxl import load_workbook

    def sheet_rows(data: bytes) -> list[tuple]:
        return [tuple(r) for r in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)]

    client.force_login(roles.school_admin)
    url = reverse("org:staff_list") + f"?school={school.pk}&q=老师&export=xlsx"
    inline = sheet_rows(client.get(url).content)
    assert len(inline) >= 2 and not Job.objects.exists()
    settings.YANXIU_EXPORT_INLINE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        started = client.get(url)
    job = Job.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.kind == "list.export" and "教师名册" in job.label
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.total == len(inline) - 1 and job.result_name.startswith("教师名册-") and job.result_name.endswith(".xlsx")
    download = client.get(reverse("core:job_download", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet_rows(b"".join(download.streaming_content)) == inline  # same rows, masked the same way
    assert all(roles.teacher.person.id_number not in str(row) for row in inline)


def test_a_list_export_job_checks_the_permission_again_in_the_worker(roles, monkeypatch, django_capture_on_commit_callbacks):
    """A job queued for a user who has since lost the right fails with the Chinese refusal, writing nothing."""
    from yanxiu.core import tasks

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start(user=roles.teacher, kind="list.export", label="导出", task=tasks.list_export,
                         view="yanxiu.org.views.StaffListView", url_kwargs={}, path=reverse("org:staff_list"), query="export=xlsx")
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and not job.result_path and job.message == "您没有权限访问此页面。"


def test_project_certificates_for_many_participants_are_issued_and_zipped_by_a_job(roles, client, school, monkeypatch,
                                                                                 django_capture_on_commit_callbacks):
    from yanxiu.credits import tasks as credit_tasks
    from yanxiu.training.models import Project

    project = Project.objects.create(title="校本课程", owner_school=school, region=school.county, school_year="2025-2026")
    monkeypatch.setattr(credit_tasks, "project_is_large", lambda project: True)
    client.force_login(roles.school_admin)
    back = reverse("credits:school", args=[school.pk])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("credits:project_certificates", args=[project.pk]), {"next": back})
    job = Job.objects.get(kind="credits.project_certificates")
    assert started["Location"] == reverse("core:job_detail", args=[job.pk])
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "校本课程" in job.message and job.return_url == back, job.message
    assert job.result_name.endswith(".zip") and jobs.result_file(job) is not None
    client.force_login(roles.other_admin)  # another school's admin may not start it
    assert client.post(reverse("credits:project_certificates", args=[project.pk])).status_code in (403, 404)
    assert Job.objects.filter(kind="credits.project_certificates").count() == 1
