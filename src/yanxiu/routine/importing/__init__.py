"""Import of exam scores (质量监测): one row per student, a column for the class and one per subject.

The roster import's rules (:mod:`yanxiu.org.roster`): the file is read by the
bounded reader :mod:`yanxiu.core.sheets`; columns are found by their header
text in any order, below title rows, under a header of one or two rows
(merged cells), on one sheet or one sheet per class; every problem is reported with its row as the user sees it,
its column as the file heads it and a Chinese reason; only a file without any
problem is written, in one transaction (all or nothing).

- The exam is new: its name is not used by the school yet; its kind
  (月考/单元, 期中, 期末) is guessed from the name unless given; its school
  year and term come from its date through the school's calendar
  (:func:`yanxiu.growth.calendar.term_of`).
- Each student row gets one :class:`~yanxiu.routine.models.ExamScore` per
  subject column: a score (half points allowed), or 缺考 / 请假 / 免考 / an
  empty cell (:class:`~yanxiu.routine.choices.ScoreStatus`). A subject empty
  for a whole class is stored so (EMPTY): that class did not take it.
- Students have no account; their names are personal data, kept out of the
  report, the audit row and the messages.

:func:`preview_scores` checks and writes nothing (``--dry-run``, the page's
preview); :func:`import_scores` checks again and writes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.growth import calendar
from yanxiu.org import scopes

from ..choices import ExamKind
from ..models import Exam, ExamScore
from .read import Table, prepare
from .report import ClassSummary, RowError, ScoreReport
from .values import parse_class

__all__ = ["ScoreReport", "RowError", "ExamInput", "preview_scores", "import_scores", "guess_kind", "parse_class"]

BATCH_SIZE = 1000
MAX_EXAM_NAME = 60
MAX_FULL_MARKS = Decimal("1000")

#: Words of an exam's name that say its kind, the longer first.
KIND_WORDS = (
    ("期末", ExamKind.FINAL), ("期终", ExamKind.FINAL), ("学期末", ExamKind.FINAL),
    ("期中", ExamKind.MIDTERM),
    ("月考", ExamKind.MONTHLY), ("单元", ExamKind.MONTHLY), ("月测", ExamKind.MONTHLY), ("月检测", ExamKind.MONTHLY),
    ("阶段", ExamKind.MONTHLY), ("月份", ExamKind.MONTHLY), ("月监测", ExamKind.MONTHLY),
)


def guess_kind(name: str) -> str | None:
    """期末 -> final, 期中 -> midterm, 月考 / 单元 / 月测 / 阶段 -> monthly; None when the name says none or several."""
    found = {kind for word, kind in KIND_WORDS if word in name}
    return found.pop() if len(found) == 1 else None


@dataclass
class ExamInput:
    """What the user says about the exam (the command's options, the page's form), checked by :func:`_exam_problems`."""

    name: str
    date: dt.date | None = None
    full_marks: Decimal | str | int | None = None
    kind: str | None = None


def _require(actor, school) -> None:
    if actor is not None:
        scopes.require(scopes.can_manage_school(actor, school), _("您没有权限向该学校导入考试成绩。"))


def _clean_exam(school, exam: ExamInput, *, today: dt.date) -> tuple[dict, list[RowError]]:
    """The exam's fields, or the problems of what was given (row 0: they concern the whole file)."""
    errors: list[RowError] = []
    name = " ".join((exam.name or "").split())  # as typed: the quality pages and commands find the exam by it
    label = _("考试名称")
    if not name:
        errors.append(RowError(0, label, _("请填写考试名称（如“2025年秋季期末质量监测”）。")))
    elif len(name) > MAX_EXAM_NAME:
        errors.append(RowError(0, label, _("考试名称过长（最多 %(max)d 个字）。") % {"max": MAX_EXAM_NAME}))
    elif any(unicodedata.category(ch)[0] == "C" for ch in name):
        errors.append(RowError(0, label, _("考试名称中有不可见的控制字符。")))
    elif Exam.objects.filter(school=school, name=name).exists():
        errors.append(RowError(0, label, _("本校已有名为“%(name)s”的考试，请换一个名称。") % {"name": name}))
    kind = exam.kind or (guess_kind(name) if name else None)
    if kind not in ExamKind.values:
        errors.append(RowError(0, _("考试类型"), _("无法从考试名称判断考试类型：名称中请写明“期末”“期中”“月考”或“单元”，或选择考试类型。")))
    day = exam.date or today
    if not calendar.MIN_YEAR <= day.year <= calendar.MAX_YEAR:
        errors.append(RowError(0, _("考试日期"), _("考试日期须在 %(lo)d 年到 %(hi)d 年之间。") % {
            "lo": calendar.MIN_YEAR, "hi": calendar.MAX_YEAR}))
    elif day > today:
        errors.append(RowError(0, _("考试日期"), _("考试日期 %(day)s 晚于今天。") % {"day": day.isoformat()}))
    full = _full_marks(exam.full_marks, errors)
    span = None
    if not errors:
        try:
            span = calendar.term_of(school, day)
        except ValueError:  # a day before the first school year the calendar holds
            errors.append(RowError(0, _("考试日期"), _("考试日期 %(day)s 不在可登记的学年内。") % {"day": day.isoformat()}))
    if errors:
        return {}, errors
    return {"name": name, "kind": kind, "date": day, "full_marks": full, "school_year": span.school_year,
            "term": span.number}, []


def _full_marks(value, errors: list[RowError]) -> Decimal:
    if value is None or value == "":
        return Decimal("100")
    try:
        full = Decimal(str(value).strip())
    except InvalidOperation:
        full = Decimal("NaN")
    if not full.is_finite() or not Decimal("1") <= full <= MAX_FULL_MARKS or full != full.quantize(Decimal("0.1")):
        errors.append(RowError(0, _("满分"), _("满分须是 1 到 %(max)s 之间的数（最多一位小数），如 100、120、150。") % {
            "max": MAX_FULL_MARKS}))
        return Decimal("100")
    return full.quantize(Decimal("0.1"))


def _read(school, file_name: str, data: bytes, exam: ExamInput, today: dt.date) -> tuple[dict, Table | None, list[RowError]]:
    fields, problems = _clean_exam(school, exam, today=today)
    full = fields.get("full_marks") or _full_marks(exam.full_marks, [])
    table = prepare(file_name, data, full_marks=full)
    return fields, table, problems + table.errors.sorted()


def _summaries(table: Table) -> list[ClassSummary]:
    by_class: dict[tuple[int, int], ClassSummary] = {}
    for row in table.rows:
        summary = by_class.setdefault((row.grade, row.class_no), ClassSummary(row.grade, row.class_no))
        summary.students += 1
        for subject, status, _score in row.results:
            counts = summary.statuses.setdefault(subject, {})
            key = str(status)
            counts[key] = counts.get(key, 0) + 1
    return [by_class[k] for k in sorted(by_class)]


def _report(table: Table | None, errors: list[RowError], *, dry_run: bool, exam_id: int | None = None) -> ScoreReport:
    ok = not errors
    return ScoreReport(
        ok=ok, rows=table.count if table else 0, errors=errors, dry_run=dry_run, exam_id=exam_id,
        scores=sum(len(r.results) for r in table.rows) if table and ok else 0,
        subjects=table.subjects if table else [], ignored=table.ignored if table else [],
        classes=_summaries(table) if table and ok else [],
    )


def preview_scores(*, school, file_name: str, data: bytes, exam: ExamInput, actor=None,
                   today: dt.date | None = None) -> ScoreReport:
    """Read and check a score sheet and the exam's details without writing anything.

    ``actor`` None is the system (the ``import_scores`` command); a user must manage ``school``."""
    _require(actor, school)
    _fields, table, errors = _read(school, file_name, data, exam, today or timezone.localdate())
    return _report(table, errors, dry_run=True)


def import_scores(*, actor, school, file_name: str, data: bytes, exam: ExamInput,
                  today: dt.date | None = None) -> ScoreReport:
    """Check a score sheet and, when nothing is wrong, create the exam and all its scores in one transaction."""
    _require(actor, school)
    fields, table, errors = _read(school, file_name, data, exam, today or timezone.localdate())
    if errors:
        return _report(table, errors, dry_run=False)
    try:
        with transaction.atomic():
            created = _write(actor, school, file_name, fields, table)
    except IntegrityError:
        return _report(table, [RowError(0, _("考试名称"), _(
            "导入过程中本校同时建立了同名的考试，本次导入未写入任何数据，请换一个名称重新导入。"))], dry_run=False)
    return _report(table, [], dry_run=False, exam_id=created.pk)


def _write(actor, school, file_name: str, fields: dict, table: Table) -> Exam:
    exam = Exam(school=school, file_name=PurePath(file_name).name[-200:], created_by=actor if getattr(actor, "pk", None) else None,
                **fields)
    exam.full_clean()
    exam.save()
    ExamScore.objects.bulk_create(
        (ExamScore(exam=exam, grade=row.grade, class_no=row.class_no, student_name=row.name, subject=subject,
                   score=score, status=status, row=row.row)
         for row in table.rows for subject, status, score in row.results),
        batch_size=BATCH_SIZE,
    )
    scores = sum(len(r.results) for r in table.rows)
    audit.record(actor=actor, event=Event.ROUTINE_SCORES_IMPORT, target=exam, school=school,
                 file=exam.file_name[-120:], exam=exam.name, rows=table.count, scores=scores,
                 subjects=table.subjects, sheets=len(table.layouts), classes=len({(r.grade, r.class_no) for r in table.rows}))
    return exam
