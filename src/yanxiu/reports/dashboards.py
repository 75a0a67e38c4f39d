"""The dashboards: the bureau's (per school and 片区), a school's (per group and
teacher) and a teacher's own, for one school year.

Every number comes from the definitions the other pages use:
compliance from ``credits.compliance.compliance_rows`` (the rate from
``reports.measures.compliance_rate``), sessions held, person-times, absences
and approved leave from ``reports.measures``, at-risk teachers from
``reports.at_risk``, late quotas from ``training.selectors.quotas_missed_deadline``
and unregistered sessions from ``credits.compliance.registered_session_ids``.

Batched: the bureau dashboard asks the same number of queries whatever the
number of schools (each measure is one GROUP BY school), and Python only adds
up the aggregated numbers. While the year runs the compliance wording is
progress (已达标 x%, 进行中, 有未达标风险), never a verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import (Case, CharField, Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery,
                              Sum, Value, When)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.credits.compliance import CENT, ZERO, ComplianceRow, Status, compliance_rows, registered_session_ids
from yanxiu.org.models import Employment, School, mask_id_number
from yanxiu.policy.models import CreditKind
from yanxiu.training.models import Session, TrainingLevel

from . import measures
from .at_risk import Projection, at_risk_teachers, projection

#: A held session whose credit is not registered this many days after it ended is late.
LATE_RESULT_DAYS = 7
#: At-risk teachers the bureau dashboard lists on its page (the full list is its own page).
AT_RISK_SHOWN = 50

KINDS = list(CreditKind.values)
LEVELS = list(TrainingLevel.values)
STATUS_COLOURS = {Status.MET: "#198754", Status.IN_PROGRESS: "#0dcaf0", Status.AT_RISK: "#ffc107", Status.BELOW: "#fd7e14",
                  Status.FAIL: "#dc3545"}
KIND_COLOURS = {"centralised": "#0d6efd", "online": "#6f42c1", "school_based": "#20c997"}
LEVEL_COLOURS = {"national": "#dc3545", "provincial": "#fd7e14", "city": "#ffc107", "county": "#0d6efd", "school": "#20c997"}


def status_columns(in_progress: bool) -> tuple[str, ...]:
    """The statuses a running year shows (no negative verdict yet), and those of a year that is over."""
    return (Status.MET, Status.IN_PROGRESS, Status.AT_RISK) if in_progress else (Status.MET, Status.BELOW, Status.FAIL)


@dataclass
class Line:
    """One school, 片区, group or teacher of a dashboard, with every measure."""

    key: int | str
    label: str
    code: str = ""
    cluster: str = ""
    teachers: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Status.ALL, 0))
    rate: Decimal | None = None
    kind_hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(KINDS, ZERO))
    level_hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(LEVELS, ZERO))
    sessions_held: int = 0
    person_times: int = 0
    absences: int = 0
    leave: int = 0
    at_risk: int = 0
    late_quotas: list[str] = field(default_factory=list)
    late_results: list[str] = field(default_factory=list)
    _met: int = 0

    @property
    def hours(self) -> Decimal:
        return sum(self.kind_hours.values(), ZERO)

    @property
    def rate_text(self) -> str:
        return measures.percent(self.rate)

    def add(self, other: Line) -> None:
        """Add ``other``'s counts to this line (a 片区 from its schools, a group from its teachers)."""
        self.teachers += other.teachers
        for status, n in other.counts.items():
            self.counts[status] += n
        for kind, h in other.kind_hours.items():
            self.kind_hours[kind] += h
        for level, h in other.level_hours.items():
            self.level_hours[level] += h
        self.sessions_held += other.sessions_held
        self.person_times += other.person_times
        self.absences += other.absences
        self.leave += other.leave
        self.at_risk += other.at_risk
        self.late_quotas += other.late_quotas
        self.late_results += other.late_results


@dataclass
class Dashboard:
    year: int
    now: dt.datetime
    in_progress: bool
    total: Line
    lines: list[Line]  # schools (bureau) or teachers (school)
    groups: list[Line] = field(default_factory=list)  # 片区 (bureau) or 教研组 (school)
    at_risk: list[Projection] = field(default_factory=list)
    rows: list[ComplianceRow] = field(default_factory=list)

    @property
    def statuses(self) -> tuple[str, ...]:
        return status_columns(self.in_progress)

    @property
    def late(self) -> list[Line]:
        """Schools late with quota names or with result lists."""
        return [line for line in self.lines if line.late_quotas or line.late_results]


# --- Batched reads ----------------------------------------------------------------------


def _fill_compliance(lines: dict, rows: list[ComplianceRow], key_of, projections: list[Projection]) -> None:
    """Teachers, counts by status and the compliance rate of each line, from the rows (no query)."""
    by_line: dict = defaultdict(list)
    for row in rows:
        by_line[key_of(row)].append(row)
    for key, line_rows in by_line.items():
        line = lines.get(key)
        if line is None:
            continue
        line.teachers = len(line_rows)
        for row in line_rows:
            line.counts[row.status] += 1
        line.rate = measures.compliance_rate(line_rows)
    for p in projections:
        line = lines.get(key_of(p.row))
        if line is not None:
            line.at_risk += 1


def _level_sql(q, alias: str, s: str, p: str, c: str, o: str, op: str, evidence_level: str) -> str:
    """The level of ledger row ``alias`` from its joined session project ``p``, claim ``c``, objection's session project ``op``."""
    return (f"COALESCE({p}.{q('level')}, {c}.{q('level')}, CASE WHEN {alias}.{q('source_type')} = 'import' THEN {evidence_level} END, "
            f"{op}.{q('level')}, 'school')")


def _joins_sql(q, alias: str, suffix: str) -> str:
    from yanxiu.credits.models import CertificateClaim, Objection
    from yanxiu.training.models import Project, Session

    session, project = q(Session._meta.db_table), q(Project._meta.db_table)
    return (
        f"LEFT JOIN {session} s{suffix} ON s{suffix}.{q('id')} = "
        f"CASE WHEN {alias}.{q('source_type')} = 'session' THEN CAST({alias}.{q('source_id')} AS BIGINT) END "
        f"LEFT JOIN {project} p{suffix} ON p{suffix}.{q('id')} = s{suffix}.{q('project_id')} "
        f"LEFT JOIN {q(CertificateClaim._meta.db_table)} c{suffix} ON {alias}.{q('source_type')} = 'certificate' "
        f"AND c{suffix}.{q('entry_id')} = {alias}.{q('id')} "
        f"LEFT JOIN {q(Objection._meta.db_table)} o{suffix} ON {alias}.{q('source_type')} = 'objection' "
        f"AND o{suffix}.{q('resolution_entry_id')} = {alias}.{q('id')} "
        f"LEFT JOIN {session} os{suffix} ON os{suffix}.{q('id')} = o{suffix}.{q('session_id')} "
        f"LEFT JOIN {project} op{suffix} ON op{suffix}.{q('id')} = os{suffix}.{q('project_id')} "
    )


def ledger_hours(employments: QuerySet, year: int, *, by: str = "school") -> dict:
    """Net hours (学时) of school year ``year`` of the people holding ``employments`` (current ones), by school
    (``by="school"``: the employment's school) or by person, by kind and by level: one GROUP BY.

    The level is the training's (国/省/市/县/校), as the registers give it
    (``reports.registers.with_register_columns``): a session's project level, an
    imported result's ``evidence["level"]``, a certificate claim's level, an
    objection's missed session's level; activities and the rest are 校培. A
    reversal counts, negative, at the level of the entry it reverses (looked up
    for the reversal rows only), so the sums are the net ledger, as compliance
    sums it. The employments, sessions, claims and objections are joined once
    (hash joins on PostgreSQL), not looked up entry by entry.
    """
    from yanxiu.credits.models import CreditEntry, SourceType

    employments = employments.current().order_by().values("person_id", "school_id")
    # The join with the employments below picks the people: a school's few by the (person, year) index.
    entries = (CreditEntry.objects.filter(school_year=year).order_by()
               .annotate(import_level=Case(When(source_type=SourceType.IMPORT, then=KeyTextTransform("level", "evidence")),
                                           default=Value(None), output_field=CharField()))
               .values("id", "person_id", "kind", "source_type", "source_id", "reverses_id", "hours", "import_level"))
    connection = connections[entries.db]
    q = connection.ops.quote_name
    e_sql, e_params = employments.query.sql_with_params()
    b_sql, b_params = entries.query.sql_with_params()

    def evidence_level(alias: str) -> str:
        column = f"{alias}.{q('evidence')}"
        return f"({column} ->> 'level')" if connection.vendor == "postgresql" else f"json_extract({column}, '$.level')"

    table = q(CreditEntry._meta.db_table)
    reversed_level = (
        f"(SELECT {_level_sql(q, 'r', 's2', 'p2', 'c2', 'o2', 'op2', evidence_level('r'))} FROM {table} r "
        f"{_joins_sql(q, 'r', '2')}WHERE r.{q('id')} = b.{q('reverses_id')})"
    )
    level = (f"CASE WHEN b.{q('source_type')} = 'reversal' THEN {reversed_level} "
             f"ELSE {_level_sql(q, 'b', 's', 'p', 'c', 'o', 'op', 'b.' + q('import_level'))} END")
    unit = q("school_id") if by == "school" else q("person_id")
    query = (
        f"SELECT e.{unit}, b.{q('kind')}, {level}, SUM(b.{q('hours')}) FROM ({b_sql}) b "
        f"INNER JOIN ({e_sql}) e ON e.{q('person_id')} = b.{q('person_id')} {_joins_sql(q, 'b', '')}"
        "GROUP BY 1, 2, 3"
    )
    school = TrainingLevel.SCHOOL.value
    result: dict = defaultdict(lambda: {"kind": dict.fromkeys(KINDS, ZERO), "level": dict.fromkeys(LEVELS, ZERO)})
    with connection.cursor() as cursor:
        cursor.execute(query, [*b_params, *e_params])
        for key, kind, lvl, hours in cursor.fetchall():
            hours = Decimal(str(hours or 0)).quantize(CENT)
            item = result[key]
            if kind in item["kind"]:
                item["kind"][kind] += hours
            item["level"][lvl if lvl in item["level"] else school] += hours
    return result


def _count(qs: QuerySet) -> Subquery:
    """``qs`` (the rows of one session, the outer query's) counted, as a number per session."""
    return Coalesce(Subquery(qs.order_by().values("session_id").annotate(c=Count("*")).values("c")[:1], output_field=IntegerField()), 0)


def _spans(rows: list[ComplianceRow], year: int) -> dict[int, tuple[dt.date, dt.date]]:
    """The school year of each school with teachers, from its rows' policy (``measures.year_span`` without a query)."""
    spans: dict[int, tuple[dt.date, dt.date]] = {}
    for row in rows:
        if row.school_id not in spans:
            spans[row.school_id] = (row.spec.year_start(row.years[0]), row.spec.year_end(row.years[1]))
    return spans


def _by_span(school_ids, spans, year: int) -> dict[tuple[dt.date, dt.date], list[int]]:
    default = measures.year_span(None, year)
    groups: dict = defaultdict(list)
    for pk in school_ids:
        groups[spans.get(pk, default)].append(pk)
    return groups


def _school_sessions(lines: dict[int, Line], spans, year: int, now: dt.datetime) -> None:
    """Sessions held, person-times, absences, leave and late result lists of each school: one query per school year span.

    One row per school and per late session (held, ended ``LATE_RESULT_DAYS`` days ago or more, its credit not
    registered: ``credits.compliance.registered_session_ids``), the counts summed per school in Python.
    """
    late_before = now - dt.timedelta(days=LATE_RESULT_DAYS)
    registered = registered_session_ids().filter(target_id=Cast(OuterRef("pk"), CharField()))
    for (start, end), ids in _by_span(lines, spans, year).items():
        held = measures.held_sessions(School.objects.filter(pk__in=ids), start, end, now=now)
        # Each measure of the one held session of the row: an index lookup by session, not a join with all of them.
        one = Session.objects.filter(pk=OuterRef(OuterRef("pk")))
        late = Case(When(Q(ends_at__lte=late_before) & ~Exists(registered), then=F("pk")), default=None, output_field=IntegerField())
        rows = (
            held.order_by().values("project__owner_school_id", late_pk=late)
            .annotate(n=Count("pk"), pt=Sum(_count(measures.person_times(one))),
                      ab=Sum(_count(measures.absences(one, now=now))), lv=Sum(_count(measures.approved_leave(one))),
                      title=Max("title"), ended=Max("ends_at"))
            .order_by("ended", "late_pk")
            .values_list("project__owner_school_id", "late_pk", "n", "pt", "ab", "lv", "title", "ended")
        )
        for school_id, late_pk, n, pt, ab, lv, title, ended in rows:
            line = lines[school_id]
            line.sessions_held += n
            line.person_times += pt or 0
            line.absences += ab or 0
            line.leave += lv or 0
            if late_pk is not None:
                line.late_results.append(f"{title}（{timezone.localtime(ended):%m-%d}）")


# --- The bureau ------------------------------------------------------------------------


def bureau_dashboard(schools: QuerySet[School], year: int, *, user, now: dt.datetime | None = None) -> Dashboard:
    """Per school and per 片区 of ``schools`` (already scoped to ``user``) for school year ``year``."""
    from yanxiu.training.selectors import quotas_missed_deadline

    now = now or timezone.now()
    # The schools, and a row more per quota past its deadline not submitted: one query.
    missed = quotas_missed_deadline(user=user, now=now)
    plain = schools.order_by().values_list("pk", "code", "name", "cluster_id", "cluster__name", Value(None, output_field=CharField()))
    late = (missed.filter(school__in=schools).order_by()
            .values_list("school_id", "school__code", "school__name", "school__cluster_id", "school__cluster__name", "project__title"))
    listed = sorted(plain.union(late, all=True), key=lambda r: (r[1], r[5] is not None, r[5] or ""))
    lines: dict[int, Line] = {}
    school_list = []
    for pk, code, name, cluster_id, cluster_name, quota in listed:
        if pk not in lines:
            lines[pk] = Line(key=pk, label=name, code=code, cluster=cluster_name or "")
            school_list.append((pk, code, name, cluster_id, cluster_name))
        if quota is not None:
            lines[pk].late_quotas.append(quota)
    ids = list(lines)
    rows = compliance_rows(Employment.objects.filter(school__in=schools.values("pk")), year, now=now) if ids else []
    projections = at_risk_teachers(rows, now=now)
    _fill_compliance(lines, rows, lambda r: r.school_id, projections)
    if ids:
        for school_id, sums in ledger_hours(Employment.objects.filter(school__in=schools.values("pk")), year).items():
            line = lines.get(school_id)
            if line is not None:
                line.kind_hours, line.level_hours = sums["kind"], sums["level"]
        _school_sessions(lines, _spans(rows, year), year, now)
    clusters: dict = {}
    for pk, _code, _name, cluster_id, cluster_name in school_list:
        key = cluster_id or 0
        cluster = clusters.get(key)
        if cluster is None:
            cluster = clusters[key] = Line(key=key, label=cluster_name or _("未分片区"))
        cluster.add(lines[pk])
    by_cluster = defaultdict(list)
    cluster_of = {pk: cluster_id or 0 for pk, _c, _n, cluster_id, _cn in school_list}
    for row in rows:
        by_cluster[cluster_of.get(row.school_id, 0)].append(row)
    total = Line(key="total", label=_("合计"))
    for key, cluster in clusters.items():
        cluster.rate = measures.compliance_rate(by_cluster.get(key, []))
        total.add(cluster)
    total.rate = measures.compliance_rate(rows)
    groups = sorted(clusters.values(), key=lambda c: (c.key == 0, c.label))
    in_progress = rows[0].in_progress if rows else year >= _current_year(now)
    return Dashboard(year=year, now=now, in_progress=in_progress, total=total, lines=list(lines.values()), groups=groups,
                     at_risk=projections, rows=rows)


def _current_year(now: dt.datetime) -> int:
    today = timezone.localdate(now)
    return today.year if today.month >= 9 else today.year - 1


# --- A school --------------------------------------------------------------------------


def school_dashboard(school: School, year: int, *, employments: QuerySet | None = None, group_ids=None,
                     now: dt.datetime | None = None) -> Dashboard:
    """Per teacher and per group of ``school`` for school year ``year``; a group leader's: the teachers of
    ``employments`` and the groups of ``group_ids`` only."""
    from yanxiu.org.models import Group

    now = now or timezone.now()
    employments = (employments if employments is not None else Employment.objects.filter(school=school)).filter(school=school)
    rows = compliance_rows(employments, year, now=now)
    projections = at_risk_teachers(rows, now=now)
    lines: dict[int, Line] = {}
    for row in rows:
        lines[row.person_id] = Line(key=row.person_id, label=row.name, code=mask_id_number(row.id_number or ""))
    _fill_compliance(lines, rows, lambda r: r.person_id, projections)
    person_ids = list(lines)
    if person_ids:
        for person_id, sums in ledger_hours(employments, year, by="person").items():
            line = lines.get(person_id)
            if line is not None:
                line.kind_hours, line.level_hours = sums["kind"], sums["level"]
        start, end = _spans(rows, year).get(school.pk) or measures.year_span(None, year)
        held = measures.held_sessions(School.objects.filter(pk=school.pk), start, end, now=now)
        for attr, qs in (("person_times", measures.person_times(held)), ("absences", measures.absences(held, now=now)),
                         ("leave", measures.approved_leave(held))):
            for person_id, n in qs.filter(person_id__in=person_ids).order_by().values("person_id").annotate(n=Count("pk")).values_list("person_id", "n"):
                if person_id in lines:
                    setattr(lines[person_id], attr, n)
    # Groups: a teacher in two groups counts in both.
    memberships = (Employment.groups.through.objects.filter(employment__in=employments.current(), employment__person_id__in=person_ids)
                   .values_list("group_id", "employment__person_id"))
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, person_id in memberships:
        members[group_id].append(person_id)
    groups = []
    by_person = {row.person_id: row for row in rows}
    group_qs = Group.objects.filter(pk__in=members)
    if group_ids is not None:
        group_qs = group_qs.filter(pk__in=group_ids)
    for group in group_qs.order_by("name"):
        line = Line(key=group.pk, label=group.name)
        for person_id in members[group.pk]:
            line.add(lines[person_id])
        line.rate = measures.compliance_rate([by_person[p] for p in members[group.pk]])
        groups.append(line)
    total = Line(key="total", label=_("合计"))
    for line in lines.values():
        total.add(line)
    total.rate = measures.compliance_rate(rows)
    # The school's own lateness: held sessions whose credit is not registered a week after.
    school_line = {school.pk: Line(key=school.pk, label=school.name)}
    if person_ids:
        _school_sessions(school_line, _spans(rows, year), year, now)
    total.sessions_held = school_line[school.pk].sessions_held
    total.late_results = school_line[school.pk].late_results
    in_progress = rows[0].in_progress if rows else year >= _current_year(now)
    return Dashboard(year=year, now=now, in_progress=in_progress, total=total, lines=list(lines.values()), groups=groups,
                     at_risk=projections, rows=rows)


# --- A teacher -------------------------------------------------------------------------


@dataclass
class Mine:
    row: ComplianceRow | None
    projection: Projection | None
    kind_hours: dict[str, Decimal]
    level_hours: dict[str, Decimal]


def teacher_dashboard(person, year: int, *, now: dt.datetime | None = None) -> Mine:
    """The teacher's own standing: their compliance row, its projection and their hours by kind and level."""
    now = now or timezone.now()
    rows = compliance_rows(Employment.objects.filter(person=person), year, now=now)
    row = rows[0] if rows else None
    proj = projection(row, today=timezone.localdate(now)) if row is not None and row.in_progress else None
    sums = ledger_hours(Employment.objects.filter(person=person), year, by="person").get(person.pk)
    return Mine(row=row, projection=proj, kind_hours=sums["kind"] if sums else dict.fromkeys(KINDS, ZERO),
                level_hours=sums["level"] if sums else dict.fromkeys(LEVELS, ZERO))


# --- Tables and charts -----------------------------------------------------------------


@dataclass
class Table:
    """One table of a dashboard: what its chart draws, what the page shows under it and what its export writes."""

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    chart: dict | None = None
    numeric_from: int = 1  # columns from this one are right-aligned
    chart_note: str = ""

    def chart_id(self) -> str:
        return f"chart-{self.key}"


def _num(value):
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _stacked(categories: list[str], series: list[tuple[str, list, str]]) -> dict:
    return {"categories": categories, "series": [{"name": name, "data": [_num(v) for v in data], "color": colour}
                                                 for name, data, colour in series]}


def compliance_table(key: str, title: str, head: str, lines: list[Line], in_progress: bool, *, extra: tuple = ()) -> Table:
    """Teachers, counts by status and the rate (已达标 x% while the year runs, 达标率 after it)."""
    statuses = status_columns(in_progress)
    rate_label = _("已达标") if in_progress else _("达标率")
    headers = [head, *[str(h) for h, _f in extra], _("教师"), *[_(Status.LABELS[s]) for s in statuses], rate_label]
    rows = [[line.label, *[f(line) for _h, f in extra], line.teachers, *[line.counts[s] for s in statuses], line.rate_text]
            for line in lines]
    chart = _stacked([line.label for line in lines],
                     [(_(Status.LABELS[s]), [line.counts[s] for line in lines], STATUS_COLOURS[s]) for s in statuses])
    return Table(key=key, title=title, headers=headers, rows=rows, chart=chart, numeric_from=1 + len(extra))


def hours_table(key: str, title: str, head: str, lines: list[Line], by: str) -> Table:
    """学时 by kind or by level, with the total."""
    if by == "kind":
        keys, labels, colours, attr = KINDS, dict(CreditKind.choices), KIND_COLOURS, "kind_hours"
    else:
        keys, labels, colours, attr = LEVELS, dict(TrainingLevel.choices), LEVEL_COLOURS, "level_hours"
    headers = [head, *[str(labels[k]) for k in keys], _("合计学时")]
    rows = [[line.label, *[_num(getattr(line, attr)[k]) for k in keys], _num(line.hours)] for line in lines]
    chart = _stacked([line.label for line in lines],
                     [(str(labels[k]), [getattr(line, attr)[k] for line in lines], colours[k]) for k in keys])
    return Table(key=key, title=title, headers=headers, rows=rows, chart=chart)


def participation_table(key: str, title: str, head: str, lines: list[Line], *, sessions: bool = True) -> Table:
    """Person-times, absences and approved leave (and sessions held, per school)."""
    headers = [head, *([_("开展活动")] if sessions else []), _("参训人次"), _("缺训人次"), _("请假人次（已批准）")]
    rows = [[line.label, *([line.sessions_held] if sessions else []), line.person_times, line.absences, line.leave] for line in lines]
    chart = _stacked([line.label for line in lines], [(_("参训人次"), [line.person_times for line in lines], "#0d6efd"),
                                                      (_("缺训人次"), [line.absences for line in lines], "#dc3545"),
                                                      (_("请假人次（已批准）"), [line.leave for line in lines], "#ffc107")])
    return Table(key=key, title=title, headers=headers, rows=rows, chart=chart)


def late_table(lines: list[Line]) -> Table:
    headers = [_("学校"), _("逾期未报名额"), _("结束 %(days)d 天后仍未登记学时的活动") % {"days": LATE_RESULT_DAYS}]
    rows = [[line.label, "、".join(line.late_quotas) or "—", "、".join(line.late_results) or "—"] for line in lines]
    return Table(key="late", title=_("逾期未报的学校"), headers=headers, rows=rows, numeric_from=99)


def at_risk_table(projections: list[Projection], *, limit: int | None = None, school: bool = True) -> Table:
    """姓名, masked ID, school, hours so far, scheduled, projected, to go: the list to send to schools."""
    headers = [_("姓名"), _("身份证号"), *([_("学校")] if school else []), _("已获学时"), _("已报名待开展"), _("按当前进度预计"),
               _("学年要求"), _("还差")]
    shown = projections if limit is None else projections[:limit]
    rows = [[p.name, p.masked_id, *([p.school_name] if school else []), _num(p.total), _num(p.scheduled), _num(p.projected),
             _num(p.minimum), _num(p.to_go)] for p in shown]
    return Table(key="at_risk", title=_("按目前进度预计不达标的教师"), headers=headers, rows=rows, numeric_from=3 if school else 2)


def bureau_tables(dash: Dashboard) -> list[Table]:
    schools, clusters = dash.lines, dash.groups
    cluster_col = ((_("片区"), lambda line: line.cluster or "—"),)
    return [
        compliance_table("schools", _("各校学时达标进度") if dash.in_progress else _("各校学时达标情况"), _("学校"), schools,
                         dash.in_progress, extra=cluster_col),
        compliance_table("clusters", _("各片区学时达标进度") if dash.in_progress else _("各片区学时达标情况"), _("片区"), clusters,
                         dash.in_progress),
        hours_table("kinds", _("各校学时（按培训类别）"), _("学校"), schools, "kind"),
        hours_table("levels", _("各校学时（按培训级别）"), _("学校"), schools, "level"),
        participation_table("participation", _("各校参训人次、缺训与请假"), _("学校"), schools),
        hours_table("cluster_kinds", _("各片区学时（按培训类别）"), _("片区"), clusters, "kind"),
        participation_table("cluster_participation", _("各片区参训人次、缺训与请假"), _("片区"), clusters),
        late_table(dash.late),
        at_risk_table(dash.at_risk),
    ]


def school_tables(dash: Dashboard) -> list[Table]:
    teachers, groups = dash.lines, dash.groups
    return [
        compliance_table("groups", _("各组学时达标进度") if dash.in_progress else _("各组学时达标情况"), _("教研组"), groups,
                         dash.in_progress),
        hours_table("group_kinds", _("各组学时（按培训类别）"), _("教研组"), groups, "kind"),
        hours_table("group_levels", _("各组学时（按培训级别）"), _("教研组"), groups, "level"),
        participation_table("group_participation", _("各组参训人次、缺训与请假"), _("教研组"), groups, sessions=False),
        teacher_table(dash),
        at_risk_table(dash.at_risk, school=False),
    ]


def teacher_table(dash: Dashboard) -> Table:
    rows_by_person = {row.person_id: row for row in dash.rows}
    headers = [_("姓名"), _("身份证号"), *[str(label) for label in CreditKind.labels], _("合计学时"), _("参训人次"), _("缺训人次"),
               _("请假人次（已批准）"), _("状态")]
    rows = [[line.label, line.code, *[_num(line.kind_hours[k]) for k in KINDS], _num(line.hours), line.person_times,
             line.absences, line.leave, rows_by_person[line.key].status_label] for line in dash.lines]
    return Table(key="teachers", title=_("教师学时与参训"), headers=headers, rows=rows, numeric_from=2)
