"""Cross-cutting records: the audit trail of actions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per action taken through a service function.

    Services write these in the same transaction as the change, so a change
    without its audit row cannot exist.

    ``school_id`` and ``county_id`` name the school and the county (region) the
    action concerns, so history can be shown to the people who run them. They
    are plain integers, not foreign keys: core sits below org in the layering
    and must not name its models, and an audit row has to outlive the school
    or region it mentions (a foreign key would cascade or block the delete).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("动作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=40)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    school_id = models.PositiveIntegerField(_("学校编号"), null=True, blank=True)
    county_id = models.PositiveIntegerField(_("区县编号"), null=True, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # History pages read one school's or county's rows newest first; these
            # also serve as the index on school_id and on county_id alone.
            models.Index(fields=["school_id", "-created_at"], name="core_audit_school_time"),
            models.Index(fields=["county_id", "-created_at"], name="core_audit_county_time"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"
