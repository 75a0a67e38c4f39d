from django.core.management.base import BaseCommand

from yanxiu.credits.ledger import head_dir, latest_head, verify_ledger


class Command(BaseCommand):
    help = (
        "Recompute the credit ledger's hash chain and HMACs and compare it with the latest signed head "
        "(settings.YANXIU_LEDGER_HEAD_DIR); exit non-zero naming the first bad entry."
    )

    def handle(self, *args, **options):
        checked, problems = verify_ledger()
        if problems:
            first = problems[0]
            self.stderr.write(f"LEDGER BROKEN at entry id={first.entry_id} seq={first.seq}: {first.message}")
            for problem in problems[1:20]:
                self.stderr.write(f"  also entry id={problem.entry_id} seq={problem.seq}: {problem.message}")
            raise SystemExit(1)
        found = latest_head()
        if found is None:
            self.stdout.write(f"ledger OK: {checked} entries, chain and HMACs intact")
            self.stderr.write(f"warning: no signed head in {head_dir()}: run `yanxiu ledger_head` daily to detect removed entries")
        else:
            self.stdout.write(f"ledger OK: {checked} entries, chain and HMACs intact, consistent with the signed head {found[0].name}")
