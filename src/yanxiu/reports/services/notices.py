"""Writes of notices (通报): a county's document settings and issuing a notice.

A notice takes the next number of its county and year (溆教通〔2026〕N号):
the county's settings row is locked (``select_for_update``) while the number is
taken, and the unique constraint on (region, year, number) is the last word —
a collision is retried with the next number, so no two notices share one.
Issuing freezes the number, the issuing body, the title, the text and the
rows, so the issued document never changes when the data does.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, params
from yanxiu.core.events import Event
from yanxiu.org import scopes

from .. import notices
from ..models import DocumentSettings, OfficialNotice

#: Attempts at taking a number before giving up (each collision moves to the next number).
NUMBER_ATTEMPTS = 5


def _text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError({field: _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": max_length}})
    return text


@transaction.atomic
def document_settings_set(*, actor, region, issuing_body, number_prefix) -> DocumentSettings:
    """Set the county's issuing body (溆浦县教育局) and the prefix of its document numbers (溆教通)."""
    scopes.require(notices.can_issue(actor, region), _("只有本县教育局或研训中心人员可以设置公文格式。"))
    issuing_body = _text(issuing_body, field="issuing_body", label=_("发文机关"), max_length=60)
    number_prefix = _text(number_prefix, field="number_prefix", label=_("发文字号前缀"), max_length=20)
    if any(ch in number_prefix for ch in "〔〕[]()（）"):
        raise ValidationError({"number_prefix": _("发文字号前缀只写代字（如 溆教通），年份和序号由系统编排。")})
    settings = DocumentSettings.objects.select_for_update().filter(region=region).first() or DocumentSettings(region=region)
    before = (settings.issuing_body, settings.number_prefix) if settings.pk else None
    settings.issuing_body, settings.number_prefix = issuing_body, number_prefix
    settings.full_clean(exclude=["region"])
    settings.save()
    audit.record(actor=actor, event=Event.REPORT_DOCUMENT_SETTINGS, target=settings, county=region,
                 issuing_body=issuing_body, number_prefix=number_prefix,
                 before=list(before) if before else None)
    return settings


def _date(value) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({"date": _("请填写成文日期。")})
    try:
        params.check_date(value, name=_("成文日期"))
    except ValueError as exc:
        raise ValidationError({"date": str(exc)}) from None
    if value > timezone.localdate():
        raise ValidationError({"date": _("成文日期不能晚于今天。")})
    return value


def next_number(region, year: int) -> int:
    """The next free sequence number of ``region`` in ``year`` (call with the settings row locked)."""
    top = OfficialNotice.objects.filter(region=region, number_year=year).aggregate(top=Max("number_seq"))["top"]
    return (top or 0) + 1


def _scope_json(kind: str, scope: dict) -> dict:
    """The scope as stored: only the keys of its kind."""
    if kind == OfficialNotice.Kind.ABSENCE:
        for key in ("session", "project", "month"):
            if scope.get(key) not in (None, ""):
                return {key: str(scope[key]).strip() if key == "month" else params.parse_id(scope[key])}
        return {}
    keep = {key: scope[key] for key in ("schools", "groups", "reason", "reasons", "year") if key in scope}
    for key in ("schools", "groups"):
        keep[key] = [params.parse_id(v) for v in keep.get(key) or []]
    return keep


@transaction.atomic
def notice_issue(*, actor, region, kind, scope, title, body, date, issue_token: str = "") -> OfficialNotice:
    """Issue a notice of ``kind`` over ``scope`` in ``region``: its number is taken, its rows and text frozen.

    ``issue_token`` is the one-time token of the preview the officer issued from: it is kept in the
    notice's scope, and a second issue with the same token (a double click, a resubmitted form)
    issues nothing and returns the notice the first one issued. The check runs with the county's
    settings row locked, so two concurrent submits cannot both pass it.
    """
    scopes.require(notices.can_issue(actor, region), _("只有本县教育局或研训中心人员可以印发通报。"))
    if kind not in OfficialNotice.Kind.values:
        raise ValidationError({"kind": _("请选择通报类型。")})
    settings = DocumentSettings.objects.select_for_update().filter(region=region).first()
    if settings is None:
        raise ValidationError(_("请先设置本县的发文机关和发文字号前缀（公文格式），再印发通报。"))
    issue_token = str(issue_token or "")[:64]
    if issue_token:
        earlier = notices.notice_issued_with(region, issue_token)
        if earlier is not None:
            return earlier
    date = _date(date)
    title = _text(title, field="title", label=_("标题"), max_length=notices.TITLE_MAX)
    body = _text(body, field="body", label=_("正文"), max_length=notices.BODY_MAX)
    scope = scope if isinstance(scope, dict) else {}
    rows = notices.rows_for(region, kind, scope)
    if not rows:
        raise ValidationError(_("所选范围内没有缺训或请假的教师，无需通报。"))
    stored_scope = _scope_json(kind, scope)
    if issue_token:
        stored_scope[notices.ISSUE_TOKEN_KEY] = issue_token
    year = date.year
    seq = next_number(region, year)
    for _attempt in range(NUMBER_ATTEMPTS):
        notice = OfficialNotice(
            region=region, kind=kind, scope=stored_scope, issuing_body=settings.issuing_body, number_year=year,
            number_seq=seq, doc_number=notices.doc_number(settings.number_prefix, year, seq), title=title, date=date,
            body=body, rows=rows, created_by=actor if getattr(actor, "pk", None) else None,
        )
        # The number's uniqueness is the database's to decide (a concurrent issue may have taken it).
        notice.full_clean(exclude=["region", "created_by"], validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            seq = max(seq, next_number(region, year) - 1) + 1
            continue
        break
    else:
        raise ValidationError(_("发文字号分配冲突，请稍后重试。"))
    audit.record(actor=actor, event=Event.REPORT_NOTICE_ISSUE, target=notice, county=region, kind=kind,
                 number=notice.doc_number, rows=len(rows))
    return notice
