"""Reads of commendations (先进教研组, 先进个人, 通报批评) and of the candidates for them.

The candidates of a school year are ranked on a score sheet (:data:`GROUP_SHEET`,
:data:`TEACHER_SHEET`) from the counts the other routine parts keep:

- a group: the weeks its collective preparation met the weekly two hours
  (:func:`yanxiu.routine.prep_selectors.prep_counts`: the weeks of the school
  year's terms that are over, and the current one once met), the share of 优 among its
  members' routine-check findings, and the quality targets met by the classes
  its members teach (mid-term and final exams of the year, three measures per
  class and subject against the grade's targets);
- a teacher: the share of 优 among their findings, their growth task progress
  (done against target, each item capped at its target, over the terms begun)
  and their awards of the year (accepted growth award records, which include
  the published competitions' awards, and competition awards not yet filed).

Each part gives a share between 0 and 1; the score is the weighted sum over
the parts that have data, scaled to 100 (a part without data — a middle school
with no exam imported — leaves the others' weights to share its place). The
basis (every count behind the score) is kept with a commendation when it is
recorded, so the record keeps showing what it rested on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from yanxiu.growth import calendar
from yanxiu.growth.choices import AwardRank, RecordKind, ReviewStatus
from yanxiu.growth.models import GrowthRecord
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group

from . import prep_selectors, quality
from .choices import CompetitionStatus, ExamKind, Grade
from .models import CheckFinding, Commendation, Entry, Exam, TeachingAssignment

#: Exams whose classes' results count for a group (term exams, not the monthly tests).
TERM_EXAMS = (ExamKind.MIDTERM, ExamKind.FINAL)
#: Points per award; a teacher reaching AWARD_POINTS_FULL points has the whole award part.
AWARD_POINTS = {AwardRank.SPECIAL: 4, AwardRank.FIRST: 3, AwardRank.SECOND: 2, AwardRank.THIRD: 1, AwardRank.MERIT: 1}
AWARD_POINTS_FULL = 6


@dataclass(frozen=True)
class SheetItem:
    key: str
    label: str
    weight: int


#: The score sheet of 先进教研组 (weights add up to 100).
GROUP_SHEET = (
    SheetItem("preps", _("集体备课达标周"), 40),
    SheetItem("checks", _("常规检查“优”占比"), 30),
    SheetItem("quality", _("质量监测达标项"), 30),
)
#: The score sheet of 先进个人 (weights add up to 100).
TEACHER_SHEET = (
    SheetItem("checks", _("常规检查“优”占比"), 40),
    SheetItem("growth", _("成长任务完成度"), 30),
    SheetItem("awards", _("获奖"), 30),
)


@dataclass
class Part:
    """One line of the score sheet: ``done`` of ``total`` (the share), or no data when ``total`` is 0."""

    key: str
    label: str
    weight: int
    done: float
    total: float
    note: str = ""

    @property
    def share(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total else None

    @property
    def percent(self) -> str:
        share = self.share
        return "—" if share is None else f"{share * 100:.0f}%"

    def as_json(self) -> dict:
        return {"key": self.key, "label": str(self.label), "weight": self.weight, "done": self.done, "total": self.total,
                "share": None if self.share is None else round(self.share, 4), "note": self.note}


def weighted_score(parts: list[Part]) -> Decimal | None:
    """The weighted sum of the parts with data, scaled to 100 and rounded to two decimals; None without data."""
    counted = [p for p in parts if p.share is not None]
    weights = sum(p.weight for p in counted)
    if not weights:
        return None
    value = sum(Decimal(str(p.share)) * p.weight for p in counted) * 100 / weights
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Candidate:
    """A group or a teacher with its score-sheet parts; ``rank`` by score (ties share a rank)."""

    kind: str  # "group" or "person"
    obj: object
    parts: list[Part]
    members: int = 0
    score: Decimal | None = None
    rank: int | None = None
    commended: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def pk(self) -> int:
        return self.obj.pk

    def basis(self, year: int) -> dict:
        """What a commendation keeps: the year, the sheet's parts and the score."""
        return {"school_year": year, "kind": self.kind, "name": self.name, "members": self.members,
                "score": None if self.score is None else str(self.score), "parts": [p.as_json() for p in self.parts]}


# --- Spans -------------------------------------------------------------------------------------


def year_window(school, year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The school year's first day and its last day counted so far (today, or the year's end)."""
    start, end = calendar.year_span(school, year)
    today = today or timezone.localdate()
    return start, min(end, today)


def _rank(candidates: list[Candidate]) -> list[Candidate]:
    candidates.sort(key=lambda c: (c.score is None, -(c.score or 0), c.name, c.pk))
    previous, rank = None, 0
    for index, candidate in enumerate(candidates, start=1):
        if candidate.score is None:
            continue
        if candidate.score != previous:
            rank, previous = index, candidate.score
        candidate.rank = rank
    return candidates


def _already(school, year: int, field_name: str) -> dict[int, list[str]]:
    labels: dict[int, list[str]] = defaultdict(list)
    for pk, kind in (Commendation.objects.filter(school=school, school_year=year, **{f"{field_name}__isnull": False})
                     .values_list(f"{field_name}_id", "kind")):
        labels[pk].append(kind)
    return labels


# --- Counts ------------------------------------------------------------------------------------


def finding_counts(school, person_ids, start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """person → (findings graded 优, all findings) in the school's checks between ``start`` and ``end``."""
    rows = (CheckFinding.objects.filter(routine_check__school=school, routine_check__date__gte=start,
                                        routine_check__date__lte=end, person_id__in=person_ids)
            .values("person_id").annotate(total=Count("id"), excellent=Count("id", filter=Q(grade=Grade.EXCELLENT))))
    return {r["person_id"]: (r["excellent"], r["total"]) for r in rows}


def _prep_weeks(row: dict | None) -> tuple[int, int]:
    """(weeks met, weeks over or met) of a group's row of :func:`yanxiu.routine.prep_selectors.prep_counts`:
    a week still in progress counts once it is met."""
    if not row:
        return 0, 0
    return row["weeks_met"], row["weeks_met"] + row["weeks_missing"]


def class_results(school, year: int) -> dict[tuple[int, int, str], list]:
    """(grade, class, subject) → its results (:class:`yanxiu.routine.quality.ClassResult`, judged against the
    grade's target) in the term exams of the year."""
    lines, targets = quality.lines_of(school), quality.Targets.of(school)
    results: dict[tuple[int, int, str], list] = defaultdict(list)
    for exam in Exam.objects.filter(school=school, school_year=year, kind__in=TERM_EXAMS).select_related("school"):
        for result in quality.exam_results(exam, lines=lines, targets=targets):
            results[(result.grade, result.class_no, result.subject)].append(result)
    return results


def targets_met(results: list) -> tuple[int, int]:
    """(items met, items judged) of one class and subject: the three measures of each exam with a counted
    student against its grade's target (a class without a target, or where nobody sat, is not judged)."""
    met = judged = 0
    for result in results:
        if result.target is None or not result.counted:
            continue
        judged += len(quality.MEASURES)
        met += sum(bool(result.met.get(m)) for m in quality.MEASURES)
    return met, judged


# --- Candidates --------------------------------------------------------------------------------


def _members(school, groups) -> dict[int, set[int]]:
    """group → the people of its current members."""
    members: dict[int, set[int]] = defaultdict(set)
    rows = (Employment.groups.through.objects.filter(group__in=groups, employment__in=Employment.objects.current()
                                                      .filter(school=school))
            .values_list("group_id", "employment__person_id"))
    for group_id, person_id in rows:
        members[group_id].add(person_id)
    return members


def group_candidates(school, year: int, *, today: dt.date | None = None) -> list[Candidate]:
    """The school's groups ranked on :data:`GROUP_SHEET` for school year ``year``."""
    today = today or timezone.localdate()
    start, end = year_window(school, year, today)
    groups = list(Group.objects.filter(school=school).order_by("kind", "name"))
    members = _members(school, groups)
    weeks = {row["group_id"]: row for row in prep_selectors.prep_counts(school, year, today=today)}
    people = set().union(*members.values()) if members else set()
    findings = finding_counts(school, people, start, end)
    teaches: dict[int, set[tuple[int, int, str]]] = defaultdict(set)
    for person_id, grade, class_no, subject in (TeachingAssignment.objects.filter(school=school, school_year=year, person_id__in=people)
                                                .values_list("person_id", "grade", "class_no", "subject")):
        teaches[person_id].add((grade, class_no, subject))
    results = class_results(school, year)
    commended = _already(school, year, "group")
    out = []
    for group in groups:
        ids = members.get(group.pk, set())
        excellent = sum(findings.get(p, (0, 0))[0] for p in ids)
        checked = sum(findings.get(p, (0, 0))[1] for p in ids)
        classes = set().union(*(teaches[p] for p in ids)) if ids else set()
        met = judged = 0
        for key in classes:
            m, j = targets_met(results.get(key, []))
            met, judged = met + m, judged + j
        parts = [
            Part("preps", GROUP_SHEET[0].label, GROUP_SHEET[0].weight, *_prep_weeks(weeks.get(group.pk))),
            Part("checks", GROUP_SHEET[1].label, GROUP_SHEET[1].weight, excellent, checked),
            Part("quality", GROUP_SHEET[2].label, GROUP_SHEET[2].weight, met, judged,
                 note=gettext("任教 %(n)s 个班级学科") % {"n": len(classes)} if classes else ""),
        ]
        candidate = Candidate("group", group, parts, members=len(ids), score=weighted_score(parts),
                              commended=commended.get(group.pk, []))
        out.append(candidate)
    return _rank(out)


def growth_completion(school, year: int, person_ids, today: dt.date) -> dict[int, tuple[int, int]]:
    """person → (items done, items due) of their growth task lists over the terms of ``year`` begun by ``today``,
    each item counted up to its target."""
    from yanxiu.growth.progress import school_progress, spans

    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    employments = Employment.objects.current().filter(school=school, person_id__in=person_ids)
    for number in (1, 2):
        the_term, year_span = spans(school, year, number)
        if the_term.start > today:
            continue
        for row in school_progress(school, year=year, term=number, employments=employments, today=today,
                                   term_spans=(the_term, year_span)):
            for item in row.items:
                if item.span == "year" and number == 2:
                    continue  # a yearly item is counted once (over the whole year), with the first term
                slot = totals[row.employment.person_id]
                slot[0] += min(item.done, item.target)
                slot[1] += item.target
    return {k: (v[0], v[1]) for k, v in totals.items()}


def award_points(school, person_ids, start: dt.date, end: dt.date) -> dict[int, tuple[int, list[str]]]:
    """person → (award points, the awards' titles) in the year: accepted growth award records and
    awards of the school's published competitions that have no growth record."""
    points: dict[int, list] = defaultdict(lambda: [0, []])
    records = (GrowthRecord.objects.filter(person_id__in=person_ids, kind=RecordKind.AWARD, status=ReviewStatus.ACCEPTED,
                                           date__gte=start, date__lte=end).values_list("person_id", "rank", "title"))
    for person_id, rank, title in records:
        points[person_id][0] += AWARD_POINTS.get(rank, 1)
        points[person_id][1].append(title)
    entries = (Entry.objects.filter(person_id__in=person_ids, competition__school=school, growth_record__isnull=True,
                                    competition__status=CompetitionStatus.PUBLISHED, competition__date__gte=start,
                                    competition__date__lte=end).exclude(award="")
               .values_list("person_id", "award", "competition__name"))
    for person_id, award, name in entries:
        points[person_id][0] += AWARD_POINTS.get(award, 1)
        points[person_id][1].append(name)
    return {k: (v[0], v[1]) for k, v in points.items()}


def teacher_candidates(school, year: int, *, today: dt.date | None = None) -> list[Candidate]:
    """The school's current teachers ranked on :data:`TEACHER_SHEET` for school year ``year``."""
    today = today or timezone.localdate()
    start, end = year_window(school, year, today)
    staff = [e.person for e in Employment.objects.current().filter(school=school).select_related("person")
             .order_by("person__name", "person_id")]
    ids = [p.pk for p in staff]
    findings = finding_counts(school, ids, start, end)
    growth = growth_completion(school, year, ids, today)
    awards = award_points(school, ids, start, end)
    commended = _already(school, year, "person")
    out = []
    for person in staff:
        points, titles = awards.get(person.pk, (0, []))
        parts = [
            Part("checks", TEACHER_SHEET[0].label, TEACHER_SHEET[0].weight, *findings.get(person.pk, (0, 0))),
            Part("growth", TEACHER_SHEET[1].label, TEACHER_SHEET[1].weight, *growth.get(person.pk, (0, 0))),
            Part("awards", TEACHER_SHEET[2].label, TEACHER_SHEET[2].weight, points, AWARD_POINTS_FULL,
                 note="、".join(titles[:5])),
        ]
        out.append(Candidate("person", person, parts, score=weighted_score(parts), commended=commended.get(person.pk, [])))
    return _rank(out)


def group_candidate(school, year: int, group) -> Candidate | None:
    return next((c for c in group_candidates(school, year) if c.pk == group.pk), None)


def teacher_candidate(school, year: int, person) -> Candidate | None:
    return next((c for c in teacher_candidates(school, year) if c.pk == person.pk), None)


# --- Commendations -----------------------------------------------------------------------------


def commendations_visible_to(user) -> QuerySet[Commendation]:
    """School admins see their schools', region staff their counties'; a teacher those naming them,
    a group leader those of their group."""
    s = scopes.scope_of(user)
    qs = Commendation.objects.select_related("school", "group", "person")
    if s.superuser:
        return qs
    condition = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties)
    if s.person_id is not None:
        condition |= Q(person_id=s.person_id)
    if s.led_groups:
        condition |= Q(group_id__in=s.led_groups)
    return qs.filter(condition)


def commendation_list(user) -> QuerySet[Commendation]:
    return commendations_visible_to(user).order_by("-school_year", "school__code", "kind", "-score", "pk")


def commendations_of(school, year: int) -> QuerySet[Commendation]:
    """The school's commendations and criticisms of school year ``year`` (for the reports app): the
    advanced groups, then the advanced people, then the criticisms, each by score."""
    return (Commendation.objects.filter(school=school, school_year=year).select_related("group", "person")
            .order_by("kind", F("score").desc(nulls_last=True), "pk"))
