"""What the school and the bureau hand in, kept as it was handed in.

- :class:`YearSummary`: a school's 校本培训工作总结 of one school year: the
  text sections the school writes (structure of seed 000) and the snapshot of
  the figures they quote, so a filed summary keeps the numbers it was filed
  with even when the ledger changes later.
- :class:`DocumentSettings`: a county's official layout (issuing body, the
  prefix of its document numbers) used by every notice it issues.
- :class:`OfficialNotice`: one 通报 as issued: absence and leave of a training
  or a month, or the commendation / criticism of schools and groups; its
  number, date and the rows it names are frozen when it is issued.
- :class:`SchoolScore`: one school's line on the bureau's evaluation sheet
  (评估细则) of a school year: the measured items, the bureau's adjustment
  and comment.
- :class:`EvaluationWeights`: a county's points per item of that sheet (the
  defaults without a row are those of :mod:`yanxiu.reports.evaluation`).

Rows are written only by :mod:`yanxiu.reports.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The sections of a year-end summary, in the order of seed 000.
SUMMARY_SECTIONS = (
    ("goals", _("一、目标与机构")),
    ("mechanisms", _("二、机制与措施")),
    ("activities", _("三、活动开展")),
    ("results", _("四、成效与数据")),
    ("problems", _("五、存在问题")),
    ("next_steps", _("六、下一步打算")),
)
SUMMARY_SECTION_KEYS = tuple(key for key, _label in SUMMARY_SECTIONS)


class YearSummary(models.Model):
    """A school's year-end summary: its sections' text and the figures' snapshot."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        FILED = "filed", _("已报送")

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="year_summaries")
    school_year = models.PositiveSmallIntegerField(_("学年"))
    title = models.CharField(_("标题"), max_length=120, blank=True)
    #: {section key: text}; keys from SUMMARY_SECTION_KEYS.
    sections = models.JSONField(_("正文"), default=dict, blank=True)
    #: [{"key", "label", "value", "source"}, ...] as computed when last refreshed or filed.
    figures = models.JSONField(_("数据快照"), default=list, blank=True)
    figures_at = models.DateTimeField(_("数据计算时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    filed_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("校本培训工作总结")
        verbose_name_plural = _("校本培训工作总结")
        ordering = ["-school_year", "school_id"]
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="summary_unique_school_year")]

    def __str__(self) -> str:
        return self.title or f"{self.school} {self.school_year}"

    @property
    def is_filed(self) -> bool:
        return self.status == self.Status.FILED


class DocumentSettings(models.Model):
    """How a county's documents are headed: 溆浦县教育局 · 溆教通〔2026〕12号."""

    region = models.OneToOneField("org.Region", verbose_name=_("区县"), on_delete=models.CASCADE, related_name="document_settings")
    issuing_body = models.CharField(_("发文机关"), max_length=60, help_text=_("如 溆浦县教育局"))
    number_prefix = models.CharField(_("发文字号前缀"), max_length=20, help_text=_("如 溆教通"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("公文格式")
        verbose_name_plural = _("公文格式")

    def __str__(self) -> str:
        return self.issuing_body


class OfficialNotice(models.Model):
    """One issued 通报, frozen: its number, date, text and the rows it names."""

    class Kind(models.TextChoices):
        ABSENCE = "absence", _("缺训与请假通报")
        COMMENDATION = "commendation", _("表彰通报")
        CRITICISM = "criticism", _("通报批评")

    region = models.ForeignKey("org.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="official_notices")
    kind = models.CharField(_("类型"), max_length=14, choices=Kind.choices)
    #: What the officer picked: {"session": id} / {"month": "2026-10"} / {"schools": [ids], "groups": [ids]}.
    scope = models.JSONField(_("范围"), default=dict, blank=True)
    issuing_body = models.CharField(_("发文机关"), max_length=60)
    number_year = models.PositiveSmallIntegerField(_("发文年份"))
    number_seq = models.PositiveIntegerField(_("发文序号"))
    doc_number = models.CharField(_("发文字号"), max_length=40)
    title = models.CharField(_("标题"), max_length=120)
    date = models.DateField(_("成文日期"))
    body = models.TextField(_("正文"), blank=True)
    #: The rows named, as issued: [{"name", "school", ...}, ...].
    rows = models.JSONField(_("名单"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发文人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发文时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-date", "-number_seq"]
        constraints = [
            models.UniqueConstraint(fields=["region", "number_year", "number_seq"], name="notice_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_number} {self.title}"


class SchoolScore(models.Model):
    """A school's line on the bureau's evaluation sheet of a school year."""

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="evaluation_scores")
    school_year = models.PositiveSmallIntegerField(_("学年"))
    #: [{"key", "label", "value", "points", "max_points"}, ...] as measured when reviewed.
    items = models.JSONField(_("评估项目"), default=list, blank=True)
    measured_score = models.DecimalField(_("计算得分"), max_digits=6, decimal_places=2)
    adjustment = models.DecimalField(_("调整分"), max_digits=6, decimal_places=2, default=0)
    comment = models.CharField(_("评估意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评估人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("评估时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("学校评估得分")
        verbose_name_plural = _("学校评估得分")
        ordering = ["-school_year", "school_id"]
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="score_unique_school_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.school_year}: {self.final_score}"

    @property
    def final_score(self):
        return self.measured_score + self.adjustment


class EvaluationWeights(models.Model):
    """A county's points per item of the evaluation sheet (评估细则) and the targets two items count against.

    Without a row the defaults of :data:`yanxiu.reports.evaluation.ITEMS` apply (the same numbers as the
    fields' defaults here); the points of the eight items add up to 100.
    """

    region = models.OneToOneField("org.Region", verbose_name=_("区县"), on_delete=models.CASCADE,
                                  related_name="evaluation_weights")
    plan = models.PositiveSmallIntegerField(_("年度研修计划"), default=10, validators=[MaxValueValidator(100)])
    schedule = models.PositiveSmallIntegerField(_("学期活动安排"), default=15, validators=[MaxValueValidator(100)])
    sessions = models.PositiveSmallIntegerField(_("开展研修活动"), default=15, validators=[MaxValueValidator(100)])
    attendance = models.PositiveSmallIntegerField(_("出勤率"), default=15, validators=[MaxValueValidator(100)])
    reflections = models.PositiveSmallIntegerField(_("反思通过率"), default=10, validators=[MaxValueValidator(100)])
    compliance = models.PositiveSmallIntegerField(_("学时达标率"), default=20, validators=[MaxValueValidator(100)])
    postings = models.PositiveSmallIntegerField(_("学时公示"), default=5, validators=[MaxValueValidator(100)])
    summary = models.PositiveSmallIntegerField(_("年度工作总结"), default=10, validators=[MaxValueValidator(100)])
    sessions_target = models.PositiveSmallIntegerField(
        _("全年研修活动目标（次）"), default=12, validators=[MinValueValidator(1), MaxValueValidator(200)])
    postings_target = models.PositiveSmallIntegerField(
        _("全年学时公示目标（次）"), default=2, validators=[MinValueValidator(1), MaxValueValidator(24)])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    #: The item fields, in the order of the sheet.
    ITEM_FIELDS = ("plan", "schedule", "sessions", "attendance", "reflections", "compliance", "postings", "summary")

    class Meta:
        verbose_name = _("评估细则分值")
        verbose_name_plural = _("评估细则分值")

    def __str__(self) -> str:
        return f"{self.region} {self.total}"

    @property
    def total(self) -> int:
        return sum(getattr(self, name) or 0 for name in self.ITEM_FIELDS)

    def clean(self):
        super().clean()
        if self.total != 100:
            raise ValidationError(_("各项分值之和须为 100 分（现为 %(n)s 分）。") % {"n": self.total})
