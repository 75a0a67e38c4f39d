from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "yanxiu.credits"
    label = "credits"

    def ready(self):
        from yanxiu.core.signals import backup_written

        from .tasks import write_head_after_backup

        backup_written.connect(write_head_after_backup, dispatch_uid="credits.ledger_head")
