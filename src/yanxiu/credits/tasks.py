"""Background tasks of the credits app (django-tasks, run by ``yanxiu db_worker``)."""

from __future__ import annotations

from django_tasks import task

from yanxiu.core import daily

from . import ledger


@task()
def write_ledger_head() -> str:
    """Daily: write the ledger's signed head beside the backups; queues the next run."""
    path = ledger.write_head()
    daily.queue_next(write_ledger_head)
    return str(path)
