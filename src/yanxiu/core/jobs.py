"""Long work as background jobs: a progress bar on the page, a download link when done.

A page that would hold a web worker for long (a large roster or result-list
import, an export of many thousand rows, a zip of certificates or of a year's
materials) starts a :class:`~yanxiu.core.models.Job` instead and sends the
user to its page (``core:job_detail``), which polls for progress every second
until the job is done or failed.

Starting one, from a view::

    job = jobs.start(user=request.user, kind="credits.certificates_zip", label=_("培训证书打包"),
                     task=tasks.certificates_zip, school_id=school.pk, year=year)
    return redirect(job)

The task is a module-level function decorated with :func:`job_task`; it
receives the job (its ``owner`` is the user who started it, so the work is
scoped to what that user may see) and the keyword arguments given to
:func:`start`, which must be plain JSON values (ids, not objects)::

    @jobs.job_task
    def certificates_zip(job, *, school_id, year):
        path = jobs.output_path(job, "zip")
        ...
        jobs.progress(job.pk, done, total)
        ...
        jobs.finish(job.pk, path, downloads.filename(_("培训证书"), school.name, ext="zip"))

- The task is queued when the transaction that created the job commits
  (``transaction.on_commit``), so the worker never looks for a job row that
  is not there yet; ``yanxiu db_worker`` (started by ``scripts/serve.sh``) runs it.
- A task that raises fails its job with a Chinese message: the exception's own
  message when it is one written for users (:class:`JobError`,
  ``ValidationError``, ``SheetError``, ``PermissionDenied``), else a general one. The traceback goes
  to the log (personal data redacted), never to the page.
- Result files are written under ``settings.YANXIU_JOB_DIR`` (a 0700 folder
  under the private var dir), each 0600 (``core/disk.py``); only the job's
  owner may download it. Jobs older than ``settings.YANXIU_JOB_KEEP_DAYS`` are
  removed with their files by the daily task ``core.tasks.purge_old_jobs``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from . import disk
from .models import Job

logger = logging.getLogger(__name__)

#: Progress is written at most this often (seconds) per job, except the last step.
PROGRESS_INTERVAL = 0.5

_last_progress: dict[int, float] = {}


class JobError(Exception):
    """A failure whose message (Chinese, for the user) is shown on the job's page."""


# --- Starting ---------------------------------------------------------------------------


def start(*, user, kind: str, label: str, task, return_url: str = "", **kwargs: Any) -> Job:
    """Create a queued job for ``user`` and queue ``task(job_id=…, **kwargs)`` once this transaction commits.

    ``kwargs`` are the task's own arguments (JSON values); ``user``, ``kind``, ``label``,
    ``task`` and ``return_url`` are this function's, so a task names its arguments otherwise.
    """
    job = Job.objects.create(owner=user, kind=kind[:60], label=str(label)[:200], return_url=return_url[:300])

    def enqueue() -> None:
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


# --- Inside a task ----------------------------------------------------------------------


def job_task(func):
    """Make ``func(job, **kwargs)`` a django-tasks task run as a job (status, failure message, log)."""

    @functools.wraps(func)
    def run(*, job_id: int, **kwargs: Any) -> Any:
        job = Job.objects.select_related("owner").filter(pk=job_id).first()
        if job is None:  # removed before it ran (owner deleted, purged)
            return None
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return None
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
        job.status = Job.Status.RUNNING
        try:
            value = func(job, **kwargs)
        except BaseException as exc:
            fail(job.pk, exc)
            raise
        finally:
            _last_progress.pop(job.pk, None)
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(status=Job.Status.DONE, finished_at=timezone.now())
        return value

    # django-tasks finds the task by module and qualified name: the wrapper keeps the function's.
    return task()(run)


def progress(job_id: int, done: int, total: int, message: str = "") -> None:
    """Record that ``done`` of ``total`` steps are done (written at most every half second, and at the end)."""
    now = time.monotonic()
    last = _last_progress.get(job_id)
    if last is not None and now - last < PROGRESS_INTERVAL and done < total:
        return
    _last_progress[job_id] = now
    values: dict[str, Any] = {"done": max(0, min(int(done), int(total))), "total": max(0, int(total))}
    if message:
        values["message"] = str(message)[:300]
    Job.objects.filter(pk=job_id).update(**values)


def output_path(job: Job | int, ext: str) -> Path:
    """A new empty file (0600, in the 0700 job folder) for the result of ``job``."""
    job_id = job.pk if isinstance(job, Job) else int(job)
    folder = disk.private_dir(job_dir())
    clean = "".join(ch for ch in ext.lower() if ch.isalnum())[:10] or "bin"
    return disk.private_file(folder / f"{job_id}-{secrets.token_hex(8)}.{clean}")


def finish(job_id: int, path: Path | str | None, filename: str = "", *, message: str = "", result: dict | None = None,
           return_url: str = "") -> None:
    """The job is done; its result is the file at ``path`` (under the job folder), downloaded as ``filename``."""
    values: dict[str, Any] = {"status": Job.Status.DONE, "finished_at": timezone.now()}
    if path:
        path = Path(path).resolve()
        base = job_dir().resolve()
        if base not in path.parents:
            raise ValueError("job results are written under the job folder")
        values["result_path"] = str(path.relative_to(base))
        values["result_name"] = filename[:200]
    if message:
        values["message"] = str(message)[:300]
    if result is not None:
        values["result"] = result
    if return_url:
        values["return_url"] = return_url[:300]
    job = Job.objects.filter(pk=job_id).first()
    if job is not None and job.total:
        values["done"] = job.total
    Job.objects.filter(pk=job_id).update(**values)


def user_message(exc: BaseException) -> str:
    """The Chinese message shown for a failure: the user-facing text of the exception, else a general one."""
    from .sheets import SheetError

    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)[:300]
    if isinstance(exc, (JobError, SheetError, PermissionDenied)) and str(exc):
        return str(exc)[:300]
    return _("任务未能完成，请稍后重试；如仍失败，请联系系统管理员。")


def fail(job_id: int, exc: BaseException) -> None:
    """Mark the job failed with a message for the user; the traceback goes to the log."""
    if not isinstance(exc, (JobError, ValidationError, PermissionDenied)):
        logger.exception("job %s failed", job_id, exc_info=exc)
    Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, message=user_message(exc), finished_at=timezone.now())


def inline_files() -> int:
    """Zips and PDF batches of more files than this run as a job (``YANXIU_ZIP_INLINE_FILES``)."""
    return settings.YANXIU_ZIP_INLINE_FILES


def inline_import_bytes() -> int:
    """Import files larger than this are read and written by a job (``YANXIU_IMPORT_INLINE_KB``)."""
    return settings.YANXIU_IMPORT_INLINE_KB * 1024


def save_input(upload, ext: str) -> Path:
    """An uploaded file copied into the job folder (0600) before its job is started; the task deletes it."""
    folder = disk.private_dir(job_dir())
    clean = "".join(ch for ch in ext.lower() if ch.isalnum())[:10] or "bin"
    path = disk.private_file(folder / f"input-{secrets.token_hex(12)}.{clean}")
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def read_input(name: str) -> bytes:
    """The bytes of an input saved by :func:`save_input` (by its file name), removed from the folder."""
    path = (job_dir() / Path(name).name)
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def inline_rows() -> int:
    """Exports of more rows than this run as a job (``YANXIU_EXPORT_INLINE_ROWS``)."""
    return settings.YANXIU_EXPORT_INLINE_ROWS


# --- Reading and cleaning -----------------------------------------------------------------


def job_dir() -> Path:
    return Path(settings.YANXIU_JOB_DIR)


def result_file(job: Job) -> Path | None:
    """The result file of a done job, when it is still there."""
    if job.status != Job.Status.DONE or not job.result_path:
        return None
    base = job_dir().resolve()
    path = (base / job.result_path).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


def jobs_of(user):
    """The jobs ``user`` started (a job is seen by its owner only)."""
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def purge_old(*, keep: dt.timedelta | None = None, now: dt.datetime | None = None) -> int:
    """Delete jobs created more than ``keep`` ago (``YANXIU_JOB_KEEP_DAYS``) with their files, and stray files."""
    keep = keep if keep is not None else dt.timedelta(days=settings.YANXIU_JOB_KEEP_DAYS)
    cutoff = (now or timezone.now()) - keep
    old = Job.objects.filter(created_at__lt=cutoff)
    removed = 0
    for job in old.only("pk", "result_path").iterator():
        if job.result_path:
            (job_dir() / job.result_path).unlink(missing_ok=True)
        removed += 1
    old.delete()
    # Files whose job row is gone (a task stopped between writing and finishing).
    base = job_dir()
    if base.is_dir():
        known = set(Job.objects.exclude(result_path="").values_list("result_path", flat=True))
        stamp = cutoff.timestamp()
        for path in base.iterdir():
            try:
                if path.is_file() and path.name not in known and path.stat().st_mtime < stamp:
                    path.unlink()
            except FileNotFoundError:
                continue
    return removed
