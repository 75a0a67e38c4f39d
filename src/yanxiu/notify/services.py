"""Writes of the notify app: messages from audit rows, reading them, preferences, channels, retries.

Messages are written after the commit of the service that caused them, never by
a view: :func:`audit_event_saved` (connected in ``apps.py``) sees each new audit
row and, for the actions ``recipients.HANDLERS`` knows, hands the row's id to
:func:`deliver_for_event` through ``transaction.on_commit`` (``robust``: a
problem here never undoes or fails the action itself). A rolled-back action
leaves no message.

:func:`deliver_for_event` writes the inbox messages and, per the recipients'
:class:`~yanxiu.notify.models.DeliveryPreference`, the queued deliveries: an
e-mail to the recipient, and one post per webhook channel of the recipient's
school (the county's for region staff) for each distinct message text, so a
group robot hears a notice once however many of its teachers asked for it. Only
the kinds meant for the whole school (``models.GROUP_KINDS``) ever go to a webhook,
whatever an old preference row says: nothing personal reaches a group chat.
Nothing is sent here: the background pass (``channels.send_due``, the task
``tasks.send_messages``) sends what is queued.

Reading one's own messages and choosing one's own preferences change nothing
anyone else reads, so they write no audit row (the message's ``read_at`` is the
record); channel changes and manual retries do.
"""

from __future__ import annotations

import json
import re
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yanxiu.accounts.models import User
from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.core.models import AuditEvent
from yanxiu.org import scopes
from yanxiu.org.models import Employment

from . import access, broadcasts, channels, recipients
from .models import (GROUP_KINDS, Broadcast, Channel, Delivery, DeliveryPreference, Message, MessageKind, ReminderRule,
                     ReminderWhat, validate_site_path)

PLACEHOLDERS = ("title", "body", "url", "school")
MAX_HEADERS = 10
HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,60}$")


# --- From audit rows to messages --------------------------------------------------------


def audit_event_saved(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of AuditEvent: after the commit, the messages this action causes."""
    if raw or not created or instance.action not in recipients.HANDLERS:
        return
    transaction.on_commit(partial(deliver_for_event, instance.pk), robust=True)


def _schools_of(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """user id -> (current school id, its county id), for the users who are teachers somewhere."""
    rows = Employment.objects.current().filter(person__user_id__in=user_ids).values_list(
        "person__user_id", "school_id", "school__county_id")
    return {user_id: (school_id, county_id) for user_id, school_id, county_id in rows}


def _new_notices(event: AuditEvent, notices: list[recipients.Notice]) -> list[recipients.Notice]:
    """Drop the actor, inactive accounts, and ``once`` notices the user already has."""
    notices = [n for n in notices if n.user_id != event.actor_id]
    active = set(User.objects.filter(pk__in={n.user_id for n in notices}, is_active=True).values_list("pk", flat=True))
    notices = [n for n in notices if n.user_id in active]
    once = [n for n in notices if n.once]
    if once:
        had = set(Message.objects.filter(topic__in={n.topic for n in once}, kind__in={n.kind for n in once},
                                         recipient_id__in={n.user_id for n in once})
                  .values_list("recipient_id", "kind", "topic"))
        notices = [n for n in notices if not (n.once and (n.user_id, n.kind, n.topic) in had)]
    return list({(n.user_id, n.kind, n.topic): n for n in notices}.values())


@transaction.atomic
def deliver_for_event(event_id: int) -> list[Message]:
    """Write the messages (and queue the deliveries) one audited action causes; returns the messages."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        notices = _new_notices(event, recipients.notices_for(event))
    return write_messages(notices, event=event, sender_id=event.actor_id, county_id=event.county_id)


def write_messages(notices: list[recipients.Notice], *, event: AuditEvent | None = None, sender_id: int | None = None,
                   county_id: int | None = None, requires_receipt: bool = False) -> list[Message]:
    """One inbox message per notice, in the caller's transaction, and the deliveries their recipients asked
    for (sent by the background pass after the commit). The one writer of messages: audit rows, reminders,
    notices."""
    if not notices:
        return []
    messages = []
    for n in notices:
        validate_site_path(n.url)
        messages.append(Message(recipient_id=n.user_id, kind=n.kind, title=n.title[:200], body=n.body[:2000], url=n.url,
                                topic=n.topic[:80], event=event, sender_id=sender_id, requires_receipt=requires_receipt))
    messages = Message.objects.bulk_create(messages)
    if not messages[0].pk:  # a backend that does not return ids (none of ours)
        raise RuntimeError("the database did not return the ids of the messages written")
    deliveries = _deliveries_for(messages, county_id)
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        transaction.on_commit(_queue_pass, robust=True)
    return messages


def _deliveries_for(messages: list[Message], fallback_county_id: int | None) -> list[Delivery]:
    wanted = {(p.user_id, p.kind): p for p in DeliveryPreference.objects.filter(
        user_id__in={m.recipient_id for m in messages}, kind__in={m.kind for m in messages})}
    chosen = [(m, wanted[(m.recipient_id, m.kind)]) for m in messages if (m.recipient_id, m.kind) in wanted]
    if not chosen:
        return []
    schools = _schools_of([m.recipient_id for m, _p in chosen])
    out: list[Delivery] = []
    posted: set[tuple[int, str, str, str]] = set()
    channels_of: dict[tuple[str, int], list[Channel]] = {}
    for message, pref in chosen:
        school_id, county_id = schools.get(message.recipient_id, (None, fallback_county_id))
        if pref.email:
            out.append(Delivery(message=message, via=Delivery.Via.EMAIL, school_id=school_id, county_id=county_id))
        if not pref.webhook or message.kind not in GROUP_KINDS:  # nothing personal goes to a group chat
            continue
        owner = ("school", school_id) if school_id else ("county", county_id)
        if owner[1] is None:
            continue
        if owner not in channels_of:
            channels_of[owner] = list(Channel.objects.filter(enabled=True, **{f"{owner[0]}_id": owner[1]}))
        for channel in channels_of[owner]:
            key = (channel.pk, message.title, message.body, message.url)
            if key in posted:
                continue
            posted.add(key)
            out.append(Delivery(message=message, channel=channel, via=Delivery.Via.WEBHOOK, school_id=channel.school_id,
                                county_id=channel.county_id or (county_id if channel.school_id else None)))
    return out


def _queue_pass() -> None:
    from . import tasks

    tasks.queue_pass()


# --- The inbox ----------------------------------------------------------------------


def _own(actor, message: Message) -> None:
    scopes.require(getattr(actor, "pk", None) is not None and message.recipient_id == actor.pk, _("只能阅读本人的消息。"))


@transaction.atomic
def message_mark_read(*, actor, message: Message) -> Message:
    """The recipient opened the message: its read time is set once and kept."""
    _own(actor, message)
    if message.read_at is None:
        now = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
    return message


@transaction.atomic
def message_confirm_receipt(*, actor, message: Message) -> Message:
    """"已阅": the recipient confirms a message that requires a receipt (once; the time is kept)."""
    _own(actor, message)
    if not message.requires_receipt:
        raise ValidationError(_("这条消息不需要回执。"))
    if message.receipt_at is None:
        now = timezone.now()
        Message.objects.filter(pk=message.pk, receipt_at__isnull=True).update(receipt_at=now)
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.receipt_at = now
        message.read_at = message.read_at or now
    return message


@transaction.atomic
def messages_mark_all_read(*, actor) -> int:
    scopes.require(getattr(actor, "pk", None) is not None)
    return Message.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, actor, choices: dict[str, tuple[bool, bool]]) -> int:
    """``choices``: kind -> (by e-mail, to the work group); a kind left out keeps inbox only."""
    scopes.require(getattr(actor, "pk", None) is not None)
    unknown = set(choices) - set(MessageKind.values)
    if unknown:
        raise ValidationError(_("未知的消息类型：%(kinds)s") % {"kinds": "、".join(sorted(unknown))})
    DeliveryPreference.objects.filter(user=actor).delete()
    # A work group hears only what is meant for the whole school: a webhook choice for any other kind is dropped.
    wanted = {kind: (bool(email), bool(webhook) and kind in GROUP_KINDS) for kind, (email, webhook) in choices.items()}
    rows = [DeliveryPreference(user=actor, kind=kind, email=email, webhook=webhook)
            for kind, (email, webhook) in sorted(wanted.items()) if email or webhook]
    DeliveryPreference.objects.bulk_create(rows)
    return len(rows)


# --- Channels -----------------------------------------------------------------------


def check_body_template(text: str) -> None:
    """A JSON object or list whose strings may name {title} {body} {url} {school} and nothing else."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"body_template": _("请填写消息体模板。")})
    if len(text) > 4000:
        raise ValidationError({"body_template": _("消息体模板不能超过 4000 个字符。")})
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError({"body_template": _("消息体模板不是有效的 JSON：第 %(line)s 行第 %(col)s 列附近有错误。")
                               % {"line": getattr(exc, "lineno", "?"), "col": getattr(exc, "colno", "?")}}) from None
    if not isinstance(value, (dict, list)):
        raise ValidationError({"body_template": _("消息体模板应是一个 JSON 对象，例如 {\"msgtype\": \"text\", ...}。")})
    unknown = sorted(set(re.findall(r"\{([A-Za-z_]+)\}", text)) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError({"body_template": _("消息体模板中有未知的占位符：%(names)s；可用的有 {title} {body} {url} {school}。")
                               % {"names": "、".join("{%s}" % u for u in unknown)}})


def parse_headers(text: str) -> dict[str, str]:
    """``名称: 值`` one a line into a dict; a clear message naming the line otherwise."""
    headers: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not HEADER_NAME.match(name) or not value or len(value) > 500 or any(ord(c) < 32 for c in value):
            raise ValidationError({"headers": _("第 %(n)s 行应写成“名称: 值”，名称只含字母、数字和连字符。") % {"n": number}})
        headers[name] = value
    if len(headers) > MAX_HEADERS:
        raise ValidationError({"headers": _("附加请求头最多 %(n)s 个。") % {"n": MAX_HEADERS}})
    return headers


def _require_owner(actor, *, school=None, county=None) -> None:
    if school is not None:
        scopes.require(access.can_manage_school(actor, school.pk), _("只能设置本校的推送渠道。"))
    else:
        scopes.require(county is not None and access.can_manage_county(actor, county.pk), _("只能设置本辖区的推送渠道。"))


@transaction.atomic
def channel_save(*, actor, channel: Channel | None = None, school=None, county=None, name: str, url: str,
                 body_template: str, headers: dict[str, str] | None = None, enabled: bool = True) -> Channel:
    """Create a channel for ``school`` or ``county``, or change ``channel``; ``headers`` None keeps the stored ones."""
    creating = channel is None
    if creating:
        if (school is None) == (county is None):
            raise ValidationError(_("推送渠道须属于一所学校或一个区县。"))
        channel = Channel(school=school, county=county)
    else:
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
    _require_owner(actor, school=channel.school, county=channel.county)
    check_body_template(body_template)
    if not re.match(r"^https?://", (url or "").strip(), re.IGNORECASE):
        raise ValidationError({"url": _("推送地址须以 http:// 或 https:// 开头。")})
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        host = None
    if not host:
        raise ValidationError({"url": _("推送地址中没有主机名。")})
    refused = channels.refused_host_reason(host)
    if refused:
        raise ValidationError({"url": refused})
    channel.name, channel.url, channel.body_template, channel.enabled = (name or "").strip(), url.strip(), body_template.strip(), enabled
    if headers is not None:
        channel.headers = headers
    channel.full_clean()
    channel.save()
    audit.record(actor=actor, event=Event.NOTIFY_CHANNEL_SAVE, target=channel, school=channel.school_id,
                 county=channel.county_id or (channel.school.county_id if channel.school_id else None),
                 name=channel.name, created=creating, enabled=enabled, headers=sorted(channel.headers))
    return channel


@transaction.atomic
def channel_delete(*, actor, channel: Channel) -> None:
    channel = Channel.objects.select_for_update(of=("self",)).select_related("school").get(pk=channel.pk)
    scopes.require(access.can_manage_channel(actor, channel), _("只能删除本校或本辖区的推送渠道。"))
    county_id = channel.county_id or (channel.school.county_id if channel.school_id else None)
    audit.record(actor=actor, event=Event.NOTIFY_CHANNEL_DELETE, target=channel, school=channel.school_id, county=county_id,
                 name=channel.name)
    channel.delete()


@transaction.atomic
def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """Send a failed (or skipped) delivery again at the next pass: one more attempt, whatever the count."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    scopes.require(access.can_retry(actor, delivery), _("只能重发本校或本辖区的消息。"))
    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.SKIPPED):
        raise ValidationError(_("只有发送失败或未发送的消息可以重发。"))
    delivery.status, delivery.next_attempt_at = Delivery.Status.QUEUED, timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    audit.record(actor=actor, event=Event.NOTIFY_DELIVERY_RETRY, target=delivery, school=delivery.school_id,
                 county=delivery.county_id, via=delivery.via, attempts=delivery.attempts)
    transaction.on_commit(_queue_pass, robust=True)
    return delivery


# --- Notices (通知) and their receipts -------------------------------------------------


@transaction.atomic
def notice_send(*, actor, school=None, county=None, title: str, body: str, audience: str, groups=(),
                requires_receipt: bool = False) -> Broadcast:
    """A notice from a school (to its teachers or some of its groups) or a county (to its schools' admins or
    all its teachers): one message per recipient, one audit row."""
    if (school is None) == (county is None):
        raise ValidationError(_("通知须由一所学校或一个区县发出。"))
    if school is not None:
        scopes.require(access.can_manage_school(actor, school.pk), _("只能以本校的名义发通知。"))
        allowed = broadcasts.SCHOOL_AUDIENCES
    else:
        scopes.require(access.can_manage_county(actor, county.pk), _("只能以本辖区的名义发通知。"))
        allowed = broadcasts.COUNTY_AUDIENCES
    if audience not in allowed:
        raise ValidationError({"audience": _("请选择%(owner)s可以发送的对象。") % {"owner": school or county}})
    groups = list(groups)
    if audience == Broadcast.Audience.SCHOOL_GROUPS:
        if not groups:
            raise ValidationError({"groups": _("请至少选择一个教研组。")})
        if any(g.school_id != school.pk for g in groups):
            raise ValidationError({"groups": _("只能选择本校的教研组。")})
    else:
        groups = []
    broadcast = Broadcast(school=school, county=county, sender=actor, title=(title or "").strip(), body=(body or "").strip(),
                          audience=audience, requires_receipt=bool(requires_receipt))
    broadcast.full_clean()
    users = [u for u in broadcasts.audience_users(school=school, county=county, audience=audience, groups=groups) if u != actor.pk]
    active = set(User.objects.filter(pk__in=users, is_active=True).values_list("pk", flat=True))
    users = [u for u in users if u in active]
    if not users:
        raise ValidationError({"audience": _("所选对象中没有可以接收通知的人。")})
    broadcast.recipient_count = len(users)
    broadcast.save()
    broadcast.groups.set(groups)
    county_id = county.pk if county is not None else school.county_id
    event = audit.record(actor=actor, event=Event.NOTIFY_NOTICE_SEND, target=broadcast, school=school, county=county_id,
                         title=broadcast.title, audience=audience, count=len(users), requires_receipt=broadcast.requires_receipt)
    notices = [recipients.Notice(user_id=u, kind=MessageKind.NOTICE, title=broadcast.title, body=broadcast.body, url="",
                                 topic=broadcast.topic) for u in users]
    write_messages(notices, event=event, sender_id=actor.pk, county_id=county_id, requires_receipt=broadcast.requires_receipt)
    return broadcast


@transaction.atomic
def notice_remind(*, actor, broadcast: Broadcast) -> int:
    """"Remind the rest": a reminder to exactly those who have not read the notice yet; one audit row."""
    broadcast = Broadcast.objects.select_for_update(of=("self",)).select_related("school").get(pk=broadcast.pk)
    scopes.require(broadcasts.can_manage(actor, broadcast), _("只能提醒本校或本辖区发出的通知。"))
    unread = list(broadcasts.unread_messages(broadcast).order_by("pk").values_list("pk", "recipient_id"))
    if not unread:
        raise ValidationError(_("收件人都已阅读，无需提醒。"))
    county_id = broadcast.county_id_of_owner
    event = audit.record(actor=actor, event=Event.NOTIFY_NOTICE_REMIND, target=broadcast, school=broadcast.school_id,
                         county=county_id, count=len(unread))
    what = _("请确认已阅") if broadcast.requires_receipt else _("请阅读")
    notices = [recipients.Notice(user_id=user_id, kind=MessageKind.REMINDER,
                                 title=_("%(what)s：%(title)s") % {"what": what, "title": broadcast.title},
                                 body=_("%(owner)s于 %(date)s 发出的通知，您还没有阅读。") % {
                                     "owner": broadcast.owner_name, "date": recipients.when(broadcast.created_at)},
                                 url=reverse("notify:message", args=[message_id]), topic=broadcast.topic)
               for message_id, user_id in unread]
    write_messages(notices, event=event, sender_id=actor.pk, county_id=county_id)
    return len(unread)


# --- Reminder rules ---------------------------------------------------------------------


def _check_offset(what: str, days, hours) -> tuple[int, int]:
    try:
        days, hours = int(days or 0), int(hours or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("天数和小时数须是整数。")) from None
    if not (0 <= days <= 60):
        raise ValidationError({"days": _("天数须在 0 到 60 之间。")})
    if not (0 <= hours <= 23):
        raise ValidationError({"hours": _("小时数须在 0 到 23 之间。")})
    if days == 0 and hours == 0:
        raise ValidationError({"days": _("天数和小时数不能都为 0。")})
    return days, hours


@transaction.atomic
def reminder_rule_create(*, actor, what: str, days: int, hours: int, enabled: bool = True) -> ReminderRule:
    """Another installation-wide rule (a superuser's): e.g. a session reminder three days before."""
    scopes.require(scopes.scope_of(actor).superuser, _("只有系统管理员可以新增提醒规则。"))
    if what not in ReminderWhat.values:
        raise ValidationError({"what": _("请选择提醒事项。")})
    days, hours = _check_offset(what, days, hours)
    if ReminderRule.objects.filter(what=what, county__isnull=True, days=days, hours=hours).exists():
        raise ValidationError(_("已有相同的提醒规则。"))
    rule = ReminderRule(what=what, days=days, hours=hours, enabled=bool(enabled))
    rule.full_clean()
    rule.save()
    audit.record(actor=actor, event=Event.NOTIFY_REMINDER_RULE_SAVE, target=rule, county=None, what=what, days=days,
                 hours=hours, enabled=rule.enabled, created=True)
    return rule


@transaction.atomic
def reminder_rule_save(*, actor, rule: ReminderRule, county=None, days: int, hours: int, enabled: bool) -> ReminderRule:
    """Change an installation rule (``county`` None: superusers only), or set a county's override of it
    (the county's region staff): another offset, or off in that county."""
    rule = ReminderRule.objects.select_for_update().get(pk=rule.pk, county__isnull=True)
    days, hours = _check_offset(rule.what, days, hours)
    if county is None:
        scopes.require(scopes.scope_of(actor).superuser, _("只有系统管理员可以修改全系统的提醒规则。"))
        target = rule
    else:
        scopes.require(access.can_manage_county(actor, county.pk), _("只能修改本辖区的提醒规则。"))
        target = ReminderRule.objects.filter(base=rule, county=county).first() or ReminderRule(what=rule.what, base=rule, county=county)
    target.days, target.hours, target.enabled = days, hours, bool(enabled)
    target.full_clean()
    target.save()
    audit.record(actor=actor, event=Event.NOTIFY_REMINDER_RULE_SAVE, target=target, county=county, what=rule.what,
                 days=days, hours=hours, enabled=target.enabled, rule=rule.pk)
    return target


@transaction.atomic
def reminder_rule_reset(*, actor, rule: ReminderRule, county) -> None:
    """The county follows the installation's rule again (its override removed)."""
    scopes.require(county is not None and access.can_manage_county(actor, county.pk), _("只能修改本辖区的提醒规则。"))
    override = ReminderRule.objects.select_for_update().filter(base_id=rule.pk, county=county).first()
    if override is None:
        raise ValidationError(_("本区县没有修改过这条规则。"))
    audit.record(actor=actor, event=Event.NOTIFY_REMINDER_RULE_RESET, target=override, county=county, what=override.what,
                 rule=rule.pk)
    override.delete()
