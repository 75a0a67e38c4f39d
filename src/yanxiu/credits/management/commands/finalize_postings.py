from django.core.management.base import BaseCommand

from yanxiu.credits.services import posting_finalize_due


class Command(BaseCommand):
    help = "Make final every public posting whose period is over with no open objection."

    def handle(self, *args, **options):
        done = posting_finalize_due(actor=None)
        self.stdout.write(f"{len(done)} posting(s) made final")
