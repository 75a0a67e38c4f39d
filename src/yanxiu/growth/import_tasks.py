"""Background jobs of the growth import page (core/jobs.py, run by ``yanxiu db_worker``).

A register above ``YANXIU_IMPORT_INLINE_KB`` is checked and imported by a job
instead of inside the request, as the roster import page does: the upload
waits where an unconfirmed preview always waits (``growth_uploads/`` under
MEDIA_ROOT: never backed up, purged after a day), the preview job stores its
report on the job, and the import page shows that report (``?job=<id>``) with
the same confirm button; confirming starts the import job, which writes
everything in one transaction as the page does.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from yanxiu.core import jobs, params
from yanxiu.core.pending_uploads import PendingUpload, read_path

#: The session key under which the import page keeps the file waiting for confirmation.
SESSION_KEY = "growth_import_upload"
PENDING_DIR = "growth_uploads"
#: The file waiting for confirmation (``PENDING.save/get/drop/is_large/read``, used by the page too).
PENDING = PendingUpload(SESSION_KEY, PENDING_DIR)
#: Errors kept on a job for the page (a file with more shows the first ones and the count).
MAX_ERRORS = 1000
KINDS = ("growth.import_preview", "growth.import")


def page_url(school_id: int, job_id: int | None = None) -> str:
    url = reverse("growth:import") + f"?school={school_id}"
    return f"{url}&job={job_id}" if job_id else url


def _school_for(job, school_id: int):
    from yanxiu.org.models import School

    from . import access

    school = School.objects.get(pk=school_id)
    if not access.can_manage(job.owner, school):
        raise jobs.JobError(_("您没有权限向该学校导入成长记录。"))
    return school


def report_json(report) -> dict:
    return {"ok": report.ok, "rows": report.rows, "created": report.created, "by_kind": dict(report.by_kind),
            "dry_run": report.dry_run, "error_count": len(report.errors),
            "errors": [e.to_json() for e in report.errors[:MAX_ERRORS]]}


@jobs.job_task
def growth_import_preview(job, *, school_id: int, path: str, name: str) -> bool:
    """Read and check a register waiting for confirmation; the report goes on the job."""
    from .importing import preview_records

    school = _school_for(job, school_id)
    jobs.progress(job.pk, 0, 0, _("正在读取并检查文件……"))
    report = preview_records(school=school, file_name=name, data=read_path(path), actor=job.owner)
    if not report.ok:  # nothing to confirm: the file with its ID numbers goes now
        default_storage.delete(path)
    message = (_("检查通过：共 %(rows)d 行，可导入 %(n)d 条记录。") % {"rows": report.rows, "n": report.created} if report.ok
               else _("发现 %(n)d 个问题，文件未导入。") % {"n": len(report.errors)})
    jobs.finish(job.pk, None, message=message, result=report_json(report), return_url=page_url(school.pk, job.pk))
    return report.ok


@jobs.job_task
def growth_import(job, *, school_id: int, path: str, name: str) -> bool:
    """Import a checked register in one transaction; the counts or the errors go on the job."""
    from .importing import import_records

    school = _school_for(job, school_id)
    jobs.progress(job.pk, 0, 0, _("正在导入……"))
    report = import_records(actor=job.owner, school=school, file_name=name, data=read_path(path))
    if report.ok:
        default_storage.delete(path)
        message = _("导入成功：共 %(rows)d 行，导入 %(n)d 条记录。") % {"rows": report.rows, "n": report.created}
    else:
        message = _("发现 %(n)d 个问题，文件未导入。") % {"n": len(report.errors)}
    jobs.finish(job.pk, None, message=message, result=report_json(report), return_url=page_url(school.pk, job.pk))
    return report.ok


# --- Called by the import page ------------------------------------------------------------


def start_preview(request, school, upload):
    """Keep the large upload as the file waiting for confirmation and check it in a job."""
    pending = PENDING.save(request, school, name=upload.name, content=upload)
    return jobs.start(user=request.user, kind="growth.import_preview", task=growth_import_preview,
                      label=_("检查成长记录：%(school)s") % {"school": school.name},
                      school_id=school.pk, path=pending["path"], name=pending["name"])


def start_import(request, school, pending: dict):
    """Import the confirmed file in a job; the page no longer holds it."""
    PENDING.hand_over(request)
    return jobs.start(user=request.user, kind="growth.import", task=growth_import,
                      label=_("导入成长记录：%(school)s") % {"school": school.name},
                      school_id=school.pk, path=pending["path"], name=pending["name"])


def report_of(request, school):
    """The report of the user's finished growth import job for this school named by ``?job=``, else None."""
    from .importing import ImportReport, RowError

    job_id = params.parse_id(request.GET.get("job"))
    if job_id is None:
        return None
    job = jobs.jobs_of(request.user).filter(pk=job_id, kind__in=KINDS, status="done").first()
    data = job.result if job is not None else None
    if not data or data.get("rows") is None or job.return_url != page_url(school.pk, job.pk):
        return None
    return ImportReport(ok=data["ok"], rows=data["rows"], created=data.get("created", 0), by_kind=data.get("by_kind", {}),
                        dry_run=data.get("dry_run", False),
                        errors=[RowError(e["row"], e["column"], e["message"]) for e in data.get("errors", [])])
