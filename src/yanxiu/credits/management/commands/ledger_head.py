"""``yanxiu ledger_head``: write the credit ledger's signed head (run daily; ``yanxiu backup`` runs it too)."""

from django.core.management.base import BaseCommand

from yanxiu.credits.ledger import write_head


class Command(BaseCommand):
    help = "Write the credit ledger's signed head (entry count, last entry and its HMAC) to YANXIU_LEDGER_HEAD_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="directory for the head file (default: settings.YANXIU_LEDGER_HEAD_DIR)")

    def handle(self, *args, dir=None, **options):
        path = write_head(dir)
        self.stdout.write(f"signed ledger head written: {path}")
