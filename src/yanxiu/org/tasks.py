"""Background jobs of the organisation app (core/jobs.py, run by ``yanxiu db_worker``).

A large roster file is checked and imported by a job instead of inside the
request: the upload is kept where an unconfirmed preview always waits
(``roster_uploads/`` under MEDIA_ROOT: never backed up, purged after a day),
the preview job stores its report on the job, and the import page shows that
report (``?job=<id>``) with the same confirm button; confirming starts the
import job, which writes everything in one transaction as the page does.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from yanxiu.core import jobs, params
from yanxiu.core.pending_uploads import PendingUpload, read_path

#: The session key under which the import page keeps the file waiting for confirmation.
ROSTER_SESSION_KEY = "roster_upload"
#: The roster file waiting for confirmation (``PENDING.save/get/drop/is_large/read``, used by the page too).
PENDING = PendingUpload(ROSTER_SESSION_KEY, "roster_uploads")
#: Errors kept on a job for the page (a file with more shows the first ones and the count).
MAX_ERRORS = 1000
KINDS = ("org.roster_preview", "org.roster_import")


def _school_for(job, school_id: int):
    from .models import School

    school = School.objects.get(pk=school_id)
    if not job.owner.has_perm("org.import_roster", school):
        raise jobs.JobError(_("您没有权限向该学校导入教师名单。"))
    return school


def _report_json(report) -> dict:
    return {"ok": report.ok, "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "dry_run": report.dry_run, "groups_created": list(report.groups_created),
            "error_count": len(report.errors), "errors": [e.to_json() for e in report.errors[:MAX_ERRORS]]}


def _page(school_id: int, job_id: int) -> str:
    return reverse("org:roster_import", args=[school_id]) + f"?job={job_id}"


@jobs.job_task
def roster_preview(job, *, school_id: int, path: str, name: str, create_groups: bool = False) -> bool:
    """Read and check a roster file waiting for confirmation; the report goes on the job."""
    from . import roster

    school = _school_for(job, school_id)
    jobs.progress(job.pk, 0, 0, _("正在读取并检查文件……"))
    report = roster.preview_roster(school=school, file_name=name, data=read_path(path), create_groups=create_groups,
                                   actor=job.owner)
    if not report.ok:  # nothing to confirm: the file with its ID numbers goes now
        default_storage.delete(path)
    message = (_("检查通过：共 %(rows)d 行，没有发现问题。") % {"rows": report.rows} if report.ok
               else _("发现 %(n)d 个问题，文件未导入。") % {"n": len(report.errors)})
    jobs.finish(job.pk, None, message=message, result={**_report_json(report), "create_groups": create_groups},
                return_url=_page(school.pk, job.pk))
    return report.ok


@jobs.job_task
def roster_import(job, *, school_id: int, path: str, name: str, create_groups: bool = False) -> bool:
    """Import a checked roster file in one transaction; the counts or the errors go on the job."""
    from . import roster

    school = _school_for(job, school_id)
    jobs.progress(job.pk, 0, 0, _("正在导入……"))
    report = roster.import_roster(actor=job.owner, school=school, file_name=name, data=read_path(path),
                                  create_groups=create_groups)
    if report.ok:
        default_storage.delete(path)
        message = _("导入成功：共 %(rows)d 行，新增 %(created)d 人，更新 %(updated)d 人。") % {
            "rows": report.rows, "created": report.created, "updated": report.updated}
        url = f"{reverse('org:staff_list')}?school={school.pk}"
    else:
        message = _("发现 %(n)d 个问题，文件未导入。") % {"n": len(report.errors)}
        url = _page(school.pk, job.pk)
    jobs.finish(job.pk, None, message=message, result={**_report_json(report), "create_groups": create_groups}, return_url=url)
    return report.ok


# --- Called by the import page ------------------------------------------------------------


def start_preview(request, school, upload, *, create_groups: bool):
    """Keep the large upload as the file waiting for confirmation and check it in a job."""
    pending = PENDING.save(request, school, name=upload.name, content=upload)
    return jobs.start(user=request.user, kind="org.roster_preview", task=roster_preview,
                      label=_("检查花名册：%(school)s") % {"school": school.name},
                      school_id=school.pk, path=pending["path"], name=pending["name"], create_groups=create_groups)


def start_import(request, school, pending: dict, *, create_groups: bool):
    """Import the confirmed file in a job; the page no longer holds it."""
    PENDING.hand_over(request)
    return jobs.start(user=request.user, kind="org.roster_import", task=roster_import,
                      label=_("导入花名册：%(school)s") % {"school": school.name},
                      school_id=school.pk, path=pending["path"], name=pending["name"], create_groups=create_groups)


def report_of(request, school):
    """The report of the user's finished roster job for this school named by ``?job=``, else None."""
    from .roster import RosterReport, RowError

    job_id = params.parse_id(request.GET.get("job"))
    if job_id is None:
        return None, False
    job = jobs.jobs_of(request.user).filter(pk=job_id, kind__in=KINDS, status="done").first()
    data = job.result if job is not None else None
    if not data or data.get("rows") is None or job.return_url != _page(school.pk, job.pk):
        return None, False
    report = RosterReport(ok=data["ok"], rows=data["rows"], created=data.get("created", 0), updated=data.get("updated", 0),
                          unchanged=data.get("unchanged", 0), dry_run=data.get("dry_run", False),
                          errors=[RowError(e["row"], e["column"], e["message"]) for e in data.get("errors", [])])
    return report, bool(data.get("create_groups"))
