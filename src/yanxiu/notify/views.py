"""Pages of the notify app: the inbox, one message, preferences, channels, the delivery log.

Thin: lists are ScopedListViews over ``selectors``, buttons ServiceActionViews
and forms ServiceFormViews calling one service each. Messages are fetched from
the reader's own inbox, channels and deliveries from the reader's schools and
counties, so any other id is a 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core.crud import ServiceActionView, ServiceFormView
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.core.params import parse_id

from . import access, broadcasts, reminders, selectors, services
from .forms import DEFAULT_BODY, ChannelForm, NoticeForm, PreferencesForm, ReminderRuleForm, StatusFilter
from .models import Broadcast, Delivery

PAGE_DENIED = gettext_lazy("只有学校管理员和教育局、研训中心人员可以设置推送渠道。")


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- Inbox ----------------------------------------------------------------------


class InboxView(ScopedListView):
    template_name = "notify/inbox.html"
    page_title = gettext_lazy("消息")
    empty_message = gettext_lazy("没有消息。")
    paginate_by = 30
    search_fields = ["title", "body"]
    columns = [
        Column("title", gettext_lazy("标题"), template="notify/_title_cell.html"),
        Column("kind", gettext_lazy("类型"), value="get_kind_display", classes="hide-sm"),
        Column("created_at", gettext_lazy("时间"), value=lambda m: _local(m.created_at), classes="text-nowrap"),
    ]

    def get_queryset(self):
        return selectors.inbox_of(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {**kwargs, "runs_channels": access.runs_channels(user), "edits_reminders": _edits_reminders(user)}


@login_required
def message_detail(request, pk):
    """Open one of one's own messages: it is marked read."""
    message = get_object_or_404(selectors.inbox_of(request.user), pk=pk)
    services.message_mark_read(actor=request.user, message=message)
    return render(request, "notify/message.html", {"message": message, "page_title": message.title})


class MessageConfirmView(ServiceActionView):
    """"已阅" on a message that requires a receipt."""

    success_message = gettext_lazy("已确认阅读。")

    def get_object(self):
        return get_object_or_404(selectors.inbox_of(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.message_confirm_receipt(actor=self.request.user, message=self.object)

    def get_back_url(self):
        return reverse("notify:message", args=[self.kwargs["pk"]])


class MarkAllReadView(ServiceActionView):
    success_message = gettext_lazy("全部消息已标为已读。")

    def perform(self):
        return services.messages_mark_all_read(actor=self.request.user)

    def get_back_url(self):
        return reverse("notify:inbox")


class PreferencesView(ServiceFormView):
    form_class = PreferencesForm
    template_name = "notify/preferences.html"
    page_title = gettext_lazy("消息接收设置")
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("已保存。")

    def get_initial(self):
        return PreferencesForm.initial_from(selectors.preferences_of(self.request.user))

    def get_context_data(self, **kwargs):
        return {**kwargs, "has_email": bool(self.request.user.email)}

    def perform(self, form):
        return services.preferences_save(actor=self.request.user, choices=form.choices())

    def get_success_url(self, result):
        return reverse("notify:preferences")

    def get_back_url(self):
        return reverse("notify:inbox")


# --- Channels ---------------------------------------------------------------------


def _shown_url(url: str) -> str:
    """A channel's address without its query string (robot keys live there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")


def _require_runner(user) -> None:
    if not access.runs_channels(user):
        raise PermissionDenied(PAGE_DENIED)


class ChannelListView(ScopedListView):
    template_name = "notify/channels.html"
    page_title = gettext_lazy("推送渠道")
    empty_message = gettext_lazy("还没有推送渠道。")
    columns = [
        Column("name", gettext_lazy("名称"), link=lambda c: reverse("notify:channel_edit", args=[c.pk])),
        Column("owner", gettext_lazy("归属"), value="owner_name"),
        Column("url", gettext_lazy("推送地址"), value=lambda c: _shown_url(c.url), classes="hide-sm"),
        Column("headers", gettext_lazy("附加请求头"), value=lambda c: "、".join(sorted(c.headers or {})) or "—", classes="hide-sm"),
        Column("enabled", gettext_lazy("状态"), value=lambda c: _("启用") if c.enabled else _("停用")),
    ]

    def check_permission(self):
        _require_runner(self.request.user)

    def get_queryset(self):
        return selectors.channels_visible_to(self.request.user).order_by("name", "pk")


class _ChannelFormView(ServiceFormView):
    form_class = ChannelForm
    template_name = "notify/channel_form.html"
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("推送渠道已保存。")

    def check(self):
        _require_runner(self.request.user)
        super().check()

    def get_success_url(self, result):
        return reverse("notify:channels")

    def get_back_url(self):
        return reverse("notify:channels")


class ChannelCreateView(_ChannelFormView):
    page_title = gettext_lazy("新建推送渠道")

    def get_form_kwargs(self):
        return {"owners": selectors.owner_choices(self.request.user)}

    def get_initial(self):
        return {"body_template": DEFAULT_BODY, "enabled": True}

    def perform(self, form):
        from yanxiu.org.models import Region, School

        kind, _sep, raw = form.cleaned_data["owner"].partition(":")
        pk = parse_id(raw)
        school = School.objects.filter(pk=pk).first() if kind == "school" else None
        county = Region.objects.filter(pk=pk).first() if kind == "county" else None
        return services.channel_save(actor=self.request.user, school=school, county=county,
                                     headers=services.parse_headers(form.cleaned_data["headers"]), **_fields(form))


def _fields(form) -> dict:
    data = form.cleaned_data
    return {"name": data["name"], "url": data["url"], "body_template": data["body_template"], "enabled": data["enabled"]}


class ChannelEditView(_ChannelFormView):
    page_title = gettext_lazy("修改推送渠道")

    def get_object(self):
        return get_object_or_404(selectors.channels_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {"editing": True}

    def get_initial(self):
        c = self.object
        return {"name": c.name, "url": c.url, "body_template": c.body_template, "enabled": c.enabled}

    def get_context_data(self, **kwargs):
        return {**kwargs, "channel": self.object, "header_names": sorted(self.object.headers or {})}

    def perform(self, form):
        text = form.cleaned_data["headers"]
        headers = services.parse_headers(text) if text.strip() else None
        return services.channel_save(actor=self.request.user, channel=self.object, headers=headers, **_fields(form))


class ChannelDeleteView(ServiceActionView):
    success_message = gettext_lazy("推送渠道已删除。")

    def check_role(self):
        _require_runner(self.request.user)

    def get_object(self):
        return get_object_or_404(selectors.channels_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.channel_delete(actor=self.request.user, channel=self.object)

    def get_back_url(self):
        return reverse("notify:channels")


# --- Delivery log -----------------------------------------------------------------


def _target(d: Delivery) -> str:
    if d.via == Delivery.Via.EMAIL:
        return str(d.message.recipient)
    return d.channel.name if d.channel else _("（已删除的渠道）")


class DeliveryLogView(ScopedListView):
    template_name = "notify/deliveries.html"
    page_title = gettext_lazy("消息发送记录")
    empty_message = gettext_lazy("没有发送记录。")
    filters = StatusFilter
    search_fields = ["message__title"]
    columns = [
        Column("created_at", gettext_lazy("时间"), value=lambda d: _local(d.created_at), sortable="created_at", classes="text-nowrap"),
        Column("via", gettext_lazy("方式"), value="get_via_display"),
        Column("target", gettext_lazy("发往"), value=_target),
        Column("title", gettext_lazy("消息"), value="message.title"),
        Column("status", gettext_lazy("状态"), value="get_status_display", sortable="status"),
        Column("attempts", gettext_lazy("尝试次数"), classes="text-end"),
        Column("next_attempt_at", gettext_lazy("下次尝试"), value=lambda d: _local(d.next_attempt_at) if d.status == Delivery.Status.QUEUED else "",
               classes="hide-sm"),
        Column("last_error", gettext_lazy("最近错误"), classes="hide-sm"),
        Column("retry", gettext_lazy("操作"), value=lambda d: "", template="notify/_retry_cell.html", export=False),
    ]

    def check_permission(self):
        _require_runner(self.request.user)

    def get_queryset(self):
        return selectors.deliveries_visible_to(self.request.user).order_by("-created_at", "-pk")


class DeliveryRetryView(ServiceActionView):
    success_message = gettext_lazy("已重新排队，稍后发送。")

    def check_role(self):
        _require_runner(self.request.user)

    def get_object(self):
        return get_object_or_404(selectors.deliveries_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.delivery_retry(actor=self.request.user, delivery=self.object)

    def get_back_url(self):
        return reverse("notify:deliveries")


# --- Notices (通知) and their receipts -----------------------------------------------

SEND_DENIED = gettext_lazy("只有学校管理员和教育局、研训中心人员可以发通知。")


def _require_sender(user) -> None:
    if not broadcasts.can_send(user):
        raise PermissionDenied(SEND_DENIED)


def _read_count(b: Broadcast) -> str:
    """Read / recipients, from the list's ``unread_count`` annotation (no query per row)."""
    return f"{b.recipient_count - b.unread_count} / {b.recipient_count}"


class NoticeListView(ScopedListView):
    template_name = "notify/notices.html"
    page_title = gettext_lazy("通知")
    empty_message = gettext_lazy("还没有发过通知。")
    search_fields = ["title"]
    columns = [
        Column("title", gettext_lazy("标题"), link=lambda b: reverse("notify:notice_detail", args=[b.pk])),
        Column("owner", gettext_lazy("发送单位"), value="owner_name", classes="hide-sm"),
        Column("audience", gettext_lazy("发送对象"), value="get_audience_display", classes="hide-sm"),
        Column("receipt", gettext_lazy("回执"), value=lambda b: _("需要") if b.requires_receipt else _("不需要"), classes="hide-sm"),
        Column("read", gettext_lazy("已阅 / 人数"), value=_read_count, classes="text-nowrap"),
        Column("created_at", gettext_lazy("发送时间"), value=lambda b: _local(b.created_at), classes="text-nowrap"),
    ]

    def check_permission(self):
        _require_sender(self.request.user)

    def get_queryset(self):
        return broadcasts.with_unread_count(broadcasts.broadcasts_visible_to(self.request.user)).order_by("-created_at", "-pk")


class NoticeCreateView(ServiceFormView):
    form_class = NoticeForm
    template_name = "notify/notice_form.html"
    page_title = gettext_lazy("发通知")
    submit_label = gettext_lazy("发送")
    success_message = gettext_lazy("通知已发送。")

    def check(self):
        _require_sender(self.request.user)
        super().check()

    def get_form_kwargs(self):
        user = self.request.user
        owners = selectors.owner_choices(user)
        kinds = {o.split(":")[0] for o, _label in owners}
        audiences = [(a.value, a.label) for a in Broadcast.Audience
                     if ("school" in kinds and a in broadcasts.SCHOOL_AUDIENCES) or ("county" in kinds and a in broadcasts.COUNTY_AUDIENCES)]
        return {"owners": owners, "groups": broadcasts.group_choices(user), "audiences": audiences}

    def perform(self, form):
        from yanxiu.org.models import Group, Region, School

        data = form.cleaned_data
        kind, _sep, raw = data["owner"].partition(":")
        pk = parse_id(raw)
        school = School.objects.filter(pk=pk).first() if kind == "school" else None
        county = Region.objects.filter(pk=pk, level="county").first() if kind == "county" else None
        ids = [parse_id(g) for g in data.get("groups") or []]
        groups = list(Group.objects.filter(pk__in=[g for g in ids if g]))
        return services.notice_send(actor=self.request.user, school=school, county=county, title=data["title"], body=data["body"],
                                    audience=data["audience"], groups=groups, requires_receipt=data["requires_receipt"])

    def get_success_url(self, result):
        return reverse("notify:notice_detail", args=[result.pk])

    def get_back_url(self):
        return reverse("notify:notices")


@login_required
def notice_detail(request, pk):
    """The sender's page: who has read the notice, who has not, and "remind the rest"."""
    _require_sender(request.user)
    broadcast = get_object_or_404(broadcasts.broadcasts_visible_to(request.user), pk=pk)
    read, unread = broadcasts.receipts(broadcast)
    return render(request, "notify/notice_detail.html", {
        "broadcast": broadcast, "read": read, "unread": unread, "page_title": broadcast.title,
        "can_remind": broadcasts.can_manage(request.user, broadcast) and bool(unread),
    })


class NoticeRemindView(ServiceActionView):
    def check_role(self):
        _require_sender(self.request.user)

    def get_object(self):
        return get_object_or_404(broadcasts.broadcasts_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.notice_remind(actor=self.request.user, broadcast=self.object)

    def get_success_message(self, result):
        return _("已提醒 %(n)s 位尚未阅读的人。") % {"n": result}

    def get_back_url(self):
        return reverse("notify:notice_detail", args=[self.kwargs["pk"]])


# --- Reminder rules -------------------------------------------------------------------

RULES_DENIED = gettext_lazy("只有系统管理员和教育局、研训中心人员可以设置提醒规则。")


def _edits_reminders(user) -> bool:
    from yanxiu.org import scopes

    s = scopes.scope_of(user)
    return s.superuser or bool(s.region_counties)


def _rule_counties(user):
    """The counties whose overrides the user sets (a superuser: every county)."""
    from yanxiu.org import scopes
    from yanxiu.org.models import Region

    s = scopes.scope_of(user)
    rows = Region.objects.filter(level="county").order_by("code")
    return rows if s.superuser else rows.filter(pk__in=s.region_counties)


def _rule_county(request, source):
    """The county a reminder-rules page is about: ``county`` when the user may set it, else their first one;
    None for a superuser without one (the installation's rules). Another county is a 404."""
    from django.http import Http404

    from yanxiu.core.params import id_param
    from yanxiu.org import scopes

    counties = _rule_counties(request.user)
    wanted = id_param(source, "county")
    if wanted is not None:
        county = counties.filter(pk=wanted).first()
        if county is None:
            raise Http404(_("没有这个区县，或您无权设置它的提醒规则。"))
        return county
    return None if scopes.scope_of(request.user).superuser else counties.first()


def _require_rules_editor(user) -> None:
    if not _edits_reminders(user):
        raise PermissionDenied(RULES_DENIED)


def _rules_url(county) -> str:
    url = reverse("notify:reminder_rules")
    return f"{url}?county={county.pk}" if county is not None else url


@login_required
def reminder_rules(request):
    from yanxiu.org import scopes

    _require_rules_editor(request.user)
    county = _rule_county(request, request.GET)
    rules = reminders.rules_for(county.pk if county else None)
    return render(request, "notify/reminder_rules.html", {
        "page_title": _("提醒规则"), "county": county, "rules": rules, "counties": list(_rule_counties(request.user)[:500]),
        "superuser": scopes.scope_of(request.user).superuser,
    })


class _RuleFormView(ServiceFormView):
    form_class = ReminderRuleForm
    template_name = "notify/reminder_rule_form.html"
    submit_label = gettext_lazy("保存")
    success_message = gettext_lazy("提醒规则已保存。")

    def check(self):
        _require_rules_editor(self.request.user)
        self.county = _rule_county(self.request, self.request.GET)
        super().check()

    def get_context_data(self, **kwargs):
        return {**kwargs, "county": self.county, "rule": self.object}

    def get_success_url(self, result):
        return _rules_url(self.county)

    def get_back_url(self):
        return _rules_url(self.county)


class ReminderRuleEditView(_RuleFormView):
    page_title = gettext_lazy("修改提醒规则")

    def check(self):
        super().check()
        if self.county is None:
            from yanxiu.org import scopes

            if not scopes.scope_of(self.request.user).superuser:
                raise PermissionDenied(RULES_DENIED)

    def get_object(self):
        return get_object_or_404(selectors.reminder_rules_editable_by(self.request.user), pk=self.kwargs["pk"])

    def get_initial(self):
        rule = self.object
        if self.county is not None:
            rule = selectors.override_of(rule, self.county) or rule
        return {"days": rule.days, "hours": rule.hours, "enabled": rule.enabled}

    def perform(self, form):
        data = form.cleaned_data
        return services.reminder_rule_save(actor=self.request.user, rule=self.object, county=self.county, days=data["days"],
                                           hours=data["hours"], enabled=data["enabled"])


class ReminderRuleCreateView(_RuleFormView):
    page_title = gettext_lazy("新增提醒规则")

    def check(self):
        from yanxiu.org import scopes

        if not scopes.scope_of(self.request.user).superuser:
            raise PermissionDenied(_("只有系统管理员可以新增提醒规则。"))
        super().check()

    def get_form_kwargs(self):
        return {"creating": True}

    def get_initial(self):
        return {"days": 1, "hours": 0, "enabled": True}

    def perform(self, form):
        data = form.cleaned_data
        return services.reminder_rule_create(actor=self.request.user, what=data["what"], days=data["days"], hours=data["hours"],
                                             enabled=data["enabled"])


class ReminderRuleResetView(ServiceActionView):
    success_message = gettext_lazy("已恢复为全系统的默认规则。")

    def check_role(self):
        _require_rules_editor(self.request.user)

    def get_object(self):
        self.county = _rule_county(self.request, self.request.POST)
        return get_object_or_404(selectors.reminder_rules_editable_by(self.request.user), pk=self.kwargs["pk"])

    def perform(self):
        return services.reminder_rule_reset(actor=self.request.user, rule=self.object, county=self.county)

    def get_back_url(self):
        return _rules_url(getattr(self, "county", None))
