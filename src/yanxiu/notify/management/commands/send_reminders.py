import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yanxiu.notify import reminders, tasks


class Command(BaseCommand):
    help = ("Send the reminders due now (one reminder pass, as the background worker does every few minutes); "
            "a reminder already sent is never sent again.")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment to run the pass for, ISO 8601 (e.g. 2026-09-01T08:00+08:00); default: now")
        parser.add_argument("--schedule", action="store_true",
                            help="queue the periodic pass in the background worker instead (nothing if one is waiting)")

    def handle(self, *args, now=None, schedule=False, **options):
        if schedule:
            queued = tasks.schedule_reminders()
            if options["verbosity"]:
                self.stdout.write("queued" if queued else "already waiting")
            return
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not an ISO 8601 date and time, e.g. 2026-09-01T08:00+08:00") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        result = reminders.reminders_pass(now=moment)
        self.stdout.write(" ".join(f"{key}={value}" for key, value in result.items()))
