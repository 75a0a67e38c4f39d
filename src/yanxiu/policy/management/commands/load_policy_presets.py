from django.core.management.base import BaseCommand

from yanxiu.policy.services import load_policy_presets


class Command(BaseCommand):
    help = "Write the requirement presets read from the seed documents (000, 001 篇3, 002) as policy data."

    def handle(self, *args, **options):
        written = load_policy_presets(actor=None)
        for policy in written:
            self.stdout.write(f"preset {policy.preset_key} v{policy.version}: {policy.name}")
        if not written:
            self.stdout.write("presets already up to date")
