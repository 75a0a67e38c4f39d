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
