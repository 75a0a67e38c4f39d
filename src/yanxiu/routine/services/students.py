"""学困生档案 and 任课: who teaches which class, the files opened from a final
exam for the students under pass, their support plans and the teachers' notes.

Student names are personal data: they are never written to audit rows (a row
names the file or exam by id, and the class)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.growth import calendar
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school_id

from .. import student_selectors as selectors
from ..choices import ExamKind
from ..models import Exam, StudentFile, StudentNote, TeachingAssignment

SUBJECT_MAX = 30
PLAN_MAX = 2000
NOTE_MAX = 2000


def _int(value, *, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: _("%(label)s须为 %(low)s 至 %(high)s 的整数。")
                                   % {"label": label, "low": low, "high": high}}) from None
    if not low <= value <= high:
        raise ValidationError({field: _("%(label)s须为 %(low)s 至 %(high)s 的整数。") % {"label": label, "low": low, "high": high}})
    return value


def _text(value, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError({field: _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": limit}})
    return value


# --- 任课 --------------------------------------------------------------------------------


@transaction.atomic
def teaching_set(*, actor, school, school_year, grade, class_no, subject, person) -> TeachingAssignment | None:
    """Say who teaches ``subject`` to class ``grade``/``class_no`` in ``school_year`` (a current
    teacher of the school); ``person=None`` removes the assignment. Returns the assignment (None when removed)."""
    scopes.require(selectors.can_manage_teaching(actor, school), _("只有本校管理员可以设置任课。"))
    school_year = _int(school_year, field="school_year", label=_("学年"), low=calendar.MIN_YEAR, high=calendar.MAX_YEAR)
    grade = _int(grade, field="grade", label=_("年级"), low=1, high=12)
    class_no = _int(class_no, field="class_no", label=_("班"), low=1, high=99)
    subject = _text(subject, field="subject", label=_("学科"), limit=SUBJECT_MAX, required=True)
    if person is not None and current_school_id(person) != school.pk:
        raise ValidationError({"person": _("%(name)s 不是本校在职教师。") % {"name": person.name}})
    key = {"school": school, "school_year": school_year, "grade": grade, "class_no": class_no, "subject": subject}
    current = TeachingAssignment.objects.select_for_update().filter(**key).first()
    before = current.person_id if current else None
    if person is None:
        if current is None:
            raise ValidationError({"person": _("该班该学科尚未设置任课教师。")})
        current.delete()
        assignment = None
        target = school
    else:
        assignment = current or TeachingAssignment(**key)
        assignment.person = person
        assignment.full_clean(exclude=["school", "person"], validate_unique=False, validate_constraints=False)
        assignment.save()
        target = assignment
    audit.record(actor=actor, event=Event.ROUTINE_TEACHING_SET, target=target, school=school, year=school_year,
                 grade=grade, class_no=class_no, subject=subject, person=getattr(person, "pk", None), before=before)
    return assignment


# --- 学困生档案 -------------------------------------------------------------------------------


@transaction.atomic
def student_files_open(*, actor, exam: Exam) -> dict:
    """Open a file for each student under pass in any subject of the final ``exam``
    (one per student and school year: grade, class and name). Idempotent: a student
    who already has a file keeps it, with the exam's subjects added to those it lists.
    Returns ``{"opened": n, "updated": n, "unchanged": n}``."""
    exam = Exam.objects.select_for_update().select_related("school").get(pk=exam.pk)
    scopes.require(selectors.can_manage_teaching(actor, exam.school), _("只有本校管理员可以建立学困生档案。"))
    if exam.kind != ExamKind.FINAL:
        raise ValidationError({"exam": _("学困生档案依据期末质量监测建立，“%(name)s”是%(kind)s。")
                               % {"name": exam.name, "kind": exam.get_kind_display()}})
    below = selectors.below_pass(exam)
    existing = {(f.grade, f.class_no, f.student_name): f for f in StudentFile.objects.select_for_update().filter(
        school=exam.school, school_year=exam.school_year)}
    new, updated, unchanged = [], 0, 0
    for (grade, class_no, name), subjects in below.items():
        file = existing.get((grade, class_no, name))
        if file is None:
            file = StudentFile(school=exam.school, school_year=exam.school_year, grade=grade, class_no=class_no,
                               student_name=name, opened_from=exam, subjects=subjects)
            file.full_clean(exclude=["school", "opened_from"], validate_unique=False, validate_constraints=False)
            new.append(file)
            continue
        missing = [s for s in subjects if s not in file.subjects]
        if missing:
            file.subjects = [*file.subjects, *missing]
            file.save(update_fields=["subjects"])
            updated += 1
        else:
            unchanged += 1
    StudentFile.objects.bulk_create(new, batch_size=500)
    result = {"opened": len(new), "updated": updated, "unchanged": unchanged}
    audit.record(actor=actor, event=Event.ROUTINE_STUDENT_FILE_OPEN, target=exam, school=exam.school,
                 year=exam.school_year, **result)
    return result


def _locked_file(file: StudentFile) -> StudentFile:
    return StudentFile.objects.select_for_update().select_related("school").get(pk=file.pk)


@transaction.atomic
def student_file_plan(*, actor, file: StudentFile, support_plan) -> StudentFile:
    """The school's admin or a teacher of the class writes (or rewrites) the file's support plan."""
    file = _locked_file(file)
    scopes.require(selectors.can_edit_file(actor, file), _("只有本校管理员和该班任课教师可以修改辅导计划。"))
    file.support_plan = _text(support_plan, field="support_plan", label=_("辅导计划"), limit=PLAN_MAX, required=True)
    file.save(update_fields=["support_plan"])
    audit.record(actor=actor, event=Event.ROUTINE_STUDENT_PLAN, target=file, school=file.school,
                 grade=file.grade, class_no=file.class_no)
    return file


@transaction.atomic
def student_note_add(*, actor, file: StudentFile, date, text, today: dt.date | None = None) -> StudentNote:
    """A teacher of the class (or the school's admin, as staff) records a dated note of support given."""
    today = today or timezone.localdate()
    file = _locked_file(file)
    scopes.require(selectors.can_add_note(actor, file), _("只有该班任课教师可以记录辅导。"))
    if not isinstance(date, dt.date):
        raise ValidationError({"date": _("请填写辅导日期。")})
    earliest = dt.date(file.school_year, 1, 1)
    if date > today:
        raise ValidationError({"date": _("辅导日期不能晚于今天。")})
    if date < earliest:
        raise ValidationError({"date": _("辅导日期不能早于 %(d)s。") % {"d": earliest.isoformat()}})
    note = StudentNote(file=file, author_id=scopes.scope_of(actor).person_id, date=date,
                       text=_text(text, field="text", label=_("辅导记录"), limit=NOTE_MAX, required=True))
    note.full_clean(exclude=["file", "author"])
    note.save()
    audit.record(actor=actor, event=Event.ROUTINE_STUDENT_NOTE, target=note, school=file.school,
                 file=file.pk)
    return note
