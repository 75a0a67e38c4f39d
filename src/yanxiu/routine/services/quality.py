"""质量监测 settings and targets of a school: the excellent and pass lines, the
two subjects of 六项达标, and the targets per grade (the seed's preset applied
on first use or by a button). Each write checks permission and content and
writes one audit row (``routine.quality_set``) in its transaction."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes

from ..models import QualitySettings, QualityTarget
from ..quality import DEFAULT_EXCELLENT, DEFAULT_PASS, DEFAULT_SIX_SUBJECTS, PRESET_TARGETS, grade_label

MAX_SUBJECT = 30
MAX_TARGETS = 200
DENIED = gettext_lazy("只有本校管理员可以设置质量监测标准。")


def _require(actor, school) -> None:
    scopes.require(scopes.can_manage_school(actor, school), str(DENIED))


def _decimal(value, name: str, label: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("%(label)s须是数字。") % {"label": label}}) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError({name: _("%(label)s须在 %(low)s 到 %(high)s 之间。") % {"label": label, "low": low, "high": high}})
    return number


def _subjects(six_subjects) -> list[str]:
    names = [str(s).strip() for s in six_subjects or []]
    if len(names) != 2 or not all(names):
        raise ValidationError({"six_subjects": _("六项达标须指定两个学科。")})
    if names[0] == names[1]:
        raise ValidationError({"six_subjects": _("六项达标的两个学科不能相同。")})
    for name in names:
        if len(name) > MAX_SUBJECT:
            raise ValidationError({"six_subjects": _("学科名称不能超过 %(n)s 个字。") % {"n": MAX_SUBJECT}})
    return names


@transaction.atomic
def quality_settings_set(*, actor, school, excellent_ratio, pass_ratio, six_subjects) -> QualitySettings:
    """The school's excellent and pass lines (fractions of full marks) and its two 六项达标 subjects."""
    _require(actor, school)
    excellent = _decimal(excellent_ratio, "excellent_ratio", _("优秀线"), low=Decimal("0.1"), high=Decimal("1"))
    passing = _decimal(pass_ratio, "pass_ratio", _("及格线"), low=Decimal("0.1"), high=Decimal("1"))
    if passing > excellent:
        raise ValidationError({"pass_ratio": _("及格线不能高于优秀线。")})
    subjects = _subjects(six_subjects)
    row = QualitySettings.objects.select_for_update().filter(school=school).first() or QualitySettings(school=school)
    row.excellent_ratio, row.pass_ratio, row.six_subjects = excellent, passing, subjects
    row.full_clean()
    row.save()
    audit.record(actor=actor, event=Event.ROUTINE_QUALITY_SET, target=row, school=school, item="settings",
                 excellent_ratio=str(excellent), pass_ratio=str(passing), six_subjects=subjects)
    return row


def _clean_target(*, grade, subject, average, excellent_rate, pass_rate) -> dict:
    try:
        grade = int(grade)
    except (TypeError, ValueError):
        raise ValidationError({"grade": _("年级须是 1 到 12 的整数。")}) from None
    if not 1 <= grade <= 12:
        raise ValidationError({"grade": _("年级须是 1 到 12 的整数。")})
    subject = (subject or "").strip()
    if len(subject) > MAX_SUBJECT:
        raise ValidationError({"subject": _("学科名称不能超过 %(n)s 个字。") % {"n": MAX_SUBJECT}})
    return {
        "grade": grade, "subject": subject,
        "average": _decimal(average, "average", _("平均分目标"), low=Decimal("0"), high=Decimal("1000")),
        "excellent_rate": _decimal(excellent_rate, "excellent_rate", _("优秀率目标"), low=Decimal("0"), high=Decimal("1")),
        "pass_rate": _decimal(pass_rate, "pass_rate", _("及格率目标"), low=Decimal("0"), high=Decimal("1")),
    }


@transaction.atomic
def quality_target_set(*, actor, school, grade, subject="", average, excellent_rate, pass_rate,
                       target: QualityTarget | None = None) -> QualityTarget:
    """Write the targets of a grade (for ``subject``, or every subject when empty); ``target`` is the row edited,
    else the grade's row for that subject is created or replaced."""
    _require(actor, school)
    if target is not None and target.school_id != school.pk:
        raise ValidationError(_("该目标不属于本校。"))
    values = _clean_target(grade=grade, subject=subject, average=average, excellent_rate=excellent_rate, pass_rate=pass_rate)
    clash = QualityTarget.objects.filter(school=school, grade=values["grade"], subject=values["subject"])
    if target is not None:
        if clash.exclude(pk=target.pk).exists():
            raise ValidationError({"subject": _("%(grade)s已有该学科的目标。") % {"grade": grade_label(values["grade"])}})
        row = target
    else:
        row = clash.first() or QualityTarget(school=school)
        if row.pk is None and QualityTarget.objects.filter(school=school).count() >= MAX_TARGETS:
            raise ValidationError(_("一所学校最多设 %(n)s 条质量目标。") % {"n": MAX_TARGETS})
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    audit.record(actor=actor, event=Event.ROUTINE_QUALITY_SET, target=row, school=school, item="target",
                 grade=row.grade, subject=row.subject, average=str(row.average),
                 excellent_rate=str(row.excellent_rate), pass_rate=str(row.pass_rate))
    return row


@transaction.atomic
def quality_target_delete(*, actor, target: QualityTarget) -> None:
    school = target.school
    _require(actor, school)
    audit.record(actor=actor, event=Event.ROUTINE_QUALITY_SET, target=target, school=school, item="target_delete",
                 grade=target.grade, subject=target.subject)
    target.delete()


def _apply_preset(school) -> list[QualityTarget]:
    rows = []
    for grade, (excellent, passing, average) in PRESET_TARGETS.items():
        row = QualityTarget.objects.filter(school=school, grade=grade, subject="").first() or QualityTarget(
            school=school, grade=grade, subject="")
        row.average, row.excellent_rate, row.pass_rate = average, excellent, passing
        row.full_clean()
        row.save()
        rows.append(row)
    return rows


@transaction.atomic
def quality_preset_apply(*, actor, school) -> list[QualityTarget]:
    """The seed's targets (一、二年级 85% / 100% / 92；三至五年级 80% / 95% / 90) as the grades' targets for
    every subject, replacing those grades' targets for every subject (a subject's own targets stay)."""
    _require(actor, school)
    rows = _apply_preset(school)
    audit.record(actor=actor, event=Event.ROUTINE_QUALITY_SET, target=rows[0], school=school, item="preset",
                 grades=sorted(PRESET_TARGETS))
    return rows


@transaction.atomic
def quality_first_use(*, school) -> QualitySettings | None:
    """On a school's first use of quality monitoring (no settings yet): the default lines, 语文 and 数学 for
    六项达标 and the seed's targets, unless the school has set targets of its own. Nothing when already set up."""
    if QualitySettings.objects.filter(school=school).exists():
        return None
    row = QualitySettings(school=school, excellent_ratio=DEFAULT_EXCELLENT, pass_ratio=DEFAULT_PASS,
                          six_subjects=list(DEFAULT_SIX_SUBJECTS))
    row.full_clean()
    row.save()
    preset = not QualityTarget.objects.filter(school=school).exists()
    if preset:
        _apply_preset(school)
    audit.record(actor=None, event=Event.ROUTINE_QUALITY_SET, target=row, school=school, item="first_use", preset=preset)
    return row
