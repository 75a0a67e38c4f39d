"""What stands behind each credit entry, in words, for the person page and the transcript.

Every entry carries its evidence (``CreditEntry.evidence``, written once by the
service that credited it): the sign-in and sign-out times and the accepted
reflection of a session, the row of an imported result list, the verified
certificate scan, the proof of an activity, the decision on an objection.
:func:`describe` turns it into one line, and where a document backs it, the
address of that document (served only to those allowed to see it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CreditEntry, SourceType


@dataclass(frozen=True)
class Evidence:
    text: str
    link: str = ""
    link_label: str = ""


def _time(value: str, fmt: str) -> str:
    if not value:
        return ""
    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime(fmt)
    except (TypeError, ValueError):
        return value


def _session(ev: dict) -> Evidence:
    parts = []
    manual = ev.get("manual") or {}
    if manual.get("no_scan"):
        parts.append(_("无扫码签到，%(t)s 由管理员登记") % {"t": _time(ev.get("signed_in_at", ""), "%Y-%m-%d %H:%M")})
    elif ev.get("signed_in_at"):
        parts.append(_("签到 %(t)s") % {"t": _time(ev["signed_in_at"], "%Y-%m-%d %H:%M")})
    if ev.get("signed_out_at"):
        parts.append(_("签退 %(t)s") % {"t": _time(ev["signed_out_at"], "%H:%M")})
    if manual:
        # An admin corrected the attendance by hand: say so, with who and why.
        parts.append(_("考勤经管理员更正为“%(status)s”（%(by)s：%(reason)s）")
                     % {"status": manual.get("status", ""), "by": manual.get("by", ""), "reason": manual.get("reason", "")})
    if ev.get("reflection_id"):
        parts.append(_("反思已通过（%(n)s 字）") % {"n": ev.get("reflection_chars", "")})
    return Evidence("，".join(parts))


def _import(ev: dict) -> Evidence:
    text = _("结果表第 %(row)s 行：%(result)s") % {"row": ev.get("row", ""), "result": ev.get("result", "")}
    if ev.get("organiser"):
        text += _("，主办单位 %(o)s") % {"o": ev["organiser"]}
    if ev.get("start"):
        text += _("，%(start)s 至 %(end)s") % {"start": ev["start"], "end": ev.get("end", "")}
    if ev.get("file_sha256"):
        text += _("，文件指纹 %(h)s") % {"h": ev["file_sha256"][:12]}
    return Evidence(text)


def _certificate(ev: dict) -> Evidence:
    parts = [_("学校已审核")]
    if ev.get("certificate_no"):
        parts.append(_("证书编号 %(no)s") % {"no": ev["certificate_no"]})
    if ev.get("organiser"):
        parts.append(_("主办单位 %(o)s") % {"o": ev["organiser"]})
    link = reverse("credits:claim_file", args=[ev["claim_id"]]) if ev.get("claim_id") and ev.get("file") else ""
    return Evidence("，".join(parts), link, _("证书扫描件") if link else "")


def _activity(ev: dict) -> Evidence:
    link = reverse("credits:activity_proof", args=[ev["activity_id"]]) if ev.get("activity_id") and ev.get("file") else ""
    return Evidence(_("证明：%(proof)s") % {"proof": ev.get("proof", "")}, link, _("证明文件") if link else "")


def _objection(ev: dict) -> Evidence:
    link = reverse("credits:posting_detail", args=[ev["posting_id"]]) if ev.get("posting_id") else ""
    return Evidence(_("公示异议处理：%(d)s") % {"d": ev.get("decision", "")}, link, _("公示") if link else "")


def _reversal(ev: dict) -> Evidence:
    return Evidence(_("冲正第 %(seq)s 条记录") % {"seq": ev.get("reverses_seq", "")})


DESCRIBERS = {
    SourceType.SESSION: _session,
    SourceType.IMPORT: _import,
    SourceType.CERTIFICATE: _certificate,
    SourceType.ACTIVITY: _activity,
    SourceType.OBJECTION: _objection,
    SourceType.REVERSAL: _reversal,
}


def describe(entry: CreditEntry) -> Evidence:
    describer = DESCRIBERS.get(entry.source_type)
    return describer(entry.evidence or {}) if describer else Evidence("")
