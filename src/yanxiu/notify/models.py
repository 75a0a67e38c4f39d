"""Messages that reach people: the inbox, each person's channels, and the delivery queue.

- :class:`Message`: one line in one user's inbox, written on the commit of the
  service whose audit row caused it (``recipients.py`` says who gets what).
  ``topic`` names what the message is about (``training.session:12``) so a later
  notice about the same thing is not sent twice and read receipts can be counted
  per topic; ``requires_receipt`` marks a notice whose sender wants to see who read it.
- :class:`DeliveryPreference`: per user and kind, whether it also goes out by
  e-mail and to the school's or county's webhook (the latter for :data:`GROUP_KINDS`
  only). No row: inbox only.
- :class:`Channel`: an outgoing webhook of one school or one county (a 企业微信 or
  钉钉 group robot), with the JSON body to post.
- :class:`Delivery`: one message to send outside the inbox (an e-mail to its
  recipient, or a post to a channel), queued and sent by the background worker
  with retries (``channels.py``); nothing is sent from a request.
- :class:`ReminderRule`: when a reminder goes out (before a session, a quota's or
  a questionnaire's deadline, the end of a posting; after a session for the
  reflection, after a leave request waited), as data: the installation's rules,
  and a county's overrides of them; :class:`SentReminder` records each reminder
  sent, unique per (rule, object, recipient, occasion), so none goes out twice
  (``reminders.py``).
- :class:`Broadcast`: a notice (通知) a school admin or region staff sends to many,
  one :class:`Message` per recipient, with read receipts when asked for
  (``broadcasts.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class MessageKind(models.TextChoices):
    SESSION_PUBLISHED = "session_published", _("活动通知")
    SESSION_CHANGED = "session_changed", _("活动变更")
    SESSION_CANCELLED = "session_cancelled", _("活动取消")
    QUOTA_ALLOCATED = "quota_allocated", _("名额分配")
    LEAVE_TO_DECIDE = "leave_to_decide", _("请假待审批")
    LEAVE_DECIDED = "leave_decided", _("请假审批结果")
    REFLECTION_REVIEWED = "reflection_reviewed", _("反思审阅结果")
    POSTING_OPENED = "posting_opened", _("学时公示")
    OBJECTION_ANSWERED = "objection_answered", _("异议处理结果")
    SURVEY_OPENED = "survey_opened", _("需求调研")
    GROWTH_TO_REVIEW = "growth_to_review", _("成长记录待审核")
    GROWTH_REVIEWED = "growth_reviewed", _("成长记录审核结果")
    MENTOR_ACTIVITY = "mentor_activity", _("师徒结对活动")
    REMINDER = "reminder", _("提醒")
    NOTICE = "notice", _("通知")


#: The kinds meant for everyone of a school (or county) alike: the only ones that may be posted to a work
#: group's webhook. Every other kind is about one person (a leave, a review, a quota) and stays personal.
GROUP_KINDS = frozenset({MessageKind.SESSION_PUBLISHED, MessageKind.SESSION_CHANGED, MessageKind.SESSION_CANCELLED,
                         MessageKind.NOTICE, MessageKind.SURVEY_OPENED})


def validate_site_path(value: str) -> None:
    """A message links to a page of this site only: an absolute path, never another host."""
    if value and (not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value)):
        raise ValidationError(_("链接只能是本站的页面地址。"))


class Message(models.Model):
    recipient = models.ForeignKey(USER, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="notify_messages")
    kind = models.CharField(_("类型"), max_length=30, choices=MessageKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=2000, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True, validators=[validate_site_path])
    #: What the message is about, ``<app.model>:<pk>``: no notice about the same thing twice.
    topic = models.CharField(_("事项"), max_length=80, blank=True)
    event = models.ForeignKey("core.AuditEvent", verbose_name=_("来源操作"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    sender = models.ForeignKey(USER, verbose_name=_("发送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    #: The sender wants to see who has read it (read receipts: ``read_at``).
    requires_receipt = models.BooleanField(_("需要回执"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    #: The recipient pressed "已阅" on a message that requires a receipt.
    receipt_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The navbar's unread count and the inbox (unread first, newest first).
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notify_inbox"),
            models.Index(fields=["topic", "kind"], name="notify_topic"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryPreference(models.Model):
    user = models.ForeignKey(USER, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="notify_preferences")
    kind = models.CharField(_("类型"), max_length=30, choices=MessageKind.choices)
    email = models.BooleanField(_("发邮件"), default=False)
    webhook = models.BooleanField(_("推送到工作群"), default=False)

    class Meta:
        verbose_name = _("消息接收设置")
        verbose_name_plural = _("消息接收设置")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_unique")]


class Channel(models.Model):
    """An outgoing webhook of a school or of a county (exactly one of them)."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("网络推送（Webhook）")

    school = models.ForeignKey("org.School", verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="notify_channels")
    county = models.ForeignKey("org.Region", verbose_name=_("区县"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="notify_channels")
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    url = models.URLField(_("推送地址"), max_length=500)
    #: JSON with {title} {body} {url} {school} in its strings.
    body_template = models.TextField(_("消息体模板"), max_length=4000)
    #: Extra request headers (a token); never shown back in full.
    headers = models.JSONField(_("附加请求头"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送渠道")
        verbose_name_plural = _("推送渠道")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="notify_channel_school_or_county",
                condition=(Q(school__isnull=False, county__isnull=True) | Q(school__isnull=True, county__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_name(self) -> str:
        return str(self.school or self.county or "")


class Delivery(models.Model):
    """One message to send outside the inbox: by e-mail to its recipient, or to a channel."""

    class Via(models.TextChoices):
        EMAIL = "email", _("邮件")
        WEBHOOK = "webhook", _("工作群推送")

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("未发送")

    message = models.ForeignKey(Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries")
    #: The channel of a webhook post (None for e-mail, and once the channel is deleted: the log keeps the row).
    channel = models.ForeignKey(Channel, verbose_name=_("推送渠道"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="deliveries")
    via = models.CharField(_("方式"), max_length=10, choices=Via.choices)
    #: Whose log shows it: the recipient's school or the channel's school / county (plain ids, like audit rows).
    school_id = models.PositiveIntegerField(_("学校编号"), null=True, blank=True)
    county_id = models.PositiveIntegerField(_("区县编号"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due"),
            models.Index(fields=["school_id", "-created_at"], name="notify_delivery_school"),
            models.Index(fields=["county_id", "-created_at"], name="notify_delivery_county"),
        ]
        constraints = [
            models.CheckConstraint(name="notify_delivery_email_has_no_channel", condition=~Q(via="email", channel__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_via_display()} #{self.message_id}"


# --- Reminders --------------------------------------------------------------------


class ReminderWhat(models.TextChoices):
    """What a reminder is about; each is measured before or after its moment (``AFTER``)."""

    SESSION_START = "session_start", _("活动开始前提醒参训教师")
    QUOTA_DEADLINE = "quota_deadline", _("名额报送截止前提醒学校")
    QUESTIONNAIRE_CLOSE = "questionnaire_close", _("问卷截止前提醒未填写的教师")
    REFLECTION_DUE = "reflection_due", _("活动结束后提醒未交反思的教师")
    OBJECTION_DEADLINE = "objection_deadline", _("公示结束前提醒处理异议")
    APPROVAL_ESCALATION = "approval_escalation", _("请假久未审批时提醒审批人")


#: Measured after their moment (a session's end, a request's time); the others before it.
AFTER = frozenset({ReminderWhat.REFLECTION_DUE, ReminderWhat.APPROVAL_ESCALATION})


class ReminderRule(models.Model):
    """One reminder: ``what``, ``days`` + ``hours`` before (or after) its moment, enabled or not.

    A rule without a county is the installation's; a county's override (``base`` the
    installation rule it replaces there) changes its offset or turns it off in that county.
    """

    what = models.CharField(_("提醒事项"), max_length=30, choices=ReminderWhat.choices)
    county = models.ForeignKey("org.Region", verbose_name=_("区县"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    base = models.ForeignKey("self", verbose_name=_("所替代的规则"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="overrides")
    days = models.PositiveSmallIntegerField(_("天数"), default=0)
    hours = models.PositiveSmallIntegerField(_("小时数"), default=0)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒规则")
        verbose_name_plural = _("提醒规则")
        ordering = ["what", "-days", "-hours", "id"]
        constraints = [
            models.CheckConstraint(name="notify_rule_override_has_county",
                                   condition=Q(county__isnull=True, base__isnull=True) | Q(county__isnull=False, base__isnull=False)),
            models.UniqueConstraint(fields=["base", "county"], condition=Q(base__isnull=False), name="notify_rule_one_override"),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()} {self.offset_label}"

    @property
    def offset(self):
        import datetime as dt

        return dt.timedelta(days=self.days, hours=self.hours)

    @property
    def offset_label(self) -> str:
        from django.utils.translation import gettext as _t

        parts = []
        if self.days:
            parts.append(_t("%(n)s 天") % {"n": self.days})
        if self.hours:
            parts.append(_t("%(n)s 小时") % {"n": self.hours})
        text = " ".join(parts) or _t("0 小时")
        return (_t("后 %(offset)s") if self.what in AFTER else _t("前 %(offset)s")) % {"offset": text}

    def clean(self):
        if self.days > 60 or self.hours > 23:
            raise ValidationError(_("提前或推后的时间最多 60 天，小时数为 0 到 23。"))
        if self.days == 0 and self.hours == 0:
            raise ValidationError(_("天数和小时数不能都为 0。"))
        if self.base_id and self.base.what != self.what:
            raise ValidationError(_("区县规则须与所替代的规则是同一提醒事项。"))


class SentReminder(models.Model):
    """A reminder sent: once per (rule, object, recipient, occasion), written with its message."""

    rule = models.ForeignKey(ReminderRule, verbose_name=_("提醒规则"), on_delete=models.CASCADE, related_name="sent")
    #: ``<app.model>:<pk>`` of what it is about (the message's topic).
    object_key = models.CharField(_("事项"), max_length=80)
    recipient = models.ForeignKey(USER, verbose_name=_("收件人"), on_delete=models.CASCADE, related_name="+")
    #: Which occurrence: the moment it was measured from (a session moved to another day is a new occasion).
    occasion = models.CharField(_("时点"), max_length=40)
    message = models.ForeignKey(Message, verbose_name=_("消息"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发提醒")
        verbose_name_plural = _("已发提醒")
        constraints = [models.UniqueConstraint(fields=["rule", "object_key", "recipient", "occasion"], name="notify_reminder_once")]


# --- Notices (通知) -------------------------------------------------------------------


class Broadcast(models.Model):
    """A notice sent to many by a school's admins or a county's staff (exactly one owner)."""

    class Audience(models.TextChoices):
        SCHOOL_TEACHERS = "school_teachers", _("本校全体教师")
        SCHOOL_GROUPS = "school_groups", _("本校指定教研组")
        COUNTY_ADMINS = "county_admins", _("本区县各校管理员")
        COUNTY_TEACHERS = "county_teachers", _("本区县全体教师")

    school = models.ForeignKey("org.School", verbose_name=_("学校"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    county = models.ForeignKey("org.Region", verbose_name=_("区县"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    sender = models.ForeignKey(USER, verbose_name=_("发送人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), max_length=2000)
    audience = models.CharField(_("发送对象"), max_length=20, choices=Audience.choices)
    groups = models.ManyToManyField("org.Group", verbose_name=_("教研组"), blank=True, related_name="+")
    requires_receipt = models.BooleanField(_("需要回执"), default=False,
                                           help_text=_("收件人须点“已阅”确认；发送人可查看谁已阅、谁未阅。"))
    recipient_count = models.PositiveIntegerField(_("收件人数"), default=0)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="notify_broadcast_school_or_county",
                condition=(Q(school__isnull=False, county__isnull=True) | Q(school__isnull=True, county__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def topic(self) -> str:
        return f"notify.broadcast:{self.pk}"

    @property
    def owner_name(self) -> str:
        return str(self.school or self.county or "")

    @property
    def county_id_of_owner(self) -> int | None:
        return self.county_id or (self.school.county_id if self.school_id else None)
