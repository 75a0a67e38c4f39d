from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yanxiu.notify"
    label = "notify"
    verbose_name = _("消息")

    def ready(self):
        """Messages follow the audit rows: a receiver on each new AuditEvent hands the
        ones ``recipients.py`` knows to :func:`services.deliver_for_event` after the commit."""
        from django.db.models.signals import post_save

        from yanxiu.core.models import AuditEvent

        from .services import audit_event_saved

        post_save.connect(audit_event_saved, sender=AuditEvent, dispatch_uid="yanxiu.notify.audit_event_saved")
