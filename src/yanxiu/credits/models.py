"""The credit ledger (学时/学分台账) and what feeds and shows it.

Every credit is one append-only :class:`CreditEntry`. Entries are written
only by :func:`yanxiu.credits.ledger.credit_record` (and corrected only by a
reversal entry from :func:`credit_reverse`); each carries the hash of the
entry before it and an HMAC of its hash with a key kept outside the
database, so a row changed or removed outside the service is found by
``yanxiu verify_ledger`` even when every hash after it was recomputed.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yanxiu.policy.models import ActivityType, CreditKind


class LedgerImmutable(Exception):
    """Raised when code tries to change or delete a ledger row."""


class SourceType(models.TextChoices):
    SESSION = "session", _("校本研修活动")
    IMPORT = "import", _("上级培训结果")
    CERTIFICATE = "certificate", _("培训证书")
    ACTIVITY = "activity", _("研修活动认定")
    OBJECTION = "objection", _("公示异议补录")
    REVERSAL = "reversal", _("冲正")


class CreditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable("credit entries cannot be updated; write a reversal entry")

    def delete(self):
        raise LedgerImmutable("credit entries cannot be deleted; write a reversal entry")

    def active(self):
        """Entries not reversed and not reversals themselves."""
        return self.filter(reverses__isnull=True, reversed_by__isnull=True)


def evidence_upload_to(instance, filename: str) -> str:
    return f"credits/evidence/{instance.school_year}/{secrets.token_hex(8)}-{filename[-60:]}"


class CreditEntry(models.Model):
    seq = models.BigIntegerField(_("序号"), unique=True, editable=False)
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="credit_entries")
    school = models.ForeignKey("org.School", verbose_name=_("登记学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="credit_entries")
    school_year = models.PositiveSmallIntegerField(_("学年"))
    kind = models.CharField(_("培训类别"), max_length=20, choices=CreditKind.choices)
    category = models.CharField(_("内容类别"), max_length=40, blank=True)
    title = models.CharField(_("培训名称"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=2)
    credits = models.DecimalField(_("学分"), max_digits=7, decimal_places=2)
    long_cycle = models.BooleanField(_("长周期培训"), default=False)
    source_type = models.CharField(_("来源"), max_length=20, choices=SourceType.choices)
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True)
    source_key = models.CharField(_("去重键"), max_length=200, blank=True, db_index=True)
    evidence = models.JSONField(_("证据"), default=dict)
    evidence_file = models.FileField(_("证据文件"), upload_to=evidence_upload_to, blank=True)
    reverses = models.OneToOneField("self", verbose_name=_("冲正对象"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))
    payload = models.TextField(_("规范化内容"), editable=False)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, unique=True, editable=False)
    # HMAC-SHA256 of ``hash`` with the ledger key (settings.YANXIU_LEDGER_KEY), which is not in the database.
    mac = models.CharField(_("密钥校验码"), max_length=64, blank=True, default="", editable=False)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["person", "school_year"]),
            models.Index(fields=["school_year", "person"]),
            models.Index(fields=["school", "created_at"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.hours}"

    def save(self, *args, **kwargs):
        if not self._state.adding or self.pk is not None:
            raise LedgerImmutable("credit entries cannot be changed; write a reversal entry")
        if not getattr(self, "_written_by_ledger", False):
            raise LedgerImmutable("credit entries are written only by yanxiu.credits.ledger")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("credit entries cannot be deleted; write a reversal entry")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class LedgerHead(models.Model):
    """One row: the last sequence number and hash. Locked (SELECT ... FOR UPDATE)
    by every writer so that concurrent writers cannot fork the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("台账链头")
        verbose_name_plural = _("台账链头")


class ImportBatch(models.Model):
    """One accepted result list of a bureau/provincial/national training."""

    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    school_year = models.PositiveSmallIntegerField(_("学年"))
    row_count = models.PositiveIntegerField(_("记录数"), default=0)
    credited_count = models.PositiveIntegerField(_("登记数"), default=0)
    region = models.ForeignKey("org.Region", verbose_name=_("区域"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训结果导入")
        verbose_name_plural = _("培训结果导入")
        ordering = ["-created_at"]


def claim_upload_to(instance, filename: str) -> str:
    return f"credits/claims/{secrets.token_hex(8)}-{filename[-60:]}"


class CertificateClaim(models.Model):
    """A certificate a teacher uploads; the school verifies it before it counts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        VERIFIED = "verified", _("已认定")
        REJECTED = "rejected", _("已退回")

    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="certificate_claims")
    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="certificate_claims")
    title = models.CharField(_("培训名称"), max_length=200)
    organiser = models.CharField(_("主办单位"), max_length=120)
    level = models.CharField(_("级别"), max_length=12)
    kind = models.CharField(_("培训类别"), max_length=20, choices=CreditKind.choices)
    category = models.CharField(_("内容类别"), max_length=40, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    certificate_no = models.CharField(_("证书编号"), max_length=60, blank=True)
    file = models.FileField(_("证书扫描件"), upload_to=claim_upload_to)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    review_comment = models.CharField(_("审核意见"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    entry = models.OneToOneField(CreditEntry, verbose_name=_("学时记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书认定申请")
        verbose_name_plural = _("证书认定申请")
        ordering = ["-created_at"]

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于开始日期。")})
        if self.hours is not None and self.hours <= 0:
            raise ValidationError({"hours": _("学时必须大于 0。")})


class ActivityRecord(models.Model):
    """Proof of an activity (public lesson, award, mentor pair …) that earns credit within the policy's cap."""

    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="activity_records")
    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="activity_records")
    activity_type = models.CharField(_("活动类型"), max_length=20, choices=ActivityType.choices)
    title = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("日期"))
    proof = models.TextField(_("证明材料说明"))
    proof_file = models.FileField(_("证明文件"), upload_to=claim_upload_to, blank=True)
    entry = models.OneToOneField(CreditEntry, verbose_name=_("学时记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("研修活动认定")
        verbose_name_plural = _("研修活动认定")
        ordering = ["-date", "-id"]


class Posting(models.Model):
    """公示: a school's credits of a period shown to its teachers for N days."""

    class Status(models.TextChoices):
        OPEN = "open", _("公示中")
        FINAL = "final", _("已生效")

    school = models.ForeignKey("org.School", verbose_name=_("学校"), on_delete=models.PROTECT, related_name="credit_postings")
    title = models.CharField(_("标题"), max_length=120)
    period_start = models.DateField(_("登记起"))
    period_end = models.DateField(_("登记止"))
    days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    starts_at = models.DateTimeField(_("公示开始"))
    ends_at = models.DateTimeField(_("公示结束"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    finalized_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    entries = models.ManyToManyField(CreditEntry, verbose_name=_("公示记录"), related_name="postings", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学时公示")
        verbose_name_plural = _("学时公示")
        ordering = ["-starts_at", "-id"]


class Objection(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        REVERSED = "reversed", _("已冲正")
        ADDED = "added", _("已补录")
        REJECTED = "rejected", _("不予采纳")

    posting = models.ForeignKey(Posting, verbose_name=_("公示"), on_delete=models.CASCADE, related_name="objections")
    person = models.ForeignKey("org.Person", verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="credit_objections")
    entry = models.ForeignKey(CreditEntry, verbose_name=_("有异议的记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="objections")
    # A missing credit (no entry): the session the teacher says is missing, if they name one.
    session = models.ForeignKey("training.Session", verbose_name=_("漏登的培训活动"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("异议理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("处理意见"), blank=True)
    resolution_entry = models.ForeignKey(CreditEntry, verbose_name=_("处理产生的记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["posting", "person", "entry"], condition=Q(status="open"), name="objection_one_open_per_entry"),
        ]


def new_certificate_code() -> str:
    """16 characters without look-alikes (see :mod:`yanxiu.credits.codes`)."""
    from .codes import new_code

    return new_code()


class Certificate(models.Model):
    """A certificate of one completed training, verifiable in public by its code."""

    code = models.CharField(_("验证码"), max_length=32, unique=True, default=new_certificate_code, editable=False)
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="training_certificates")
    # The holder's name on the day of issue: a later correction of the person's
    # name does not rewrite certificates already issued (verify page, PDF).
    holder_name = models.CharField(_("持证人姓名"), max_length=40, blank=True)
    school = models.ForeignKey("org.School", verbose_name=_("学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="training_certificates")
    title = models.CharField(_("培训名称"), max_length=200)
    organiser = models.CharField(_("颁发单位"), max_length=120)
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=2)
    school_year = models.PositiveSmallIntegerField(_("学年"))
    issued_on = models.DateField(_("颁发日期"))
    source_key = models.CharField(_("来源"), max_length=200)
    revoked = models.BooleanField(_("已撤销"), default=False)
    revoked_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("颁发人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("培训证书")
        verbose_name_plural = _("培训证书")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "source_key"], name="certificate_one_per_training")]

    @property
    def name_at_issue(self) -> str:
        return self.holder_name or self.person.name


class TranscriptRecord(models.Model):
    """A transcript (学时证明) as issued: its verification code and a snapshot of
    what it certified, so the QR code on the paper leads to a public page
    confirming its content. The same content issued again reuses the record."""

    code = models.CharField(_("验证码"), max_length=32, unique=True, default=new_certificate_code, editable=False)
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="transcripts")
    holder_name = models.CharField(_("持证人姓名"), max_length=40)
    school = models.ForeignKey("org.School", verbose_name=_("出具学校"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    issuer = models.CharField(_("出具单位"), max_length=120)
    year_from = models.PositiveSmallIntegerField(_("起始学年"))
    year_to = models.PositiveSmallIntegerField(_("截止学年"))
    cycle = models.BooleanField(_("周期证明"), default=False)
    snapshot = models.JSONField(_("证明内容"), default=dict)
    digest = models.CharField(_("内容摘要"), max_length=64, db_index=True)
    issued_on = models.DateField(_("出具日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("出具人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("学时证明")
        verbose_name_plural = _("学时证明")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "digest", "issued_on"], name="transcript_one_per_content_and_day")]
