"""Writes of teaching-routine checks: the school's kinds of check, a check with its findings and papers, feedback.

The kinds the seeds name ship as presets a school gets on first use and then
edits (:func:`check_kinds_ensure`): 备课 weekly (leaders check individual lesson
plans every Monday and sum them on Friday), 作业批改 monthly, 随堂听课 by the
leaders twice a week with feedback to the teacher within the week, 写字本
monthly, and 教学常规检查 four times a term.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import audit, uploads
from yanxiu.core.events import Event
from yanxiu.growth import calendar
from yanxiu.org import scopes
from yanxiu.org.selectors import current_staff

from .. import check_selectors as sel
from ..choices import Cadence, Grade
from ..models import CheckAttachment, CheckFinding, CheckKind, RoutineCheck

MAX_ATTACHMENTS = 5
MAX_FINDINGS = 200
MAX_KINDS = 30
TEXT_LIMITS = {"scope": 120, "summary": 2000}

PRESETS = (
    {"name": gettext_lazy("备课"), "cadence": Cadence.WEEKLY, "per_period": 1, "feedback_days": None, "leaders_only": True},
    {"name": gettext_lazy("作业批改"), "cadence": Cadence.MONTHLY, "per_period": 1, "feedback_days": None, "leaders_only": True},
    {"name": gettext_lazy("随堂听课"), "cadence": Cadence.WEEKLY, "per_period": 2, "feedback_days": 7, "leaders_only": True},
    {"name": gettext_lazy("写字本"), "cadence": Cadence.MONTHLY, "per_period": 1, "feedback_days": None, "leaders_only": False},
    {"name": gettext_lazy("教学常规检查"), "cadence": Cadence.TERMLY, "per_period": 4, "feedback_days": None, "leaders_only": False},
)


def _require_recorder(actor, school) -> None:
    scopes.require(sel.can_record(actor, school), _("只有学校管理员和学校领导可以登记常规检查、设置检查项目。"))


@transaction.atomic
def check_kinds_ensure(school, *, actor=None) -> list[CheckKind]:
    """The school's kinds; a school that has none gets the presets (once)."""
    existing = list(CheckKind.objects.select_for_update().filter(school=school).order_by("position", "id"))
    if existing:
        return existing
    made = []
    for position, preset in enumerate(PRESETS, start=1):
        kind = CheckKind(school=school, position=position, **{**preset, "name": str(preset["name"])})
        kind.full_clean()
        kind.save()
        made.append(kind)
    audit.record(actor=actor, event=Event.ROUTINE_CHECK_KIND_SET, target=school, school=school, presets=[k.name for k in made])
    return made


@transaction.atomic
def check_kind_save(*, actor, school, kind: CheckKind | None = None, name: str, cadence: str, per_period: int,
                    feedback_days: int | None = None, leaders_only: bool = False, is_active: bool = True,
                    position: int | None = None) -> CheckKind:
    """Add a kind to the school's plan (``kind`` None) or change one of its kinds."""
    _require_recorder(actor, school)
    if kind is None:
        if CheckKind.objects.filter(school=school).count() >= MAX_KINDS:
            raise ValidationError(_("每所学校最多设置 %(n)s 个检查项目。") % {"n": MAX_KINDS})
        kind = CheckKind(school=school)
        if position is None:
            position = CheckKind.objects.filter(school=school).count() + 1
    elif kind.school_id != school.pk:
        raise ValidationError(_("该检查项目不属于本校。"))
    name = (name or "").strip()
    if CheckKind.objects.filter(school=school, name=name).exclude(pk=kind.pk).exists():
        raise ValidationError({"name": _("本校已有名为“%(name)s”的检查项目。") % {"name": name}})
    kind.name, kind.cadence, kind.per_period = name, cadence, per_period
    kind.feedback_days, kind.leaders_only, kind.is_active = feedback_days, bool(leaders_only), bool(is_active)
    if position is not None:
        kind.position = position
    kind.full_clean(exclude=["school"])
    created = kind.pk is None
    kind.save()
    audit.record(actor=actor, event=Event.ROUTINE_CHECK_KIND_SET, target=kind, school=school, name=kind.name,
                 cadence=kind.cadence, per_period=kind.per_period, feedback_days=kind.feedback_days,
                 active=kind.is_active, created=created)
    return kind


def _check_date(day, today: dt.date) -> None:
    if not isinstance(day, dt.date):
        raise ValidationError({"date": _("请填写检查日期。")})
    if not calendar.MIN_YEAR <= day.year <= calendar.MAX_YEAR:
        raise ValidationError({"date": _("检查日期须在 1950 年至 2100 年之间。")})
    if day > today:
        raise ValidationError({"date": _("检查日期不能晚于今天。")})


def _clean_findings(school, findings, *, members: set[int] | None = None) -> list[CheckFinding]:
    """Unsaved findings from the dicts, each checked; every problem names its row. ``members``: the only
    teachers who may be named (a group leader's own check), else any of the school's current staff."""
    findings = list(findings or [])
    if not findings:
        raise ValidationError({"findings": _("请至少填写一位被检查教师的检查结果。")})
    if len(findings) > MAX_FINDINGS:
        raise ValidationError({"findings": _("一次检查最多登记 %(n)s 条检查结果。") % {"n": MAX_FINDINGS}})
    staff = set(current_staff(school).filter(pk__in=[getattr(f.get("person"), "pk", None) for f in findings]).values_list("pk", flat=True))
    seen, out, problems = set(), [], []
    for number, data in enumerate(findings, start=1):
        person = data.get("person")
        class_name = str(data.get("class_name") or "").strip()
        grade, comment = data.get("grade") or "", str(data.get("comment") or "").strip()
        row = _("第 %(n)s 条") % {"n": number}
        if person is None or person.pk not in staff:
            problems.append(_("%(row)s：被检查教师须是本校在职教职工。") % {"row": row})
            continue
        if members is not None and person.pk not in members:
            problems.append(_("%(row)s（%(name)s）：教研组长只能登记本组教师的检查结果。") % {"row": row, "name": person.name})
            continue
        if grade not in Grade.values:
            problems.append(_("%(row)s（%(name)s）：请选择等级（优、良、合格、待改进）。") % {"row": row, "name": person.name})
        if len(class_name) > 20:
            problems.append(_("%(row)s（%(name)s）：班级不能超过 20 字。") % {"row": row, "name": person.name})
        if len(comment) > 500:
            problems.append(_("%(row)s（%(name)s）：意见不能超过 500 字。") % {"row": row, "name": person.name})
        if (person.pk, class_name) in seen:
            problems.append(_("%(row)s（%(name)s）：同一教师同一班级重复登记。") % {"row": row, "name": person.name})
        seen.add((person.pk, class_name))
        out.append(CheckFinding(person=person, class_name=class_name, grade=grade, comment=comment))
    if problems:
        raise ValidationError({"findings": problems})
    return out


def _clean_files(files) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("每次检查最多 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS}})
    for file in files:
        uploads.check_evidence(file, field="attachments", label=_("附件"))
    return files


def _own_check_members(actor, school, kind, checker) -> set[int]:
    """A group leader's own check: they are the checker, the kind is not the leaders', and only their members are named."""
    if checker.pk != scopes.scope_of(actor).person_id:
        raise ValidationError({"checker": _("教研组长只能登记本人所做的检查。")})
    if kind.leaders_only:
        raise ValidationError({"kind": _("“%(kind)s”由学校领导检查，教研组长不能登记。") % {"kind": kind.name}})
    return sel.led_member_ids(actor, school) - {checker.pk}


@transaction.atomic
def check_record(*, actor, school, kind: CheckKind, date: dt.date, checker, scope: str = "", summary: str = "",
                 findings: list[dict], files=None, today: dt.date | None = None) -> RoutineCheck:
    """Record one check with its findings (dicts of ``person``, ``class_name``, ``grade``, ``comment``) and
    up to five photos or PDFs; everything is checked before anything is written. The school's admin and
    leaders record any check; a group leader records their own checks of their group's members."""
    own = sel.records_as_checker(actor, school)
    scopes.require(own or sel.can_record(actor, school), _("只有学校管理员、学校领导和教研组长可以登记常规检查。"))
    today = today or timezone.localdate()
    if kind is None or kind.school_id != school.pk:
        raise ValidationError({"kind": _("请选择本校的检查项目。")})
    if not kind.is_active:
        raise ValidationError({"kind": _("检查项目“%(name)s”已停用。") % {"name": kind.name}})
    _check_date(date, today)
    if checker is None or not current_staff(school).filter(pk=checker.pk).exists():
        raise ValidationError({"checker": _("检查人须是本校在职教职工。")})
    members = _own_check_members(actor, school, kind, checker) if own else None
    if kind.leaders_only and not sel.leaders(school).filter(pk=checker.pk).exists():
        raise ValidationError({"checker": _("“%(kind)s”由学校领导检查：%(name)s 不是校长、副校长或中层干部。")
                               % {"kind": kind.name, "name": checker.name}})
    scope, summary = (scope or "").strip(), (summary or "").strip()
    for field, value, label in (("scope", scope, _("检查范围")), ("summary", summary, _("检查小结"))):
        if len(value) > TEXT_LIMITS[field]:
            raise ValidationError({field: _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": TEXT_LIMITS[field]}})
    rows = _clean_findings(school, findings, members=members)
    files = _clean_files(files)
    check = RoutineCheck(school=school, kind=kind, date=date, checker=checker, scope=scope, summary=summary,
                         created_by=actor if getattr(actor, "pk", None) else None)
    check.full_clean(exclude=["created_by"])
    check.save()
    for row in rows:
        row.routine_check = check
    CheckFinding.objects.bulk_create(rows)
    for file in files:
        original = (file.name or "").rsplit("/", 1)[-1][-200:]
        CheckAttachment.objects.create(routine_check=check, file=file, original_name=original, size=file.size or 0)
    audit.record(actor=actor, event=Event.ROUTINE_CHECK_RECORD, target=check, school=school, kind=kind.name,
                 date=date.isoformat(), checker=checker.pk, findings=len(rows), attachments=len(files))
    return check


@transaction.atomic
def finding_feedback(*, actor, finding: CheckFinding, day: dt.date | None = None, today: dt.date | None = None) -> CheckFinding:
    """Mark that the finding was fed back to the teacher on ``day`` (late when after the kind's deadline)."""
    finding = CheckFinding.objects.select_for_update().select_related("routine_check__kind", "routine_check__school__county").get(pk=finding.pk)
    scopes.require(sel.can_give_feedback(actor, finding), _("只有检查人和学校领导可以登记反馈。"))
    today = today or timezone.localdate()
    day = day or today
    check = finding.routine_check
    if finding.feedback_on is not None:
        raise ValidationError(_("该检查结果已于 %(day)s 反馈。") % {"day": finding.feedback_on.isoformat()})
    if not isinstance(day, dt.date) or day < check.date:
        raise ValidationError({"day": _("反馈日期不能早于检查日期 %(day)s。") % {"day": check.date.isoformat()}})
    if day > today:
        raise ValidationError({"day": _("反馈日期不能晚于今天。")})
    finding.feedback_on = day
    finding.save(update_fields=["feedback_on"])
    state = sel.feedback_state(finding, today=today)
    audit.record(actor=actor, event=Event.ROUTINE_CHECK_FEEDBACK, target=finding, school=check.school, check=check.pk,
                 person=finding.person_id, day=day.isoformat(), late=state == "late")
    return finding
