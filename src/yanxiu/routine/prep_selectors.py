"""Reads of collective lesson preparation (集体备课): who may see and record what, and the weekly 2-hour rule.

- Who: the school's admin (and the bureau over it) records and reads every
  group's preparations; region staff read them; a group leader records and
  reads their own groups'; a current member of a group reads its
  preparations and writes their own 二次备课 (:func:`can_record`,
  :func:`preps_visible_to`, :func:`second_preps_visible_to`).
- The rule (001 篇7: 每周2小时集体备课): per group and ISO week of a term, the
  minutes of the week's preparations add up to :data:`WEEKLY_MINUTES` or not;
  a week not yet over is in progress (:func:`weekly_grid`). The counts the
  year-end summary quotes are :func:`prep_counts` (per group) and
  :func:`subject_counts` (per subject).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yanxiu.growth import calendar
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, Person, School

from .models import CollectivePrep, SecondPrep

#: The weekly rule, in minutes: 每周2小时 (or two lessons when a district activity takes the week).
WEEKLY_MINUTES = 120

MET, MISSING, IN_PROGRESS, FUTURE = "met", "missing", "in_progress", "future"
STATUS_LABELS = {MET: _("已达标"), MISSING: _("未达标"), IN_PROGRESS: _("进行中"), FUTURE: _("未开始")}


# --- Who ---------------------------------------------------------------------------------


def can_manage_group(user, group: Group) -> bool:
    """The school's admin (or the bureau over it) runs every group's preparation records."""
    return scopes.can_manage_school(user, group.school)


def can_record(user, group: Group) -> bool:
    """Records and corrects a group's preparations: its leader, or the school's admin."""
    return group.pk in scopes.scope_of(user).led_groups or can_manage_group(user, group)


def can_read_all(user, group: Group) -> bool:
    """Reads every member's 二次备课 at any time: who records, and region staff over the school."""
    s = scopes.scope_of(user)
    return can_record(user, group) or group.school.county_id in s.region_counties


def current_members(group: Group) -> QuerySet[Person]:
    """People whose current employment is in ``group`` (at its school), by name."""
    employments = Employment.objects.current().filter(groups=group, school_id=group.school_id)
    return Person.objects.filter(pk__in=employments.values("person_id")).order_by("name", "pk")


def attendance_people(prep: CollectivePrep, group: Group) -> list[Person]:
    """Who may be on the attendance of a recorded preparation: the people listed when it was recorded and
    the group's current members, by name."""
    listed = Person.objects.filter(pk__in=prep.attendance.values("person_id"))
    people = {p.pk: p for p in [*listed, *current_members(group)]}
    return sorted(people.values(), key=lambda p: (p.name, p.pk))


def _own_person_id(user) -> int | None:
    return scopes.scope_of(user).person_id


def groups_visible_to(user) -> QuerySet[Group]:
    """Groups whose preparations ``user`` reads: their schools' or region's, the groups they lead or belong to."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Group.objects.all()
    q = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties) | Q(pk__in=s.led_groups)
    if s.person_id is not None:
        mine = Employment.objects.current().filter(person_id=s.person_id).values("groups")
        q |= Q(pk__in=mine)
    return Group.objects.filter(q)


def preps_visible_to(user) -> QuerySet[CollectivePrep]:
    return CollectivePrep.objects.filter(group__in=groups_visible_to(user))


def visible_prep(user, pk: int) -> CollectivePrep | None:
    return preps_visible_to(user).select_related("group__school__county", "lead", "created_by").filter(pk=pk).first()


def reads_whole_school(user, school: School) -> bool:
    """The school's admin, the bureau and region staff over it read every group of the school."""
    return scopes.can_manage_school(user, school) or school.county_id in scopes.scope_of(user).region_counties


def grid_groups(user, school: School) -> QuerySet[Group]:
    """Groups of ``school`` on the weekly grid: all for its admin and region staff, their own for a leader."""
    groups = Group.objects.filter(school=school)
    if reads_whole_school(user, school):
        return groups
    return groups.filter(pk__in=scopes.scope_of(user).led_groups)


def can_read_grid(user, school: School) -> bool:
    return reads_whole_school(user, school) or grid_groups(user, school).exists()


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the ISO week ``day`` falls in."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def week_is_over(day: dt.date, today: dt.date) -> bool:
    return week_of(day)[1] < today


def second_preps_visible_to(user, prep: CollectivePrep, *, today: dt.date) -> QuerySet[SecondPrep]:
    """The 二次备课 of ``prep`` ``user`` reads: every one for who records or region staff; for a member their own,
    and the others' once the week of the preparation is over; none for anybody else."""
    rows = SecondPrep.objects.filter(prep=prep).select_related("person")
    if can_read_all(user, prep.group):
        return rows
    person_id = _own_person_id(user)
    if person_id is None or not _took_part(person_id, prep):
        return rows.none()
    if week_is_over(prep.date, today):
        return rows
    return rows.filter(person_id=person_id)


def _took_part(person_id: int, prep: CollectivePrep) -> bool:
    """A current member of the group, or listed in the preparation's attendance (a member at the time)."""
    return prep.attendance.filter(person_id=person_id).exists() or Employment.objects.current().filter(
        person_id=person_id, groups=prep.group_id, school_id=prep.group.school_id).exists()


def may_write_second_prep(person, prep: CollectivePrep) -> bool:
    return person is not None and _took_part(person.pk, prep)


def my_groups(person) -> QuerySet[Group]:
    """The groups ``person`` belongs to now."""
    employments = Employment.objects.current().filter(person=person)
    return Group.objects.filter(pk__in=employments.values("groups")).order_by("name", "pk")


def my_preps(person, *, limit: int = 100) -> list[CollectivePrep]:
    """The latest preparations of the groups ``person`` belongs to now, each with their own 二次备课 (or None)."""
    groups = Employment.objects.current().filter(person=person).values("groups")
    preps = list(CollectivePrep.objects.filter(group__in=groups).select_related("group", "lead").order_by("-date", "-id")[:limit])
    mine = {s.prep_id: s for s in SecondPrep.objects.filter(person=person, prep__in=[p.pk for p in preps])}
    for prep in preps:
        prep.my_second = mine.get(prep.pk)
    return preps


def group_preps(group: Group) -> QuerySet[CollectivePrep]:
    """One group's preparations, newest first, with the counts the list shows."""
    return (CollectivePrep.objects.filter(group=group).select_related("lead")
            .annotate(present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
                      second_count=Count("second_preps", distinct=True))
            .order_by("-date", "-id"))


# --- The weekly rule ---------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    number: int  # 第 N 周 of the term
    start: dt.date  # Monday
    end: dt.date  # Sunday

    @property
    def iso(self) -> str:
        year, week, _day = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass
class Cell:
    week: Week
    minutes: int
    sessions: int
    status: str

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class GridRow:
    group: Group
    cells: list[Cell] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for c in self.cells if c.status == status)

    @property
    def met(self) -> int:
        return self.count(MET)

    @property
    def missing(self) -> int:
        return self.count(MISSING)

    @property
    def in_progress(self) -> int:
        return self.count(IN_PROGRESS)


def term_weeks(start: dt.date, end: dt.date) -> list[Week]:
    """The ISO weeks of the term [start, end], numbered from 1: those whose Thursday falls in it.

    A week across the end of one term and the start of the next (26 January–1 February)
    belongs to the term holding most of its days, so it is counted once, not in both."""
    monday = week_of(start)[0]
    if monday + dt.timedelta(days=3) < start:
        monday += dt.timedelta(days=7)
    weeks = []
    while monday + dt.timedelta(days=3) <= end:
        weeks.append(Week(len(weeks) + 1, monday, monday + dt.timedelta(days=6)))
        monday += dt.timedelta(days=7)
    return weeks


def week_status(minutes: int, week: Week, today: dt.date) -> str:
    """Met (at least :data:`WEEKLY_MINUTES`), missing (the week is over without them), in progress, or not begun."""
    if minutes >= WEEKLY_MINUTES:
        return MET
    if week.end < today:
        return MISSING
    return IN_PROGRESS if week.start <= today else FUTURE


def _minutes_by_week(groups: list[Group], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], list[int]]:
    """``{(group_id, monday): [sessions, minutes]}`` of the preparations dated in [start, end], in one query."""
    out: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    rows = CollectivePrep.objects.filter(group__in=groups, date__gte=start, date__lte=end).values_list("group_id", "date", "minutes")
    for group_id, day, minutes in rows:
        bucket = out[(group_id, week_of(day)[0])]
        bucket[0] += 1
        bucket[1] += minutes
    return out


def weekly_grid(school: School, year: int, term: int, groups, *, today: dt.date) -> tuple[calendar.TermSpan, list[Week], list[GridRow]]:
    """The term of ``school``, its weeks, and per group one cell per week with its minutes and status."""
    span = calendar.term(school, year, term)
    weeks = term_weeks(span.start, span.end)
    groups = list(groups)
    # A week counts all its days' preparations, also those on days just outside the term.
    totals = _minutes_by_week(groups, weeks[0].start, weeks[-1].end) if weeks else {}
    rows = []
    for group in groups:
        row = GridRow(group)
        for week in weeks:
            sessions, minutes = totals.get((group.pk, week.start), (0, 0))
            row.cells.append(Cell(week, minutes, sessions, week_status(minutes, week, today)))
        rows.append(row)
    return span, weeks, rows


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _spans(year: int, term: int | None) -> list[tuple[int, int]]:
    return [(year, term)] if term else [(year, 1), (year, 2)]


def _add_preps(rows: dict[int, dict], groups: list[Group], span: calendar.TermSpan) -> None:
    preps = CollectivePrep.objects.filter(group__in=groups, date__gte=span.start, date__lte=span.end)
    for group_id, subject, minutes in preps.values_list("group_id", "subject", "minutes"):
        row = rows[group_id]
        row["sessions"] += 1
        row["minutes"] += minutes
        part = row["by_subject"].setdefault(subject, {"subject": subject, "sessions": 0, "minutes": 0})
        part["sessions"] += 1
        part["minutes"] += minutes


def prep_counts(school: School, year: int, term: int | None = None, *, today: dt.date | None = None) -> list[dict]:
    """Per group of ``school`` (by subject, then name): sessions, minutes, hours, the weeks met, missing and
    in progress under the weekly rule, and the sessions and hours per subject of the preparations
    (``by_subject``). ``term`` 1 or 2, or None for the whole school year."""
    today = today or timezone.localdate()
    groups = list(Group.objects.filter(school=school).order_by("subject", "name", "pk"))
    rows = {g.pk: {"group_id": g.pk, "group": g.name, "subject": g.subject, "sessions": 0, "minutes": 0, "weeks": 0,
                   "weeks_met": 0, "weeks_missing": 0, "weeks_in_progress": 0, "by_subject": {}} for g in groups}
    for y, t in _spans(year, term):
        span, _weeks, grid = weekly_grid(school, y, t, groups, today=today)
        for line in grid:
            row = rows[line.group.pk]
            row["weeks"] += sum(1 for c in line.cells if c.status != FUTURE)
            row["weeks_met"] += line.met
            row["weeks_missing"] += line.missing
            row["weeks_in_progress"] += line.in_progress
        _add_preps(rows, groups, span)
    out = []
    for row in rows.values():
        row["hours"] = _hours(row["minutes"])
        row["by_subject"] = [{**p, "hours": _hours(p["minutes"])} for p in sorted(row["by_subject"].values(), key=lambda p: p["subject"])]
        out.append(row)
    return out


def subject_counts(school: School, year: int, term: int | None = None) -> list[dict]:
    """Per subject of the preparations of ``school`` (``集体备课 N 次``): sessions, minutes, hours and groups."""
    totals: dict[str, dict] = {}
    for y, t in _spans(year, term):
        span = calendar.term(school, y, t)
        preps = CollectivePrep.objects.filter(group__school=school, date__gte=span.start, date__lte=span.end)
        for subject, group_id, minutes in preps.values_list("subject", "group_id", "minutes"):
            row = totals.setdefault(subject, {"subject": subject, "sessions": 0, "minutes": 0, "groups": set()})
            row["sessions"] += 1
            row["minutes"] += minutes
            row["groups"].add(group_id)
    return [{**row, "groups": len(row["groups"]), "hours": _hours(row["minutes"])} for _s, row in sorted(totals.items())]
