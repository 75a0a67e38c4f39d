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


@task()
def finalize_due_postings() -> int:
    """Daily: make final every public posting whose period ended with no open objection."""
    from .services import posting_finalize_due

    done = posting_finalize_due(actor=None)
    daily.queue_next(finalize_due_postings)
    return len(done)


def write_head_after_backup(sender, *, event: str, **kwargs) -> str:
    """Receiver of ``core.signals.backup_written``: every backup and restore writes a signed head."""
    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    try:
        head = ledger.write_head()
    except (DatabaseError, OSError) as exc:
        raise RuntimeError(_("台账链头签名未能写入：%(error)s") % {"error": exc}) from exc
    return _("台账链头签名：%(path)s") % {"path": head}
