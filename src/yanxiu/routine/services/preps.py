"""Collective lesson preparation (集体备课): a group's weekly record and each teacher's 二次备课.

A group's leader, or the school's admin, records a preparation: the day, how
long it took, the subject, grade and lesson, the lead preparer (主备人, a
member), who of the group's current members came (an absence with a note),
the plan as a file and the discussion. Each member who took part writes their
own 二次备课 (how they adapt the plan to their class) until the preparation's
week is over; until then a member sees only their own.

Reads and the weekly 2-hour rule are in :mod:`yanxiu.routine.prep_selectors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, uploads
from yanxiu.core.events import Event
from yanxiu.growth import calendar
from yanxiu.org import scopes
from yanxiu.org.models import Group, Person

from .. import prep_selectors as selectors
from ..models import CollectivePrep, PrepAttendance, SecondPrep

#: Longest discussion record and 二次备课, in characters.
TEXT_MAX = 20000
NOTE_MAX = 100
#: Fields a caller sets on a preparation.
PREP_FIELDS = ("date", "minutes", "subject", "grade_name", "lesson", "lead", "discussion")


def _require_recorder(actor, group: Group) -> None:
    scopes.require(selectors.can_record(actor, group), _("只有本组组长或学校管理员可以登记集体备课。"))


def _text(value, field: str, label: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError({field: _("%(label)s不能超过 %(n)s 字（现有 %(len)s 字）。") % {
            "label": label, "n": max_length, "len": len(text)}})
    return text


def _date(value, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or "").strip()[:10])
        except ValueError:
            raise ValidationError({"date": _("日期须写成 2025-09-01 这样的格式。")}) from None
    if not calendar.MIN_YEAR <= value.year <= calendar.MAX_YEAR:
        raise ValidationError({"date": _("日期须在 %(lo)s 年到 %(hi)s 年之间。") % {"lo": calendar.MIN_YEAR, "hi": calendar.MAX_YEAR}})
    if value > today:
        raise ValidationError({"date": _("集体备课的日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}})
    return value


def _minutes(value) -> int:
    try:
        minutes = int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
    except (TypeError, ValueError):
        raise ValidationError({"minutes": _("时长须为分钟数（整数），如 120。")}) from None
    if not 10 <= minutes <= 480:
        raise ValidationError({"minutes": _("时长须在 10 到 480 分钟之间（现为 %(n)s）。") % {"n": minutes}})
    return minutes


def _lead(value, allowed: dict[int, Person]) -> Person:
    person_id = getattr(value, "pk", value)
    if person_id not in allowed:
        raise ValidationError({"lead": _("主备人须是本组在职的组员。")})
    return allowed[person_id]


def _attendance(attendance: Mapping | None, allowed: dict[int, Person], lead: Person) -> dict[int, tuple[bool, str]]:
    """``{person_id: (present, note)}`` for every allowed person; one left out is present without a note."""
    given = {getattr(key, "pk", key): value for key, value in dict(attendance or {}).items()}
    unknown = [pid for pid in given if pid not in allowed]
    if unknown:
        raise ValidationError({"attendance": _("出勤名单中有不是本组组员的人员，请刷新页面后重新登记。")})
    out = {}
    for person_id, person in allowed.items():
        present, note = given.get(person_id, (True, ""))
        note = str(note or "").replace("\x00", "").strip()
        if len(note) > NOTE_MAX:
            raise ValidationError({"attendance": _("%(name)s 的出勤说明不能超过 %(n)s 字。") % {"name": person.name, "n": NOTE_MAX}})
        out[person_id] = (bool(present), note)
    if not out[lead.pk][0]:
        raise ValidationError({"attendance": _("主备人 %(name)s 被登记为缺席：主备人须出席。") % {"name": lead.name}})
    if not any(present for present, _note in out.values()):
        raise ValidationError({"attendance": _("没有出席的组员，不能登记集体备课。")})
    return out


def _check_plan(file) -> None:
    uploads.check_material(file, field="plan_file", label=_("教案"))
    if uploads.extension_of(file.name) in uploads.VIDEO_EXTENSIONS:
        raise ValidationError({"plan_file": _("教案“%(name)s”是视频：请上传 PDF、Word、PowerPoint、Excel 文档或图片。")
                                            % {"name": file.name.rsplit("/", 1)[-1]}})


def _clean(fields: dict, *, allowed: dict[int, Person], today: dt.date) -> dict:
    unknown = set(fields) - set(PREP_FIELDS)
    if unknown:
        raise ValidationError(_("未知的字段：%(f)s。") % {"f": "、".join(sorted(unknown))})
    return {
        "date": _date(fields.get("date"), today),
        "minutes": _minutes(fields.get("minutes")),
        "subject": _text(fields.get("subject"), "subject", _("学科"), max_length=30),
        "grade_name": _text(fields.get("grade_name"), "grade_name", _("年级"), max_length=20),
        "lesson": _text(fields.get("lesson"), "lesson", _("课题/单元"), max_length=120),
        "lead": _lead(fields.get("lead"), allowed),
        "discussion": _text(fields.get("discussion"), "discussion", _("研讨记录"), max_length=TEXT_MAX),
    }


def _store_plan(prep: CollectivePrep, plan_file, remove_plan: bool) -> bool:
    """Put the new plan on ``prep`` (or remove the old one); the replaced file is deleted after the commit."""
    old = prep.plan_file.name if prep.plan_file else ""
    if plan_file:
        prep.plan_file = plan_file
        prep.plan_name = (plan_file.name or "").rsplit("/", 1)[-1][-200:]
    elif remove_plan:
        prep.plan_file, prep.plan_name = "", ""
    else:
        return False
    if old:
        storage = CollectivePrep._meta.get_field("plan_file").storage
        transaction.on_commit(lambda: storage.delete(old), robust=True)
    return True


def _write_attendance(prep: CollectivePrep, rows: dict[int, tuple[bool, str]]) -> None:
    PrepAttendance.objects.filter(prep=prep).exclude(person_id__in=list(rows)).delete()
    existing = {a.person_id: a for a in PrepAttendance.objects.filter(prep=prep)}
    for person_id, (present, note) in rows.items():
        row = existing.get(person_id) or PrepAttendance(prep=prep, person_id=person_id)
        if row.pk is None or (row.present, row.note) != (present, note):
            row.present, row.note = present, note
            row.save()


def _absent(rows: dict[int, tuple[bool, str]]) -> int:
    return sum(1 for present, _note in rows.values() if not present)


@transaction.atomic
def prep_record(*, actor, group: Group, attendance: Mapping | None = None, plan_file=None,
                today: dt.date | None = None, **fields) -> CollectivePrep:
    """Record one preparation of ``group``: ``date``, ``minutes``, ``subject``, ``grade_name``, ``lesson``,
    ``lead`` (a current member), ``discussion``; ``attendance`` maps a member's id to ``(present, note)``
    (a member left out came); ``plan_file`` an uploaded document or picture."""
    group = Group.objects.select_related("school__county").get(pk=group.pk)
    _require_recorder(actor, group)
    allowed = {p.pk: p for p in selectors.current_members(group)}
    if not allowed:
        raise ValidationError(_("%(group)s 还没有在职组员，请先在学校的教研组设置中添加组员。") % {"group": group.name})
    clean = _clean(fields, allowed=allowed, today=today or timezone.localdate())
    rows = _attendance(attendance, allowed, clean["lead"])
    if plan_file:
        _check_plan(plan_file)
    prep = CollectivePrep(group=group, created_by=actor if getattr(actor, "pk", None) else None, **clean)
    _store_plan(prep, plan_file, False)
    prep.full_clean(exclude=["group", "lead", "created_by"])
    prep.save()
    _write_attendance(prep, rows)
    audit.record(actor=actor, event=Event.ROUTINE_PREP_RECORD, target=prep, school=group.school, group=group.pk,
                 date=prep.date.isoformat(), minutes=prep.minutes, absent=_absent(rows))
    return prep


@transaction.atomic
def prep_update(*, actor, prep: CollectivePrep, attendance: Mapping | None = None, plan_file=None, remove_plan: bool = False,
                today: dt.date | None = None, **fields) -> CollectivePrep:
    """Correct a recorded preparation (same fields as :func:`prep_record`). Attendance covers the people
    listed when it was recorded and the group's current members."""
    prep = CollectivePrep.objects.select_for_update().get(pk=prep.pk)
    group = Group.objects.select_related("school__county").get(pk=prep.group_id)
    _require_recorder(actor, group)
    allowed = {p.pk: p for p in selectors.attendance_people(prep, group)}
    clean = _clean(fields, allowed=allowed, today=today or timezone.localdate())
    rows = _attendance(attendance, allowed, clean["lead"])
    if plan_file:
        _check_plan(plan_file)
    for name, value in clean.items():
        setattr(prep, name, value)
    replaced = _store_plan(prep, plan_file, remove_plan)
    prep.full_clean(exclude=["group", "lead", "created_by"])
    prep.save()
    _write_attendance(prep, rows)
    audit.record(actor=actor, event=Event.ROUTINE_PREP_UPDATE, target=prep, school=group.school, group=group.pk,
                 date=prep.date.isoformat(), minutes=prep.minutes, absent=_absent(rows), plan_changed=replaced)
    return prep


@transaction.atomic
def second_prep_save(*, actor, prep: CollectivePrep, text, today: dt.date | None = None) -> SecondPrep:
    """The member's own 二次备课 of ``prep``: written or changed until the preparation's week is over."""
    prep = CollectivePrep.objects.select_related("group__school__county").get(pk=prep.pk)
    person = getattr(actor, "person", None) if getattr(actor, "pk", None) else None
    scopes.require(selectors.may_write_second_prep(person, prep), _("只有本组组员可以填写本次集体备课的二次备课。"))
    today = today or timezone.localdate()
    if selectors.week_is_over(prep.date, today):
        raise ValidationError({"text": _("本次集体备课所在的一周（至 %(end)s）已结束，二次备课不能再修改。")
                                       % {"end": selectors.week_of(prep.date)[1].isoformat()}})
    body = _text(text, "text", _("二次备课"), max_length=TEXT_MAX)
    row = SecondPrep.objects.select_for_update().filter(prep=prep, person=person).first()
    revised = row is not None
    row = row or SecondPrep(prep=prep, person=person)
    row.text = body
    row.full_clean(exclude=["prep", "person"], validate_unique=False)
    row.save()
    audit.record(actor=actor, event=Event.ROUTINE_SECOND_PREP, target=row, school=prep.group.school, prep=prep.pk,
                 group=prep.group_id, revised=revised)
    return row
