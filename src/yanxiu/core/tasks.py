"""Background tasks of the core app (django-tasks, run by ``yanxiu db_worker``)."""

from __future__ import annotations

from django_tasks import task

from . import daily, disk


@task()
def purge_pending_uploads() -> int:
    """Daily: delete uploads never confirmed (roster previews) older than a day; queues the next run."""
    removed = disk.purge_pending_uploads()
    daily.queue_next(purge_pending_uploads)
    return len(removed)


@task()
def purge_old_jobs() -> int:
    """Daily: delete background jobs older than ``YANXIU_JOB_KEEP_DAYS`` with their result files; queues the next run."""
    from . import jobs

    removed = jobs.purge_old()
    daily.queue_next(purge_old_jobs)
    return removed
