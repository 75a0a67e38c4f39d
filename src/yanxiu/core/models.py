"""Cross-cutting records: the audit trail of actions, and background jobs."""

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


class Job(models.Model):
    """Long work run by the background worker for one user (``core/jobs.py``): an import,
    a large export, a zip or a batch of PDFs, with its progress and its result file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=60)
    label = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    #: The result file, relative to ``settings.YANXIU_JOB_DIR``, and the name it is downloaded as.
    result_path = models.CharField(_("结果文件"), max_length=300, blank=True)
    result_name = models.CharField(_("下载文件名"), max_length=200, blank=True)
    #: A summary the page that started the job shows (an import's counts and errors).
    result = models.JSONField(_("结果"), default=dict, blank=True)
    #: The page showing the result, when it is a page rather than a file.
    return_url = models.CharField(_("结果页面"), max_length=300, blank=True)
    task_result_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="core_job_owner_time")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} {self.status}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("core:job_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def indeterminate(self) -> bool:
        """Running with no count of steps (an import's check, then its write): the bar fills and moves."""
        return self.status == self.Status.RUNNING and not self.total

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))
