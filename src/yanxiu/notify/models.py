"""Messages that reach people: the inbox, each person's channels, and the delivery queue.

- :class:`Message`: one line in one user's inbox, written on the commit of the
  service whose audit row caused it (``recipients.py`` says who gets what).
  ``topic`` names what the message is about (``training.session:12``) so a later
  notice about the same thing is not sent twice and read receipts can be counted
  per topic; ``requires_receipt`` marks a notice whose sender wants to see who read it.
- :class:`DeliveryPreference`: per user and kind, whether it also goes out by
  e-mail and to the school's or county's webhook. No row: inbox only.
- :class:`Channel`: an outgoing webhook of one school or one county (a 企业微信 or
  钉钉 group robot), with the JSON body to post.
- :class:`Delivery`: one message to send outside the inbox (an e-mail to its
  recipient, or a post to a channel), queued and sent by the background worker
  with retries (``channels.py``); nothing is sent from a request.
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
