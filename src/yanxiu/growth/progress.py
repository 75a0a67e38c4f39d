"""Progress against the task lists: done / target per item, and who is behind.

One read for a whole school (or a group, or one teacher) in a fixed number of
queries whatever the data size: the staff, their tiers, the templates, one
aggregate count of the records, one of the apprentices, one of the goals.

Counting rules:

- a record counts when it is accepted (imported records arrive accepted),
  by its date;
- an item due per week, fortnight, month or term is counted over the term,
  its target multiplied by the periods the term holds; an item due per year
  is counted over the school year;
- ``behind``: after the span has ended, done < target; before, done is less
  than the share of the target the elapsed part of the span asks for
  (rounded down), so nobody is behind on the first day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from yanxiu.org.choices import Position, Tier
from yanxiu.org.models import Employment

from . import calendar
from .choices import ITEM_KIND_LABELS, DerivedKind, MentorStatus, Period, ReviewStatus
from .models import GrowthRecord, MentorPair, TaskTemplate, TermGoal, TierAssignment

LEADER_POSITIONS = frozenset({Position.PRINCIPAL, Position.VICE_PRINCIPAL, Position.DIRECTOR})


@dataclass
class ItemProgress:
    kind: str
    label: str
    target: int
    done: int
    expected: int
    behind: bool
    span: str  # "term" or "year"

    @property
    def kind_label(self) -> str:
        return str(ITEM_KIND_LABELS.get(self.kind, self.kind))

    def as_json(self) -> dict:
        return {"kind": self.kind, "target": self.target, "done": self.done, "behind": self.behind}


@dataclass
class PersonProgress:
    employment: Employment
    tier: str
    template: TaskTemplate | None
    items: list[ItemProgress] = field(default_factory=list)

    @property
    def person(self):
        return self.employment.person

    @property
    def behind(self) -> bool:
        return any(i.behind for i in self.items)

    @property
    def behind_items(self) -> list[ItemProgress]:
        return [i for i in self.items if i.behind]

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else ""

    def as_json(self) -> dict:
        person = self.employment.person
        return {
            "id_number": person.id_number,
            "name": person.name,
            "tier": self.tier,
            "template": self.template.name if self.template else "",
            "items": [i.as_json() for i in self.items],
        }


def template_in_force(templates, *, tier: str, leader: bool, year: int, term: int) -> TaskTemplate | None:
    """The highest version of the school's template for the tier (or for
    leaders) that starts at or before (year, term) and is not retired."""
    best: dict[str, TaskTemplate] = {}
    for t in templates:
        if (t.valid_from_year, t.valid_from_term) > (year, term):
            continue
        if t.family not in best or t.version > best[t.family].version:
            best[t.family] = t
    # Two live families for one tier: the one that started latest (then the newest) applies.
    live = sorted((t for t in best.values() if not t.retired), key=lambda t: (t.valid_from_year, t.valid_from_term, t.pk), reverse=True)
    if leader:
        for t in live:
            if t.for_leaders:
                return t
    for t in live:
        if not t.for_leaders and t.tier == tier:
            return t
    return None


def tiers_for(person_ids, year: int) -> dict[int, str]:
    """The tier in force for each person in ``year``: the latest assignment of that year."""
    tiers: dict[int, str] = {}
    rows = TierAssignment.objects.filter(person_id__in=person_ids, school_year=year).order_by("person_id", "-id")
    for person_id, tier in rows.values_list("person_id", "tier"):
        tiers.setdefault(person_id, tier)
    return tiers


def _expected(target: int, span: tuple[dt.date, dt.date], today: dt.date) -> int:
    start, end = span
    if today > end:
        return target
    if today < start:
        return 0
    share = ((today - start).days + 1) / ((end - start).days + 1)
    return math.floor(target * share)


def _counts(person_ids, term_span, year_span) -> dict[tuple[int, str], tuple[int, int]]:
    """(person, kind) → (done in the term, done in the year), one aggregate query."""
    in_term = Q(date__gte=term_span[0], date__lte=term_span[1])
    rows = (
        GrowthRecord.objects.filter(person_id__in=person_ids, status=ReviewStatus.ACCEPTED, date__gte=year_span[0], date__lte=year_span[1])
        .values("person_id", "kind")
        .annotate(term=Count("id", filter=in_term), year=Count("id"))
    )
    return {(r["person_id"], r["kind"]): (r["term"], r["year"]) for r in rows}


def _derived_counts(person_ids, year: int, term: int) -> dict[tuple[int, str], tuple[int, int]]:
    """Apprentices (pairs not cancelled) and accepted term goals, (person, kind) → (term, year), one query."""
    counts: dict[tuple[int, str], list[int]] = {}
    pairs = (
        MentorPair.objects.filter(mentor_id__in=person_ids, school_year=year).exclude(status=MentorStatus.CANCELLED)
        .annotate(who=F("mentor_id"), slot=Value(str(DerivedKind.APPRENTICE))).values_list("who", "term", "slot")
        .annotate(n=Count("id")).order_by()
    )
    goals = (
        TermGoal.objects.filter(person_id__in=person_ids, school_year=year, status=ReviewStatus.ACCEPTED)
        .annotate(who=F("person_id"), slot=Value(str(DerivedKind.GOAL))).values_list("who", "term", "slot")
        .annotate(n=Count("id")).order_by()
    )
    for who, row_term, kind, n in pairs.union(goals, all=True):
        slot = counts.setdefault((who, kind), [0, 0])
        slot[1] += n
        # A pair for the whole year (no term) counts in each term; a goal belongs to its term.
        if row_term == term or (row_term is None and kind == DerivedKind.APPRENTICE):
            slot[0] += n
    return {key: (v[0], v[1]) for key, v in counts.items()}


def spans(school, year: int, term: int) -> tuple[calendar.TermSpan, tuple[dt.date, dt.date]]:
    """Term ``term`` of school year ``year`` and the whole school year's span, in one query."""
    if term not in (1, 2):
        calendar.default_term(year, term)  # raises the Chinese error
    first, second = calendar.terms_of_year(school, year)
    return (first if term == 1 else second), (first.start, max(first.end, second.end))


def school_progress(school, *, year: int, term: int, employments=None, today: dt.date | None = None,
                    term_spans=None) -> list[PersonProgress]:
    """Progress of the school's current teachers (or of ``employments``, a
    queryset of the school's employments) in term ``term`` of ``year``;
    ``term_spans`` is what :func:`spans` gave for them, when the caller holds it."""
    today = today or timezone.localdate()
    the_term, year_span = term_spans or spans(school, year, term)
    term_span = (the_term.start, the_term.end)
    if employments is None:
        employments = Employment.objects.current().filter(school=school)
    year_tier = TierAssignment.objects.filter(person_id=OuterRef("person_id"), school_year=year).order_by("-id").values("tier")[:1]
    employments = list(employments.select_related("person").annotate(year_tier=Subquery(year_tier))
                       .order_by("person__name", "person_id"))
    person_ids = [e.person_id for e in employments]
    tiers = {e.person_id: e.year_tier for e in employments if e.year_tier}
    templates = list(TaskTemplate.objects.filter(school=school).prefetch_related("items"))
    counts = _counts(person_ids, term_span, year_span)
    counts.update(_derived_counts(person_ids, year, term))
    out = []
    for employment in employments:
        tier = tiers.get(employment.person_id) or employment.tier
        template = template_in_force(templates, tier=tier, leader=employment.position in LEADER_POSITIONS, year=year, term=term)
        items = template_items(template, counts, employment.person_id, term_span=term_span, year_span=year_span, today=today)
        out.append(PersonProgress(employment=employment, tier=tier, template=template, items=items))
    return out


def template_items(template, counts, person_id: int, *, term_span, year_span, today: dt.date) -> list[ItemProgress]:
    """Each item of ``template`` against ``counts`` ((person, kind) → (done in the term, done in the year))."""
    rows = []
    for item in template.items.all() if template else []:
        yearly = item.per == Period.YEAR
        span = year_span if yearly else term_span
        target = item.target * calendar.periods_in(item.per, *term_span)
        done = sum(counts.get((person_id, k), (0, 0))[1 if yearly else 0] for k in item.kinds)
        expected = _expected(target, span, today)
        rows.append(ItemProgress(kind=item.kind, label=item.label, target=target, done=done, expected=expected,
                                 behind=done < expected, span="year" if yearly else "term"))
    return rows


def person_progress(person, *, year: int, term: int, today: dt.date | None = None) -> PersonProgress | None:
    """One teacher's progress at their current school, or ``None`` without one."""
    employment = Employment.objects.current().filter(person=person).select_related("school").first()
    if employment is None:
        return None
    rows = school_progress(employment.school, year=year, term=term, employments=Employment.objects.filter(pk=employment.pk), today=today)
    return rows[0] if rows else None
