"""Background jobs of the score import page (core/jobs.py, run by ``yanxiu db_worker``).

As the growth import page does (:mod:`yanxiu.growth.import_tasks`): a file
above ``YANXIU_IMPORT_INLINE_KB`` is checked and imported by a job instead of
inside the request. The upload waits in ``routine_uploads/`` under MEDIA_ROOT
with the exam's details in the session; the preview job stores its report on
the job, the page shows it (``?job=<id>``) with the same confirm button, and
confirming starts the import job, which writes everything in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from yanxiu.core import jobs, params
from yanxiu.core.pending_uploads import PendingUpload, read_path

from .report import ClassSummary, RowError, ScoreReport

#: The session key under which the page keeps the file (and the exam's details) waiting for confirmation.
SESSION_KEY = "routine_scores_upload"
PENDING_DIR = "routine_uploads"
#: The file waiting for confirmation, its exam's details under ``"exam"`` (``exam_json``).
PENDING = PendingUpload(SESSION_KEY, PENDING_DIR)
#: Errors kept on a job for the page (a file with more shows the first ones).
MAX_ERRORS = 1000
KINDS = ("routine.scores_preview", "routine.scores_import")


def page_url(school_id: int, job_id: int | None = None) -> str:
    url = reverse("routine:scores_import") + f"?school={school_id}"
    return f"{url}&job={job_id}" if job_id else url


def exam_json(exam) -> dict:
    return {"name": exam.name, "date": exam.date.isoformat() if exam.date else "",
            "full_marks": str(exam.full_marks or ""), "kind": exam.kind or ""}


def exam_from(data: dict):
    from . import ExamInput

    day = data.get("date") or ""
    return ExamInput(name=str(data.get("name", ""))[:200], date=dt.date.fromisoformat(day) if day else None,
                     full_marks=data.get("full_marks") or None, kind=data.get("kind") or None)


def _school_for(job, school_id: int):
    from yanxiu.org import scopes
    from yanxiu.org.models import School

    school = School.objects.get(pk=school_id)
    if not scopes.can_manage_school(job.owner, school):
        raise jobs.JobError(_("您没有权限向该学校导入考试成绩。"))
    return school


def report_json(report: ScoreReport) -> dict:
    return {"ok": report.ok, "rows": report.rows, "scores": report.scores, "subjects": report.subjects,
            "ignored": report.ignored, "classes": [c.to_json() for c in report.classes], "dry_run": report.dry_run,
            "exam_id": report.exam_id, "error_count": len(report.errors),
            "errors": [e.to_json() for e in report.errors[:MAX_ERRORS]]}


def report_from(data: dict) -> ScoreReport:
    return ScoreReport(
        ok=bool(data["ok"]), rows=int(data["rows"]), scores=int(data.get("scores", 0)), subjects=list(data.get("subjects", [])),
        ignored=list(data.get("ignored", [])), dry_run=bool(data.get("dry_run")), exam_id=data.get("exam_id"),
        classes=[ClassSummary(c["grade"], c["class"], c["students"], c["statuses"]) for c in data.get("classes", [])],
        errors=[RowError(e["row"], e["column"], e["message"]) for e in data.get("errors", [])],
    )


def _message(report: ScoreReport) -> str:
    if not report.ok:
        return _("发现 %(n)d 个问题，文件未导入。") % {"n": len(report.errors)}
    if report.dry_run:
        return _("检查通过：共 %(rows)d 名学生，可导入 %(n)d 条成绩。") % {"rows": report.rows, "n": report.scores}
    return _("导入成功：共 %(rows)d 名学生，导入 %(n)d 条成绩。") % {"rows": report.rows, "n": report.scores}


@jobs.job_task
def scores_preview(job, *, school_id: int, path: str, name: str, exam: dict) -> bool:
    """Read and check a score sheet waiting for confirmation; the report goes on the job."""
    from . import preview_scores

    school = _school_for(job, school_id)
    jobs.progress(job.pk, 0, 0, _("正在读取并检查文件……"))
    report = preview_scores(school=school, file_name=name, data=read_path(path), exam=exam_from(exam), actor=job.owner)
    if not report.ok:  # nothing to confirm: the file with its students' names goes now
        default_storage.delete(path)
    jobs.finish(job.pk, None, message=_message(report), result=report_json(report), return_url=page_url(school.pk, job.pk))
    return report.ok


@jobs.job_task
def scores_import(job, *, school_id: int, path: str, name: str, exam: dict) -> bool:
    """Import a checked score sheet in one transaction; the counts or the errors go on the job."""
    from . import import_scores

    school = _school_for(job, school_id)
    jobs.progress(job.pk, 0, 0, _("正在导入……"))
    report = import_scores(actor=job.owner, school=school, file_name=name, data=read_path(path), exam=exam_from(exam))
    default_storage.delete(path)  # imported, or refused (the data changed since the preview): upload again
    jobs.finish(job.pk, None, message=_message(report), result=report_json(report), return_url=page_url(school.pk, job.pk))
    return report.ok


# --- Called by the import page ------------------------------------------------------------


def start_preview(request, school, upload, exam):
    pending = PENDING.save(request, school, name=upload.name, content=upload, exam=exam_json(exam))
    return jobs.start(user=request.user, kind="routine.scores_preview", task=scores_preview,
                      label=_("检查考试成绩：%(school)s") % {"school": school.name},
                      school_id=school.pk, path=pending["path"], name=pending["name"], exam=pending["exam"])


def start_import(request, school, pending: dict):
    """Import the confirmed file in a job; the page no longer holds it."""
    PENDING.hand_over(request)
    return jobs.start(user=request.user, kind="routine.scores_import", task=scores_import,
                      label=_("导入考试成绩：%(school)s") % {"school": school.name},
                      school_id=school.pk, path=pending["path"], name=pending["name"], exam=pending["exam"])


def report_of(request, school) -> ScoreReport | None:
    """The report of the user's finished score job for this school named by ``?job=``, else None."""
    job_id = params.parse_id(request.GET.get("job"))
    if job_id is None:
        return None
    job = jobs.jobs_of(request.user).filter(pk=job_id, kind__in=KINDS, status="done").first()
    data = job.result if job is not None else None
    if not data or data.get("rows") is None or job.return_url != page_url(school.pk, job.pk):
        return None
    return report_from(data)
