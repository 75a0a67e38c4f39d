from django.core.management.base import BaseCommand

from yanxiu.notify import channels


class Command(BaseCommand):
    help = "Send the messages due by e-mail and webhook (one delivery pass, as the background worker does)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=channels.BATCH, help="deliveries sent at most in this pass")

    def handle(self, *args, limit, **options):
        result = channels.send_due(limit=max(1, min(limit, 10_000)))
        self.stdout.write(" ".join(f"{key}={value}" for key, value in result.items()))
