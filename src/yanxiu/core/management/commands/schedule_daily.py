"""``yanxiu schedule_daily``: queue the daily background jobs once; each run then queues the next."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from yanxiu.core import daily


class Command(BaseCommand):
    help = "Queue the daily jobs (settings.DAILY_TASKS: signed ledger head, purge of unconfirmed uploads, final postings) for the db_worker; idempotent."

    def handle(self, *args, **options):
        queued = daily.schedule_all()
        names = ", ".join(task.name for task in daily.daily_tasks())
        self.stdout.write(f"daily jobs: {names}; newly queued: {', '.join(queued) or 'none (already waiting)'}")
