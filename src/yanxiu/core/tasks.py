"""Background tasks of the core app (django-tasks, run by ``yanxiu db_worker``)."""

from __future__ import annotations

from django_tasks import task

from . import daily, disk, jobs


@task()
def purge_pending_uploads() -> int:
    """Daily: delete uploads never confirmed (roster previews) older than a day; queues the next run."""
    removed = disk.purge_pending_uploads()
    daily.queue_next(purge_pending_uploads)
    return len(removed)


@task()
def purge_old_jobs() -> int:
    """Daily: delete background jobs older than ``YANXIU_JOB_KEEP_DAYS`` with their result files; queues the next run."""
    removed = jobs.purge_old()
    daily.queue_next(purge_old_jobs)
    return removed


@jobs.job_task
def list_export(job, *, view: str, url_kwargs: dict, path: str, query: str, language: str = "") -> int:
    """The export of a :class:`~yanxiu.core.lists.ScopedListView` run again for its owner in the worker:
    the same view, address and query string, so the same permission check and the same rows."""
    from django.utils import translation
    from django.utils.module_loading import import_string

    view_class = import_string(view)
    request = _replay_request(user=job.owner, path=path, query=query)
    with translation.override(language or None):
        instance = view_class()
        instance.setup(request, **url_kwargs)
        instance.check_permission()
        rows = instance.get_rows()
        target = jobs.output_path(job, "xlsx")
        instance.write_export(target, rows, job_id=job.pk)
        jobs.finish(job.pk, target, instance.get_export_filename())
    return job.pk


def _replay_request(*, user, path: str, query: str):
    """A GET request for ``path?query`` made by ``user``: what a list view needs to rebuild its rows."""
    from django.http import HttpRequest, QueryDict

    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(query)
    request.META = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "PATH_INFO": path}
    request.user = user
    return request
