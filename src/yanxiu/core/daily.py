"""Jobs that run every day in the background worker (``yanxiu db_worker``).

Each daily task ends by queueing its next run 24 hours later
(:func:`queue_next`), so ``yanxiu schedule_daily`` once after installing is
enough; it queues nothing that is already waiting. Without a worker, run the
matching commands from cron instead (``yanxiu ledger_head``,
``yanxiu purge_uploads``, ``yanxiu finalize_postings``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DAY = dt.timedelta(days=1)


def _path(task) -> str:
    return f"{task.func.__module__}.{task.func.__qualname__}"


def is_waiting(task) -> bool:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=_path(task), status=TaskResultStatus.READY).exists()


def queue_next(task, *, after: dt.timedelta = DAY) -> bool:
    """Queue ``task`` to run ``after`` from now unless a run is already waiting; True when queued."""
    if is_waiting(task):
        return False
    task.using(run_after=timezone.now() + after).enqueue()
    return True


def daily_tasks() -> list:
    """The tasks named in ``settings.DAILY_TASKS`` (dotted paths: core imports no app)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return [import_string(path) for path in settings.DAILY_TASKS]


def schedule_all() -> list[str]:
    """Queue the first run of every daily task that has none waiting; returns the names queued."""
    return [task.name for task in daily_tasks() if queue_next(task, after=dt.timedelta(0))]
