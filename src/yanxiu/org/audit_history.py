"""Audit history for the people who run a school or a region.

Each audit row names the school and the county it concerns
(``core.AuditEvent.school_id`` / ``county_id``). Who reads which rows is
decided here, beside the other scopes, because core may not know about
schools:

- a school admin: the rows of the schools they administer;
- bureau and training-centre staff: the rows of their counties, including a
  row that names only a school of one of those counties;
- a superuser: every row.

Rows show the action's label, who acted, on what, and when. The JSON detail
is never shown whole: only a short title or name from it, with anything that
looks like an ID number or a phone masked.
"""

from __future__ import annotations

import re

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core.events import Event
from yanxiu.core.lists import Column, ScopedListView
from yanxiu.core.models import AuditEvent

from . import scopes
from .models import School, mask_id_number, mask_phone


def audit_events_visible_to(user) -> QuerySet[AuditEvent]:
    """The audit rows of the user's schools and counties, newest first."""
    s = scopes.scope_of(user)
    rows = AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")
    if s.superuser:
        return rows
    if not (s.region_counties or s.admin_schools):
        return rows.none()
    q = Q(school_id__in=sorted(s.admin_schools)) if s.admin_schools else Q(pk__in=[])
    if s.region_counties:
        counties = sorted(s.region_counties)
        q |= Q(county_id__in=counties) | Q(school_id__in=School.objects.filter(county_id__in=counties).values("pk"))
    return rows.filter(q)


def can_view_audit_log(user) -> bool:
    s = scopes.scope_of(user)
    return bool(s.superuser or s.region_counties or s.admin_schools)


# --- Showing a row -----------------------------------------------------------

#: 18-digit ID numbers (last may be X) and 11-digit mobile numbers inside free text.
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
#: The detail keys whose value names the thing acted on; nothing else of the detail is shown.
SUMMARY_KEYS = ("title", "name")
SUMMARY_MAX = 60


def mask_personal_numbers(text: str) -> str:
    """``text`` with ID numbers and phones masked as on every list."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def target_label(event: AuditEvent) -> str:
    """What the row acted on: the kind of record (its Chinese name) and a short title from the detail."""
    try:
        kind = str(apps.get_model(event.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        kind = _("记录")
    detail = event.detail if isinstance(event.detail, dict) else {}
    summary = next((str(detail[k]) for k in SUMMARY_KEYS if isinstance(detail.get(k), (str, int)) and str(detail[k]).strip()), "")
    if summary:
        summary = mask_personal_numbers(summary.strip())[:SUMMARY_MAX]
        return f"{kind}：{summary}"
    return f"{kind} #{event.target_id}"


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("操作"), required=False,
        choices=[("", gettext_lazy("全部操作"))] + sorted(Event.choices, key=lambda c: c[0]),
    )


class AuditLogView(ScopedListView):
    """操作记录: what was done in the reader's schools or counties, newest first."""

    page_title = gettext_lazy("操作记录")
    template_name = "org/audit_log.html"
    empty_message = gettext_lazy("暂无记录")
    filters = AuditFilterForm
    paginate_by = 50
    columns = [
        Column("created_at", gettext_lazy("时间"), value=lambda e: timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M")),
        Column("action", gettext_lazy("操作"), value=lambda e: Event(e.action).label if e.action in Event.values else _("其他操作")),
        Column("actor", gettext_lazy("操作人"), value=lambda e: e.actor or _("系统")),
        Column("target", gettext_lazy("对象"), value=target_label),
    ]

    def check_permission(self):
        scopes.require(can_view_audit_log(self.request.user), _("您没有权限访问此页面。"))

    def get_queryset(self):
        return audit_events_visible_to(self.request.user)
