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

from . import access, selectors, services
from .forms import DEFAULT_BODY, ChannelForm, PreferencesForm, StatusFilter
from .models import Delivery

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
        return {**kwargs, "runs_channels": access.runs_channels(self.request.user)}


@login_required
def message_detail(request, pk):
    """Open one of one's own messages: it is marked read."""
    message = get_object_or_404(selectors.inbox_of(request.user), pk=pk)
    services.message_mark_read(actor=request.user, message=message)
    return render(request, "notify/message.html", {"message": message, "page_title": message.title})


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
