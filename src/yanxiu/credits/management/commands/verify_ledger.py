from django.core.management.base import BaseCommand

from yanxiu.credits.ledger import verify_ledger


class Command(BaseCommand):
    help = "Recompute the credit ledger's hash chain; exit non-zero naming the first bad entry."

    def handle(self, *args, **options):
        checked, problems = verify_ledger()
        if problems:
            first = problems[0]
            self.stderr.write(f"LEDGER BROKEN at entry id={first.entry_id} seq={first.seq}: {first.message}")
            for problem in problems[1:20]:
                self.stderr.write(f"  also entry id={problem.entry_id} seq={problem.seq}: {problem.message}")
            raise SystemExit(1)
        self.stdout.write(f"ledger OK: {checked} entries, chain intact")
