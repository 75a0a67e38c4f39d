"""The page of a background job (progress, then the download or the error) and its download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import downloads, jobs
from .models import Job

_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def _own_job(request, pk) -> Job:
    """The job if the user started it; 404 for everyone else (a job's existence is not told)."""
    job = jobs.jobs_of(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("没有找到这个任务。"))
    return job


@login_required
def job_detail(request, pk: int):
    """Progress bar while queued or running (the fragment polls itself every second), then the result."""
    job = _own_job(request, pk)
    context = {"job": job, "has_file": jobs.result_file(job) is not None, "page_title": job.label}
    if request.headers.get("HX-Request"):
        return render(request, "core/job_status.html", context)
    return render(request, "core/job_detail.html", context)


@login_required
def job_download(request, pk: int):
    job = _own_job(request, pk)
    path = jobs.result_file(job)
    if path is None:
        raise Http404(_("任务的结果文件不存在或已过期。"))
    ext = path.suffix.lstrip(".")
    return downloads.file_download(path.open("rb"), name=job.result_name or downloads.filename(job.label, ext=ext),
                                   content_type=_CONTENT_TYPES.get(ext, "application/octet-stream"),
                                   fallback=f"job-{job.pk}.{ext}")
