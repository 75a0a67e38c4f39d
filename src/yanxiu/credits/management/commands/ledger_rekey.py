"""``yanxiu ledger_rekey``: give the credit ledger's entries their HMAC (once after the upgrade that keyed the ledger)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yanxiu.credits.ledger import ledger_rekey


class Command(BaseCommand):
    help = (
        "Compute the HMAC of every ledger entry that has none (entries written before the ledger was keyed). "
        "Refused while the hash chain is broken. --rotate also re-keys entries after a deliberate change of "
        "YANXIU_LEDGER_KEY. Recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true", help="re-key entries whose HMAC was made with an older key")

    def handle(self, *args, rotate=False, **options):
        try:
            count = ledger_rekey(actor=None, rotate=rotate)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"ledger keyed: {count} entries given their HMAC")
