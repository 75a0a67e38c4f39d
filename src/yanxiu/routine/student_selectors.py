"""Reads of 学困生档案 (student files) and 任课 (teaching assignments), scoped to the reader.

Who sees a file:

- the school's admin: every file of the school, names in full;
- a teacher: the files of the classes they teach in the file's school year
  (:class:`~yanxiu.routine.models.TeachingAssignment`), names in full;
- a group leader: the files of the classes taught by their group's current
  members, names masked unless they teach the class themselves;
- region staff (bureau, training centre): the files of their counties'
  schools, read-only, names masked.

Student names are personal data: a name is shown in full only where
:func:`name_shown_q` holds, masked (``张**``) everywhere else, and never put
in an address (files are addressed by id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value

from yanxiu.org import scopes
from yanxiu.org.models import current_employment_q

from .choices import ExamKind, ScoreStatus
from .models import Exam, ExamScore, StudentFile, TeachingAssignment
from .quality import class_label, lines_of

#: The most subjects a file lists (an import has at most 20 subject columns).
MAX_SUBJECTS = 20
#: The exams of a school year a file's history shows, in this order within a date.
HISTORY_KINDS = (ExamKind.MONTHLY, ExamKind.MIDTERM, ExamKind.FINAL)


# --- Names and labels ------------------------------------------------------------------


def mask_name(name: str) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``: the first character and a star for each other one."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def shown_name(file: StudentFile) -> str:
    """The name as the reader of a row from :func:`file_list` / :func:`files_visible_to` may see it."""
    return file.student_name if getattr(file, "name_shown", False) else mask_name(file.student_name)


# --- Who teaches what -------------------------------------------------------------------


def _teaches(person_id: int, *, school="school_id", year="school_year", grade="grade", class_no="class_no") -> Exists:
    """The person teaches the outer row's class (any subject) in the outer row's school year."""
    return Exists(TeachingAssignment.objects.filter(
        school_id=OuterRef(school), school_year=OuterRef(year), grade=OuterRef(grade), class_no=OuterRef(class_no),
        person_id=person_id))


def _taught_by_groups(group_ids) -> Exists:
    """A current member of one of ``group_ids`` teaches the outer row's class in its school year."""
    members = TeachingAssignment.objects.filter(
        Q(person__employments__groups__in=group_ids) & current_employment_q("person__employments"),
        school_id=OuterRef("school_id"), school_year=OuterRef("school_year"), grade=OuterRef("grade"),
        class_no=OuterRef("class_no"))
    return Exists(members)


def teaches_class(person_id: int | None, *, school_id: int, school_year: int, grade: int, class_no: int) -> bool:
    if person_id is None:
        return False
    return TeachingAssignment.objects.filter(school_id=school_id, school_year=school_year, grade=grade, class_no=class_no,
                                             person_id=person_id).exists()


def taught_classes(person_id: int | None, *, school_id: int, school_year: int) -> set[tuple[int, int]]:
    """``{(grade, class_no)}`` the person teaches at the school in the school year."""
    if person_id is None:
        return set()
    return set(TeachingAssignment.objects.filter(person_id=person_id, school_id=school_id, school_year=school_year)
               .values_list("grade", "class_no"))


def can_manage_teaching(user, school) -> bool:
    """任课 is set, and files are opened, by the school's own admin."""
    s = scopes.scope_of(user)
    return school is not None and (s.superuser or school.pk in s.admin_schools)


def can_read_files(user) -> bool:
    """Whether the file list is a page for this user at all (rows are scoped by :func:`files_visible_to`)."""
    s = scopes.scope_of(user)
    return bool(s.superuser or s.person_id or s.admin_schools or s.region_counties or s.led_groups)


# --- Files --------------------------------------------------------------------------------


def name_shown_q(user) -> Q | Exists | None:
    """The condition on a file row under which ``user`` reads the full name (None: never)."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Q(pk__isnull=False)
    condition = Q(school_id__in=s.admin_schools) if s.admin_schools else None
    if s.person_id is not None:
        teaches = _teaches(s.person_id)
        condition = teaches if condition is None else (condition | teaches)
    return condition


def files_visible_to(user) -> QuerySet[StudentFile]:
    """The files ``user`` may open, each annotated ``name_shown`` (whether the reader sees the full name)."""
    s = scopes.scope_of(user)
    qs = StudentFile.objects.select_related("school", "opened_from")
    shown = name_shown_q(user)
    qs = qs.annotate(name_shown=ExpressionWrapper(shown, output_field=BooleanField()) if shown is not None
                     else Value(False, output_field=BooleanField()))
    if s.superuser:
        return qs
    condition = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties)
    if s.person_id is not None:
        condition |= _teaches(s.person_id)
    if s.led_groups:
        condition |= _taught_by_groups(s.led_groups)
    return qs.filter(condition)


def file_list(user) -> QuerySet[StudentFile]:
    """The files ``user`` sees with their note counts, newest school year first."""
    return files_visible_to(user).annotate(note_count=Count("notes")).order_by(
        "-school_year", "school_id", "grade", "class_no", "student_name", "pk")


def filter_files(qs: QuerySet[StudentFile], *, school_year=None, grade=None, class_no=None, subject="") -> QuerySet:
    if school_year:
        qs = qs.filter(school_year=school_year)
    if grade:
        qs = qs.filter(grade=grade)
    if class_no:
        qs = qs.filter(class_no=class_no)
    subject = (subject or "").strip()
    if subject:
        # Subjects are a short JSON list; an index lookup works alike on SQLite and PostgreSQL.
        lookup = Q()
        for index in range(MAX_SUBJECTS):
            lookup |= Q(**{f"subjects__{index}": subject})
        qs = qs.filter(lookup)
    return qs


def can_edit_file(user, file: StudentFile) -> bool:
    """The support plan is written by the school's admin and the class's teachers."""
    s = scopes.scope_of(user)
    if s.superuser or file.school_id in s.admin_schools:
        return True
    return teaches_class(s.person_id, school_id=file.school_id, school_year=file.school_year, grade=file.grade,
                         class_no=file.class_no)


def can_add_note(user, file: StudentFile) -> bool:
    """Notes are written by a person: the class's teachers, and the school's admin when they are staff."""
    s = scopes.scope_of(user)
    if s.person_id is None:
        return False
    return file.school_id in s.admin_schools or teaches_class(
        s.person_id, school_id=file.school_id, school_year=file.school_year, grade=file.grade, class_no=file.class_no)


def notes_of(file: StudentFile):
    return list(file.notes.select_related("author").order_by("-date", "-pk"))


# --- Scores --------------------------------------------------------------------------------


def pass_ratio(school) -> Decimal:
    """The school's pass line as a share of full marks (its quality settings, else 60%)."""
    return lines_of(school).pass_ratio


def pass_line(exam: Exam, ratio: Decimal | None = None) -> Decimal:
    """The score below which a student is under pass in ``exam``."""
    return (ratio if ratio is not None else pass_ratio(exam.school)) * exam.full_marks


def below_pass(exam: Exam) -> dict[tuple[int, int, str], list[str]]:
    """``{(grade, class_no, name): [subjects]}``: the students scored under the pass line in ``exam``.
    A student absent or exempt in a subject is not under pass in it."""
    line = pass_line(exam)
    rows = (ExamScore.objects.filter(exam=exam, status=ScoreStatus.SCORED, score__lt=line)
            .order_by("grade", "class_no", "row", "subject").values_list("grade", "class_no", "student_name", "subject"))
    out: dict[tuple[int, int, str], list[str]] = {}
    for grade, class_no, name, subject in rows:
        subjects = out.setdefault((grade, class_no, name.strip()), [])
        if subject not in subjects:
            subjects.append(subject)
    return out


def final_exams(school) -> QuerySet[Exam]:
    """The school's final exams, the latest first (files are opened from one of them)."""
    return Exam.objects.filter(school=school, kind=ExamKind.FINAL).order_by("-date", "-pk")


@dataclass
class History:
    """A file's scores: one row per exam of its school year, one column per subject."""

    exams: list[Exam] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    #: ``[(exam, [cell per subject])]``; a cell is ``{"score": Decimal or None, "status": label or "", "below": under
    #: the exam's pass line}``, or None (no row).
    rows: list[tuple[Exam, list]] = field(default_factory=list)
    lines: dict[int, Decimal] = field(default_factory=dict)

    def chart(self) -> dict:
        """``{categories, series}`` for the line chart: scores only (a status is a gap)."""
        series = []
        for index, subject in enumerate(self.subjects):
            data = [float(cells[index]["score"]) if cells[index] and cells[index]["score"] is not None else None
                    for _exam, cells in self.rows]
            series.append({"name": subject, "data": data})
        return {"categories": [exam.name for exam in self.exams], "series": series}


def score_history(file: StudentFile) -> History:
    """The student's results over the monthly, mid-term and final exams of the file's school year,
    matched by grade, class and name; the subjects the file names come first."""
    exams = list(Exam.objects.filter(school_id=file.school_id, school_year=file.school_year, kind__in=HISTORY_KINDS)
                 .order_by("date", "pk"))
    scores = ExamScore.objects.filter(exam__in=exams, grade=file.grade, class_no=file.class_no,
                                      student_name=file.student_name).values_list("exam_id", "subject", "score", "status")
    by_exam: dict[int, dict[str, object]] = {}
    subjects = list(file.subjects)
    labels = dict(ScoreStatus.choices)
    for exam_id, subject, score, status in scores:
        scored = status == ScoreStatus.SCORED
        by_exam.setdefault(exam_id, {})[subject] = {"score": score if scored else None,
                                                   "status": "" if scored else str(labels.get(status, status))}
        if subject not in subjects:
            subjects.append(subject)
    taken = [exam for exam in exams if exam.pk in by_exam]
    ratio = pass_ratio(file.school)
    history = History(exams=taken, subjects=subjects, lines={exam.pk: pass_line(exam, ratio) for exam in taken})
    history.rows = [(exam, [by_exam[exam.pk].get(subject) for subject in subjects]) for exam in taken]
    for exam, cells in history.rows:
        for cell in cells:
            if cell is not None:
                cell["below"] = cell["score"] is not None and cell["score"] < history.lines[exam.pk]
    return history


# --- Teaching assignments --------------------------------------------------------------------


def assignment_of(school, school_year: int, grade: int | None, class_no: int | None, subject: str):
    """Who teaches one class one subject (None when nobody is set, or the class is not given)."""
    if grade is None or class_no is None or not subject:
        return None
    return TeachingAssignment.objects.filter(school=school, school_year=school_year, grade=grade, class_no=class_no,
                                             subject=subject).first()


@dataclass
class TeachingGrid:
    """The school's classes × subjects of a school year with who teaches each."""

    classes: list[tuple[int, int]]
    subjects: list[str]
    #: ``[(grade, class_no, label, [(subject, assignment or None) per subject])]``
    rows: list[tuple[int, int, str, list]]
    count: int


def teaching_grid(school, school_year: int) -> TeachingGrid:
    """Classes and subjects from the year's assignments and the year's exam scores."""
    assignments = list(TeachingAssignment.objects.filter(school=school, school_year=school_year).select_related("person"))
    seen = set(ExamScore.objects.filter(exam__school=school, exam__school_year=school_year)
               .values_list("grade", "class_no", "subject").distinct())
    classes = sorted({(a.grade, a.class_no) for a in assignments} | {(g, c) for g, c, _s in seen})
    subjects = []
    for subject in [a.subject for a in assignments] + sorted({s for _g, _c, s in seen}):
        if subject not in subjects:
            subjects.append(subject)
    by_cell = {(a.grade, a.class_no, a.subject): a for a in assignments}
    rows = [(g, c, class_label(g, c), [(s, by_cell.get((g, c, s))) for s in subjects]) for g, c in classes]
    return TeachingGrid(classes=classes, subjects=subjects, rows=rows, count=len(assignments))
