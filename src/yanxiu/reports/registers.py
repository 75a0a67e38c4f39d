"""Registers (台账): every training of a teacher, of a school's teachers and of one training.

The rows of every register are the ledger's own: ``CreditEntry.objects.active()``
(an entry and its reversal both drop out), so a register's hours always equal
the ledger's and the compliance lines built on it. What the ledger row does not
hold itself comes from the database in the same query, by source:

=============  =====================================  ================================
source         date (start–end)                       level
=============  =====================================  ================================
session        the session's start (and end)          the session's project level
import         ``evidence["start"]``–``["end"]``      ``evidence["level"]``
certificate    the claim's start and end dates        the claim's level
activity       the activity's date                    校培 (the school made it)
objection      the named session's start, if any      that session's level, else 校培
=============  =====================================  ================================

and, where none applies, the day the entry was registered (``created_at``).

Who sees which rows: region staff the current teachers of their counties'
schools, a school admin those of their schools, a group leader the members of
their groups, a teacher themself (:func:`register_employments`,
:func:`entries_visible_to`). A school's register lists its *current* teachers
with every entry of theirs in the year, wherever it was registered, as the
compliance lines do. ID numbers are always masked.

The xlsx of a register is streamed (:func:`write_entries_xlsx`): a write-only
workbook fed from ``values()`` rows read with a server-side cursor
(``iterator(chunk_size=…)``), so a county's 300,000 rows never sit in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import connections, transaction
from django.db.models import BigIntegerField, Case, CharField, Count, DateField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils.translation import gettext as _

from yanxiu.core import xlsx
from yanxiu.credits.compliance import ComplianceRow, compliance_rows
from yanxiu.credits.evidence import describe
from yanxiu.credits.models import ActivityRecord, CertificateClaim, CreditEntry, Objection, SourceType
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Person, School, mask_id_number
from yanxiu.policy.models import CreditKind
from yanxiu.policy.selectors import spec_in_force
from yanxiu.training.models import Enrollment, Session, TrainingLevel

from . import measures

ZERO = Decimal("0")
#: Rows read per round trip while streaming an export.
CHUNK = 2000
LEVELS = list(TrainingLevel.values)
KINDS = list(CreditKind.values)
LEVEL_LABELS = dict(TrainingLevel.choices)
KIND_LABELS = dict(CreditKind.choices)
SOURCE_LABELS = dict(SourceType.choices)


# --- The columns the ledger row lacks ------------------------------------------------


def _session_of_entry():
    # Only evaluated for session rows (inside the CASE branch), whose source_id is the session's id.
    return Session.objects.filter(pk=Cast(OuterRef("source_id"), BigIntegerField()))


def _objection_session():
    return Objection.objects.filter(resolution_entry=OuterRef("pk"), session__isnull=False)


def with_register_columns(entries: QuerySet[CreditEntry]) -> QuerySet[CreditEntry]:
    """``entries`` with ``training_start``, ``training_end`` (dates), ``training_date`` (start, else the day
    it was registered) and ``level`` annotated by the database, in the same query."""
    if "training_date" in entries.query.annotations:
        return entries
    local_start = TruncDate("starts_at")
    start = Case(
        When(source_type=SourceType.SESSION, then=Subquery(_session_of_entry().annotate(d=local_start).values("d")[:1])),
        When(source_type=SourceType.IMPORT, then=Cast(KeyTextTransform("start", "evidence"), DateField())),
        When(source_type=SourceType.CERTIFICATE,
             then=Subquery(CertificateClaim.objects.filter(entry=OuterRef("pk")).values("start_date")[:1])),
        When(source_type=SourceType.ACTIVITY, then=Subquery(ActivityRecord.objects.filter(entry=OuterRef("pk")).values("date")[:1])),
        When(source_type=SourceType.OBJECTION,
             then=Subquery(_objection_session().annotate(d=TruncDate("session__starts_at")).values("d")[:1])),
        default=None, output_field=DateField(),
    )
    end = Case(
        When(source_type=SourceType.SESSION, then=Subquery(_session_of_entry().annotate(d=TruncDate("ends_at")).values("d")[:1])),
        When(source_type=SourceType.IMPORT, then=Cast(KeyTextTransform("end", "evidence"), DateField())),
        When(source_type=SourceType.CERTIFICATE,
             then=Subquery(CertificateClaim.objects.filter(entry=OuterRef("pk")).values("end_date")[:1])),
        default=None, output_field=DateField(),
    )
    level = Case(
        When(source_type=SourceType.SESSION, then=Subquery(_session_of_entry().values("project__level")[:1])),
        When(source_type=SourceType.IMPORT, then=KeyTextTransform("level", "evidence")),
        When(source_type=SourceType.CERTIFICATE, then=Subquery(CertificateClaim.objects.filter(entry=OuterRef("pk")).values("level")[:1])),
        When(source_type=SourceType.ACTIVITY, then=Value(TrainingLevel.SCHOOL)),
        When(source_type=SourceType.OBJECTION,
             then=Coalesce(Subquery(_objection_session().values("session__project__level")[:1]), Value(TrainingLevel.SCHOOL))),
        default=Value(""), output_field=CharField(),
    )
    return entries.annotate(training_start=start, training_end=end, level=level).annotate(
        training_date=Coalesce("training_start", TruncDate("created_at"), output_field=DateField()))


# --- Who sees which rows --------------------------------------------------------------


def register_employments(user) -> QuerySet[Employment]:
    """Current employments whose teachers' registers ``user`` may read (their own included)."""
    s = scopes.scope_of(user)
    current = Employment.objects.current()
    if s.superuser:
        return current
    q = Q(school__county_id__in=s.region_counties) | Q(school_id__in=s.admin_schools)
    if s.led_groups:
        q |= Q(groups__pk__in=s.led_groups)
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    if not (s.region_counties or s.admin_schools or s.led_groups or s.person_id):
        return current.none()
    return current.filter(pk__in=current.filter(q).values("pk"))


def can_read_others(user) -> bool:
    """A register of more than oneself: region staff, school admins and group leaders."""
    s = scopes.scope_of(user)
    return bool(s.superuser or s.region_counties or s.admin_schools or s.led_groups)


def register_people(user) -> QuerySet[Person]:
    """People whose register ``user`` may open: their current teachers in scope, and themself."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Person.objects.all()
    q = Q(pk__in=register_employments(user).values("person_id"))
    if s.person_id is not None:
        q |= Q(pk=s.person_id)
    return Person.objects.filter(q)


def entries_visible_to(user) -> QuerySet[CreditEntry]:
    """Active ledger rows of the teachers in the user's registers (a teacher: their own, wherever they work)."""
    s = scopes.scope_of(user)
    entries = CreditEntry.objects.active()
    if s.superuser:
        return entries
    q = Q(person_id__in=register_employments(user).values("person_id"))
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return entries.filter(q)


def register_schools(user) -> QuerySet[School]:
    """Schools a register may be narrowed to: those whose teachers the user reads."""
    return School.objects.filter(pk__in=register_employments(user).values("school_id")).order_by("code")


def register_sessions(user) -> QuerySet[Session]:
    """Sessions whose per-training register the user may open: those of their region (region staff),
    run by, allocated to or attended from their school (school admins), or of their groups (group leaders)."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Session.objects.all()
    if not can_read_others(user):
        return Session.objects.none()
    q = Q(project__region_id__in=s.region_counties) | Q(project__owner_school_id__in=s.admin_schools)
    if s.admin_schools:
        q |= Q(project__quotas__school_id__in=s.admin_schools) | Q(enrollments__school_id__in=s.admin_schools)
    if s.led_groups:
        q |= Q(group_id__in=s.led_groups)
    return Session.objects.filter(pk__in=Session.objects.filter(q).values("pk"))


# --- Filters -----------------------------------------------------------------------------


def term_spans(school, year: int) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The two terms of school year ``year`` covering the whole year: the school's calendar
    (growth.calendar) for one school, 1 September–31 January and 1 February–31 August otherwise;
    the days between terms belong to the term just ended."""
    from yanxiu.growth import calendar

    start, end = measures.year_span(school.county if school is not None else None, year)
    second_start = dt.date(year + 1, 2, 1)
    if school is not None:
        first, second = calendar.terms_of_year(school, year)
        start, second_start = min(start, first.start), second.start
    return (start, second_start - dt.timedelta(days=1)), (second_start, max(end, second_start))


@dataclass
class EntryFilters:
    year: int | None = None
    term: tuple[dt.date, dt.date] | None = None
    level: str = ""
    kind: str = ""
    school: School | None = None
    cluster_id: int | None = None
    group_id: int | None = None
    person_id: int | None = None


def _current_people(**lookup) -> QuerySet:
    return Employment.objects.current().filter(**lookup).values("person_id")


def filter_entries(entries: QuerySet[CreditEntry], f: EntryFilters) -> QuerySet[CreditEntry]:
    """``entries`` (with the register columns) narrowed by year, term, level, kind and the teacher's current
    school, cluster or group."""
    if f.year is not None:
        entries = entries.filter(school_year=f.year)
    if f.person_id is not None:
        entries = entries.filter(person_id=f.person_id)
    if f.term is not None:
        entries = entries.filter(training_date__gte=f.term[0], training_date__lte=f.term[1])
    if f.level:
        entries = entries.filter(level=f.level)
    if f.kind:
        entries = entries.filter(kind=f.kind)
    if f.school is not None:
        entries = entries.filter(person_id__in=_current_people(school=f.school))
    if f.cluster_id is not None:
        entries = entries.filter(person_id__in=_current_people(school__cluster_id=f.cluster_id))
    if f.group_id is not None:
        entries = entries.filter(person_id__in=_current_people(groups__pk=f.group_id))
    return entries


def search_entries(entries: QuerySet[CreditEntry], text: str) -> QuerySet[CreditEntry]:
    """Rows whose teacher's name or training title contains ``text``."""
    if not text:
        return entries
    return entries.filter(Q(person__name__icontains=text) | Q(title__icontains=text))


def register_entries(user, f: EntryFilters, *, search: str = "") -> QuerySet[CreditEntry]:
    """The entry rows of the user's registers, filtered, with the register columns, in date order."""
    entries = with_register_columns(entries_visible_to(user).select_related("person", "school"))
    entries = search_entries(filter_entries(entries, f), search)
    return entries.order_by("training_date", "person__name", "seq")


def counts_credits(county, year: int) -> bool:
    """The county's policy for the year measures 学分 (credits) rather than hours."""
    spec = spec_in_force(county, year) if county is not None else None
    return spec is not None and spec.amount_field == "credits"


# --- One row of an entry register ---------------------------------------------------------


def entry_evidence_text(source_type: str, evidence: dict | None) -> str:
    return describe(SimpleNamespace(source_type=source_type, evidence=evidence or {})).text


def date_text(start: dt.date | None, end: dt.date | None, fallback: dt.date | None = None) -> str:
    """``2025-10-08`` or ``2025-10-08 至 2025-10-12``; the registration day when the training has none."""
    if start is None:
        return fallback.isoformat() if fallback else ""
    if end is None or end == start:
        return start.isoformat()
    return f"{start.isoformat()} 至 {end.isoformat()}"


def level_label(level: str | None) -> str:
    return str(LEVEL_LABELS.get(level or "", ""))


def _export_header(*, with_person: bool, with_credits: bool) -> list[str]:
    head = [_("姓名"), _("身份证号"), _("登记学校")] if with_person else []
    head += [_("日期"), _("级别"), _("培训类别"), _("内容类别"), _("培训名称"), _("学时")]
    if with_credits:
        head.append(_("学分"))
    return head + [_("来源"), _("证据")]


EXPORT_FIELDS = ("person__name", "person__id_number", "school__name", "training_start", "training_end", "training_date",
                 "level", "kind", "category", "title", "hours", "credits", "source_type", "evidence")


def write_entries_xlsx(path, entries, *, progress: Callable[[int, int], None] | None = None, with_credits: bool = True,
                       with_person: bool = True, sheet_title: str = "") -> int:
    """Write the register rows of ``entries`` (a CreditEntry queryset, in its own order) to an xlsx at ``path``.

    Columns: name, masked ID number and registering school (``with_person``), then the teacher-register
    columns (date, level, kind, category, title, hours, credits when ``with_credits``, source, evidence).
    Streamed: a write-only workbook fed from ``values()`` rows read ``CHUNK`` at a time, so memory does
    not grow with the number of rows. ``progress(done, total)`` is called every 500 rows and at the end.
    Returns the number of rows written (the header not counted).
    """
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet((sheet_title or _("台账"))[:31])
    written = _append_entries(ws, entries, progress=progress, with_credits=with_credits, with_person=with_person)
    wb.save(path)
    return written


def _append_entries(ws, entries, *, progress=None, with_credits=True, with_person=True) -> int:
    entries = with_register_columns(entries)
    if not entries.query.order_by and not entries.query.default_ordering:
        entries = entries.order_by("seq")
    total = entries.count() if progress is not None else 0
    xlsx.append(ws, _export_header(with_person=with_person, with_credits=with_credits))
    if progress is not None:
        progress(0, total)
    written = 0
    with _whole_scan(entries.db):
        for r in entries.values(*EXPORT_FIELDS).iterator(chunk_size=CHUNK):
            written = _write_entry(ws, r, written, with_person=with_person, with_credits=with_credits)
            if progress is not None and written % 500 == 0:
                progress(written, total)
    if progress is not None:
        progress(written, total)
    return written


@contextlib.contextmanager
def _whole_scan(alias: str):
    """Read a streamed export as the whole result it is: PostgreSQL plans a cursor for its first
    rows (``cursor_tuple_fraction`` 0.1), which for a county's 300,000 rows with their per-source
    subqueries is several times slower than the plan for all of them."""
    conn = connections[alias]
    if conn.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        with conn.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        yield


def _write_entry(ws, r: dict, written: int, *, with_person: bool, with_credits: bool) -> int:
    row = [r["person__name"], mask_id_number(r["person__id_number"] or ""), r["school__name"] or ""] if with_person else []
    row += [date_text(r["training_start"], r["training_end"], r["training_date"]), level_label(r["level"]),
            str(KIND_LABELS.get(r["kind"], r["kind"])), r["category"], r["title"], float(r["hours"])]
    if with_credits:
        row.append(float(r["credits"]))
    row += [str(SOURCE_LABELS.get(r["source_type"], r["source_type"])), entry_evidence_text(r["source_type"], r["evidence"])]
    xlsx.append(ws, row)
    return written + 1


# --- A school's register: one row per teacher ----------------------------------------------


@dataclass
class TeacherRow:
    person_id: int
    name: str
    id_number: str
    school_id: int
    school: str
    groups: str = ""
    trainings: int = 0
    by_level: dict[str, Decimal] = field(default_factory=dict)
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    compliance: ComplianceRow | None = None

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def status_label(self) -> str:
        """The standing in words: progress while the year runs (never a verdict then), the verdict after."""
        return self.compliance.status_label if self.compliance is not None else _("未纳入学时政策")

    @property
    def status(self) -> str:
        return self.compliance.status if self.compliance is not None else ""


def teacher_rows(employments: QuerySet[Employment], year: int, entries: QuerySet[CreditEntry], *, search: str = "") -> list[TeacherRow]:
    """One row per current employment in ``employments``: the count and hours of its teacher's ``entries``
    (already filtered: year, term, level, kind) by level and by kind, and the year's compliance line.
    Three queries whatever the number of teachers: the teachers, one GROUP BY (person, level, kind) and
    the compliance aggregate; plus one for the groups."""
    employments = employments.current()
    if search:
        employments = employments.filter(person__name__icontains=search)
    staff = list(employments.order_by("school__code", "person__name", "person_id")
                 .values_list("pk", "person_id", "person__name", "person__id_number", "school_id", "school__name"))
    if not staff:
        return []
    ids = [s[0] for s in staff]
    groups: dict[int, list[str]] = {}
    for emp_id, name in Employment.groups.through.objects.filter(employment_id__in=ids).order_by("group__name").values_list(
            "employment_id", "group__name"):
        groups.setdefault(emp_id, []).append(name)
    rows: dict[int, TeacherRow] = {}
    for emp_id, person_id, name, id_number, school_id, school_name in staff:
        rows.setdefault(person_id, TeacherRow(person_id, name, id_number, school_id, school_name, "、".join(groups.get(emp_id, [])),
                                              by_level=dict.fromkeys(LEVELS, ZERO), by_kind=dict.fromkeys(KINDS, ZERO)))
    sums = (with_register_columns(entries).filter(person_id__in=employments.values("person_id")).order_by()
            .values_list("person_id", "level", "kind").annotate(n=Count("pk"), h=Sum("hours")))
    for person_id, level, kind, n, hours in sums:
        row = rows.get(person_id)
        if row is None:
            continue
        hours = Decimal(hours or 0).quantize(Decimal("0.01"))
        row.trainings += n
        row.total += hours
        if level in row.by_level:
            row.by_level[level] += hours
        if kind in row.by_kind:
            row.by_kind[kind] += hours
    for line in compliance_rows(Employment.objects.filter(pk__in=ids), year):
        if line.person_id in rows:
            rows[line.person_id].compliance = line
    return list(rows.values())


@dataclass
class Training:
    key: tuple
    title: str
    date: str
    level: str

    @property
    def label(self) -> str:
        return f"{self.title}（{self.date}）" if self.date else self.title


def training_matrix(entries: QuerySet[CreditEntry], person_ids) -> tuple[list[Training], dict[int, dict[tuple, Decimal]]]:
    """The trainings of ``entries`` (one per title and date) and each teacher's hours in each: one query."""
    trainings: dict[tuple, Training] = {}
    cells: dict[int, dict[tuple, Decimal]] = {}
    rows = (with_register_columns(entries).filter(person_id__in=list(person_ids)).order_by()
            .values_list("person_id", "title", "training_date", "level").annotate(h=Sum("hours")))
    for person_id, title, day, level, hours in rows:
        key = (title, day)
        if key not in trainings:
            trainings[key] = Training(key, title, day.isoformat() if day else "", level_label(level))
        person = cells.setdefault(person_id, {})
        person[key] = person.get(key, ZERO) + Decimal(hours or 0).quantize(Decimal("0.01"))
    ordered = sorted(trainings.values(), key=lambda t: (t.date, t.title))
    return ordered, cells


def write_matrix_sheet(ws, rows: list[TeacherRow], trainings: list[Training], cells) -> None:
    """Teacher × training: hours in each cell, a total column and a total row."""
    xlsx.append(ws, [_("姓名"), _("学校"), *[t.label for t in trainings], _("合计")])
    column_totals = [ZERO] * len(trainings)
    for row in rows:
        mine = cells.get(row.person_id, {})
        values = []
        for i, t in enumerate(trainings):
            hours = mine.get(t.key)
            values.append(float(hours) if hours else None)
            if hours:
                column_totals[i] += hours
        xlsx.append(ws, [row.name, row.school, *values, float(sum(mine.values(), ZERO))])
    xlsx.append(ws, [_("合计"), "", *[float(v) for v in column_totals], float(sum(column_totals, ZERO))])


# --- A training's register: who took part ---------------------------------------------------


@dataclass
class ParticipantRow:
    person_id: int
    name: str
    id_number: str
    school: str
    enrolled: int = 0
    present: int = 0
    late: int = 0
    absent: int = 0
    leave: int = 0
    leave_reasons: list[str] = field(default_factory=list)
    hours: Decimal = ZERO

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def leave_text(self) -> str:
        return "；".join(self.leave_reasons)


def participant_rows(sessions: QuerySet[Session], *, people: QuerySet[Person] | None = None, search: str = "",
                     now: dt.datetime | None = None) -> list[ParticipantRow]:
    """Everyone enrolled in or attending ``sessions``: enrolments, attendance present (and late),
    unexcused absences (measures.absences), approved leave with its reason and the hours the ledger
    credits for these sessions. ``people`` limits the rows (a school admin sees their own teachers)."""
    from yanxiu.attendance.models import Attendance
    from yanxiu.org.selectors import current_employments

    session_ids = list(sessions.values_list("pk", flat=True))
    if not session_ids:
        return []
    scoped = Session.objects.filter(pk__in=session_ids)
    enrolled = Enrollment.objects.filter(session_id__in=session_ids, status=Enrollment.Status.ENROLLED)
    attended = Attendance.objects.filter(session_id__in=session_ids, status=Attendance.Status.PRESENT)
    credited = CreditEntry.objects.active().filter(source_type=SourceType.SESSION, source_id__in=[str(i) for i in session_ids])
    person_ids = set(enrolled.values_list("person_id", flat=True)) | set(attended.values_list("person_id", flat=True))
    if people is not None:
        person_ids &= set(people.filter(pk__in=person_ids).values_list("pk", flat=True))
    if search:
        person_ids &= set(Person.objects.filter(pk__in=person_ids, name__icontains=search).values_list("pk", flat=True))
    if not person_ids:
        return []
    schools = current_employments(person_ids)
    rows = {pk: ParticipantRow(pk, name, number, schools[pk].school.name if pk in schools else "")
            for pk, name, number in Person.objects.filter(pk__in=person_ids).order_by("name", "pk").values_list("pk", "name", "id_number")}
    for pk, n in enrolled.filter(person_id__in=person_ids).order_by().values_list("person_id").annotate(n=Count("pk")):
        rows[pk].enrolled = n
    for pk, n, late in (attended.filter(person_id__in=person_ids).order_by().values_list("person_id")
                        .annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True)))):
        rows[pk].present, rows[pk].late = n, late
    for pk, n in (measures.absences(scoped, now=now).filter(person_id__in=person_ids).order_by()
                  .values_list("person_id").annotate(n=Count("pk"))):
        rows[pk].absent = n
    for pk, reason, title in (measures.approved_leave(scoped).filter(person_id__in=person_ids)
                              .order_by("session__starts_at", "pk").values_list("person_id", "reason", "session__title")):
        rows[pk].leave += 1
        rows[pk].leave_reasons.append(f"{title}：{reason}" if len(session_ids) > 1 else reason)
    for pk, hours in credited.filter(person_id__in=person_ids).order_by().values_list("person_id").annotate(h=Sum("hours")):
        rows[pk].hours = Decimal(hours or 0).quantize(Decimal("0.01"))
    return list(rows.values())


# --- The command's workbook ---------------------------------------------------------------------


def write_school_register(path, school: School, year: int) -> tuple[int, int]:
    """The school's register of school year ``year`` as one xlsx: sheet 1 every active ledger row of the
    school's current teachers (the teacher-register columns with name, masked ID and school), sheet 2
    one row per teacher (as the school register page). Returns (entry rows, teacher rows)."""
    employments = Employment.objects.current().filter(school=school)
    entries = (CreditEntry.objects.active().filter(school_year=year, person_id__in=employments.values("person_id"))
               .select_related(None).order_by("person__name", "person_id", "seq"))
    credits = counts_credits(school.county, year)
    wb = xlsx.workbook(write_only=True)
    written = _append_entries(wb.create_sheet(_("台账")), entries, with_credits=credits)
    rows = teacher_rows(employments, year, CreditEntry.objects.active().filter(school_year=year))
    write_teacher_sheet(wb.create_sheet(_("教师汇总")), rows)
    wb.save(path)
    return written, len(rows)


def teacher_header() -> list[str]:
    return [_("姓名"), _("身份证号"), _("学校"), _("所在组"), _("培训次数"),
            *[str(LEVEL_LABELS[level]) for level in LEVELS], *[str(KIND_LABELS[kind]) for kind in KINDS], _("合计"), _("状态")]


def teacher_values(row: TeacherRow) -> list:
    return [row.name, row.masked_id_number, row.school, row.groups, row.trainings,
            *[float(row.by_level[level]) for level in LEVELS], *[float(row.by_kind[kind]) for kind in KINDS],
            float(row.total), row.status_label]


def write_teacher_sheet(ws, rows: list[TeacherRow]) -> None:
    xlsx.append(ws, teacher_header())
    for row in rows:
        xlsx.append(ws, teacher_values(row))
