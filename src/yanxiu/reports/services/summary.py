"""Writes of the year-end summary: save (text and a fresh snapshot of the figures), file, reopen.

- :func:`summary_save`: the school's admin saves the title and the sections;
  the figures are computed again and kept as the summary's snapshot. Sections
  given as ``None`` are drafted from the fresh figures (重新起草).
- :func:`summary_file`: the school hands the summary in; the snapshot and the
  text are frozen (every empty section gets its draft), and saving is refused
  from then on.
- :func:`summary_reopen`: region staff over the school return a filed summary
  with a reason; the school may then change and file it again.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, params
from yanxiu.core.events import Event
from yanxiu.org import scopes

from .. import summary as logic
from ..figures import school_figures
from ..models import SUMMARY_SECTION_KEYS, SUMMARY_SECTIONS, YearSummary

SECTION_MAX = 5000
TITLE_MAX = 120
REASON_MAX = 300


def _clean(text) -> str:
    """Stripped text without NUL characters (PostgreSQL refuses them)."""
    return str(text or "").replace("\x00", "").strip()


def _check_year(school, year) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise ValidationError({"school_year": _("学年须为整数。")})
    try:
        params.check_year(year, name="year")
    except ValueError as exc:
        raise ValidationError({"school_year": str(exc)}) from None
    if not logic.year_begun(school, year):
        raise ValidationError({"school_year": _("%(years)s学年尚未开始，不能编写工作总结。") % {"years": logic.year_label(year)}})
    return year


def _check_sections(sections) -> dict[str, str]:
    if not isinstance(sections, dict):
        raise ValidationError({"sections": _("正文格式不正确。")})
    labels = dict(SUMMARY_SECTIONS)
    unknown = [str(key)[:20] for key in sections if key not in labels]
    if unknown:
        raise ValidationError({"sections": _("未知的总结部分：%(keys)s。") % {"keys": "、".join(unknown)}})
    out = {}
    for key in SUMMARY_SECTION_KEYS:
        text = _clean(sections.get(key, ""))
        if len(text) > SECTION_MAX:
            raise ValidationError({key: _("“%(label)s”不能超过 %(n)s 字（现有 %(len)s 字）。") % {
                "label": labels[key], "n": SECTION_MAX, "len": len(text)}})
        out[key] = text
    return out


def _refuse_filed(summary: YearSummary) -> None:
    if summary.is_filed:
        day = timezone.localtime(summary.filed_at).strftime("%Y-%m-%d") if summary.filed_at else ""
        raise ValidationError(_("该学年的工作总结已于 %(day)s 报送，不能再修改；如需修改，请联系教育局退回。") % {"day": day})


def _locked(school, year: int) -> tuple[YearSummary, bool]:
    """The year's summary of ``school`` locked for this transaction (created when missing), and whether it is new."""
    _row, created = YearSummary.objects.get_or_create(school=school, school_year=year)
    return YearSummary.objects.select_for_update().get(school=school, school_year=year), created


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def summary_save(*, actor, school, year: int, title: str, sections: dict | None) -> YearSummary:
    """Save ``school``'s summary of ``year`` (created when missing) and refresh its figures' snapshot."""
    scopes.require(logic.can_write(actor, school), _("只有本校管理员可以编写年度工作总结。"))
    year = _check_year(school, year)
    title = _clean(title)
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("标题不能超过 %(n)s 字。") % {"n": TITLE_MAX}})
    checked = None if sections is None else _check_sections(sections)
    summary, created = _locked(school, year)
    _refuse_filed(summary)
    now = timezone.now()
    figures = school_figures(school, year, now=now)
    if checked is None:
        checked = logic.draft_sections(school, year, figures, as_of=timezone.localdate(now))
    summary.title = title or logic.default_title(school, year)
    summary.sections = checked
    summary.figures = [f.as_json() for f in figures]
    summary.figures_at = now
    summary.updated_by = _user(actor)
    summary.full_clean()
    summary.save()
    audit.record(actor=actor, event=Event.REPORT_SUMMARY_SAVE, target=summary, school=school, year=year,
                 created=created, redrafted=sections is None)
    return summary


@transaction.atomic
def summary_file(*, actor, summary: YearSummary) -> YearSummary:
    """Hand ``summary`` in: its snapshot and text are frozen and it can no longer be saved."""
    school = summary.school
    scopes.require(logic.can_write(actor, school), _("只有本校管理员可以报送年度工作总结。"))
    summary = YearSummary.objects.select_for_update().get(pk=summary.pk)
    _refuse_filed(summary)
    now = timezone.now()
    if not summary.figures:
        summary.figures = [f.as_json() for f in school_figures(school, summary.school_year, now=now)]
        summary.figures_at = now
    draft = logic.draft_sections(school, summary.school_year, summary.figures, as_of=timezone.localdate(now))
    saved = summary.sections or {}
    summary.sections = {key: (str(saved.get(key) or "").strip() or draft[key]) for key in SUMMARY_SECTION_KEYS}
    summary.title = summary.title or logic.default_title(school, summary.school_year)
    summary.status = YearSummary.Status.FILED
    summary.filed_at = now
    summary.filed_by = _user(actor)
    summary.full_clean()
    summary.save()
    audit.record(actor=actor, event=Event.REPORT_SUMMARY_FILE, target=summary, school=school, year=summary.school_year)
    return summary


@transaction.atomic
def summary_reopen(*, actor, summary: YearSummary, reason: str) -> YearSummary:
    """Return a filed summary to its school (region staff), with the reason."""
    school = summary.school
    scopes.require(logic.can_reopen(actor, school), _("只有教育局或研训中心可以退回学校的工作总结。"))
    reason = _clean(reason)
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因。")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("退回原因不能超过 %(n)s 字。") % {"n": REASON_MAX}})
    summary = YearSummary.objects.select_for_update().get(pk=summary.pk)
    if not summary.is_filed:
        raise ValidationError(_("该工作总结尚未报送，不需要退回。"))
    filed_at = summary.filed_at
    summary.status = YearSummary.Status.DRAFT
    summary.filed_at = None
    summary.filed_by = None
    summary.full_clean()
    summary.save()
    audit.record(actor=actor, event=Event.REPORT_SUMMARY_REOPEN, target=summary, school=school, year=summary.school_year,
                 reason=reason, filed_at=timezone.localtime(filed_at).isoformat() if filed_at else "")
    return summary
