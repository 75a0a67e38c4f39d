"""Attendance (考勤), notes and reflections (三查) of training sessions.

One :class:`Attendance` row per person and session, written only by the
service functions in :mod:`yanxiu.attendance.services` (scan, code, manual
marking), each with its audit row. The device that signed in is remembered by
a long-lived random cookie so that one phone signing in several teachers
(代签) is flagged to the admin rather than silently accepted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    QR = "qr", _("扫码")
    CODE = "code", _("数字码")
    MANUAL = "manual", _("管理员登记")


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺训")

    session = models.ForeignKey(
        "training.Session", verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("考勤状态"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    is_late = models.BooleanField(_("迟到"), default=False)
    left_early = models.BooleanField(_("早退"), default=False)
    signin_method = models.CharField(_("签到方式"), max_length=10, choices=Method.choices, blank=True)
    signout_method = models.CharField(_("签退方式"), max_length=10, choices=Method.choices, blank=True)
    signin_device = models.CharField(_("签到设备"), max_length=40, blank=True)
    signin_ip = models.GenericIPAddressField(_("签到 IP"), null=True, blank=True)
    signout_device = models.CharField(_("签退设备"), max_length=40, blank=True)
    signout_ip = models.GenericIPAddressField(_("签退 IP"), null=True, blank=True)
    device_flagged = models.BooleanField(
        _("设备存疑"), default=False, help_text=_("同一设备为多位教师签到或签退")
    )
    # A short hash of the browser's User-Agent: with the address, the weaker "same address" signal.
    signin_agent = models.CharField(_("签到浏览器"), max_length=16, blank=True)
    address_flagged = models.BooleanField(
        _("地址存疑"), default=False,
        help_text=_("一分钟内同一网络地址、同一种浏览器为三位及以上教师签到（设备标识可能被清除）"),
    )
    manual_reason = models.CharField(_("登记理由"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("考勤")
        verbose_name_plural = _("考勤")
        ordering = ["session_id", "signed_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendance_one_per_person")]
        # The shared-device check runs on every sign-in of a burst; with both
        # columns indexed it stays one index probe however full the session is.
        indexes = [
            models.Index(fields=["session", "signin_device"], name="attendance_signin_device"),
            models.Index(fields=["session", "signout_device"], name="attendance_signout_device"),
            # The same-address check: one probe per sign-in, like the device check.
            models.Index(fields=["session", "signin_ip", "signin_agent", "signed_in_at"], name="attendance_signin_address"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session_id}"

    @property
    def status_label(self) -> str:
        """正常 / 迟到 / 早退 / 迟到、早退 / 请假 / 缺训, as on a paper sign-in sheet."""
        if self.status == self.Status.LEAVE:
            return str(_("请假"))
        if self.status == self.Status.ABSENT:
            return str(_("缺训"))
        parts = []
        if self.is_late:
            parts.append(str(_("迟到")))
        if self.left_early:
            parts.append(str(_("早退")))
        return "、".join(parts) if parts else str(_("正常"))


class DeviceFlag(models.Model):
    """One device used by more than one teacher in one session."""

    session = models.ForeignKey(
        "training.Session", verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="device_flags"
    )
    device = models.CharField(_("设备标识"), max_length=40)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=2)
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("共用设备提示")
        verbose_name_plural = _("共用设备提示")
        ordering = ["session_id", "-people_count", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "device"], name="device_flag_unique")]

    def __str__(self) -> str:
        return f"{self.device[:8]}… ×{self.people_count}"


class CodeFailure(models.Model):
    """Wrong 6-digit codes typed by one person for one session (guessing is capped)."""

    session = models.ForeignKey("training.Session", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("数字码错误记录")
        verbose_name_plural = _("数字码错误记录")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="code_failure_unique")]


class ReflectionRule(models.Model):
    """Per-session requirements on notes and reflections (defaults come from settings)."""

    session = models.OneToOneField(
        "training.Session", verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="reflection_rule"
    )
    min_reflection_chars = models.PositiveIntegerField(_("反思最少字数"), default=200)
    min_notes_chars = models.PositiveIntegerField(_("笔记最少字数"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("笔记反思要求")
        verbose_name_plural = _("笔记反思要求")


class Reflection(models.Model):
    """A participant's notes (学习笔记) and reflection (反思) for one session."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审阅")
        ACCEPTED = "accepted", _("已通过")
        RETURNED = "returned", _("已退回")

    session = models.ForeignKey(
        "training.Session", verbose_name=_("培训活动"), on_delete=models.CASCADE, related_name="reflections"
    )
    person = models.ForeignKey("org.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="reflections")
    notes = models.TextField(_("学习笔记"), blank=True)
    body = models.TextField(_("研修反思"))
    plain_text = models.TextField(_("反思纯文本"), blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_comment = models.TextField(_("审阅意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审阅人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"))
    revision = models.PositiveIntegerField(_("提交次数"), default=1)

    class Meta:
        verbose_name = _("笔记与反思")
        verbose_name_plural = _("笔记与反思")
        ordering = ["session_id", "-submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="reflection_one_per_person")]

    def __str__(self) -> str:
        return f"{self.person} · {self.session_id}"


class SimilarityFlag(models.Model):
    """A reflection found to be a near-copy of another one (for the reviewer, not a rejection)."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="similarity_flags")
    other = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="+")
    containment = models.FloatField(_("重合比例"))
    jaccard = models.FloatField(_("相似度"))
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("反思雷同提示")
        verbose_name_plural = _("反思雷同提示")
        ordering = ["-containment", "id"]
        constraints = [models.UniqueConstraint(fields=["reflection", "other"], name="similarity_flag_unique")]


class ShingleIndex(models.Model):
    """Inverted index of sampled reflection shingles: hash → reflection."""

    hash = models.BigIntegerField()
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("反思指纹")
        verbose_name_plural = _("反思指纹")
        indexes = [
            models.Index(fields=["hash", "reflection"], name="shingle_hash_reflection"),
            models.Index(fields=["reflection"], name="shingle_reflection"),
        ]


class ShingleStat(models.Model):
    """How many reflections contain a sampled shingle (to skip boilerplate phrases)."""

    hash = models.BigIntegerField(primary_key=True)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("指纹频次")
        verbose_name_plural = _("指纹频次")
