"""One teacher's growth record (成长记录袋) for one school year, as one viewer may read it.

:func:`record_file` gathers every part of the year in a fixed number of
queries whatever the data size (the plan and term goals, tier and titles, the
accepted records by kind, progress per term, credits from the ledger, mentor
pairs, the year-end assessment and the sign-off), each part cut to what the
viewer may see (:mod:`yanxiu.growth.access`):

- the teacher, their current school (its admin, region staff over it) and the
  leader of a group they are in read the whole file, except that a group
  leader reads only the self, peer and group parts of the assessment and not
  the credit ledger (``credits.selectors.can_view_person_credits``), and the
  teacher reads the peer reviews without their authors' names;
- the admin of a school the teacher has left reads a read-only copy of what
  happened there: rows made at that school (records, plan, goals, tiers,
  titles, pairs, credits) and the assessment of a year that school signed off;
  no progress (counted at the current school) and no forms.

The page, the PDF and the school's zip all render this one object.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.credits.selectors import entries_for
from yanxiu.org import scopes
from yanxiu.org.models import Employment
from yanxiu.org.selectors import current_school_id, current_staff

from . import access, calendar, progress
from .choices import DerivedKind, HonourStatus, MentorStatus, RecordKind, ReviewerRole, ReviewStatus
from .models import (
    DevelopmentPlan,
    GrowthRecord,
    GrowthYear,
    HonourTitle,
    MentorPair,
    MentorSummary,
    TaskItem,
    TaskTemplate,
    TermGoal,
    TierAssignment,
    YearReview,
)

#: How many school years back the year selector offers when nothing older is known.
YEARS_SHOWN = 10


@dataclass
class KindGroup:
    kind: str
    label: str
    records: list[GrowthRecord]

    @property
    def count(self) -> int:
        return len(self.records)


@dataclass
class SummaryView:
    author: object  # the Person who wrote it
    text: str


@dataclass
class PairView:
    pair: MentorPair
    side: str  # "mentor" or "apprentice": the file's teacher's side
    activities: int
    confirmed: int
    summaries: list[SummaryView]

    @property
    def partner(self):
        return self.pair.apprentice if self.side == "mentor" else self.pair.mentor


@dataclass
class ReviewView:
    review: YearReview
    shown_name: str

    @property
    def role_label(self) -> str:
        return str(ReviewerRole(self.review.role).label)


@dataclass
class TermProgress:
    term: calendar.TermSpan
    template: TaskTemplate | None
    items: list[progress.ItemProgress]

    @property
    def behind(self) -> bool:
        return any(i.behind for i in self.items)


@dataclass
class RecordFile:
    person: object
    school_year: int
    relation: str
    school: object  # the school whose calendar the year follows (current, else the viewer's past school)
    employment: Employment | None  # the current one
    terms: tuple[calendar.TermSpan, calendar.TermSpan]
    years: list[int]
    plan: DevelopmentPlan | None = None
    goals: list[TermGoal] = field(default_factory=list)
    tier: str = ""
    tier_history: list[TierAssignment] = field(default_factory=list)
    titles: list[HonourTitle] = field(default_factory=list)
    kinds: list[KindGroup] = field(default_factory=list)
    progress: list[TermProgress] = field(default_factory=list)
    show_credits: bool = False
    credit_entries: list = field(default_factory=list)
    pairs: list[PairView] = field(default_factory=list)
    growth_year: GrowthYear | None = None
    show_reviews: bool = False
    reviews: list[ReviewView] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return self.relation == access.PAST

    @property
    def year_label(self) -> str:
        return f"{self.school_year}—{self.school_year + 1}"

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        return self.terms[0].start, max(self.terms[0].end, self.terms[1].end)

    @property
    def begun(self) -> bool:
        """The year has started (its assessment may be written)."""
        return timezone.localdate() >= self.terms[0].start

    @property
    def signed_off(self) -> bool:
        return self.growth_year is not None and self.growth_year.locked

    @property
    def record_count(self) -> int:
        return sum(g.count for g in self.kinds)

    @property
    def credit_hours(self) -> Decimal:
        return sum((e.hours for e in self.credit_entries), Decimal("0"))

    @property
    def tier_label(self) -> str:
        from yanxiu.org.choices import Tier

        return str(Tier(self.tier).label) if self.tier in Tier.values else ""


def _years(employments: list[Employment], year: int) -> list[int]:
    """The school years the selector offers: from the first employment (at most 40 back) to this one, newest first."""
    this_year = calendar.nominal_school_year(timezone.localdate())
    first = min((calendar.nominal_school_year(e.start_date) for e in employments), default=this_year - YEARS_SHOWN + 1)
    first = max(first, this_year - 40, calendar.MIN_YEAR)
    years = set(range(first, this_year + 1)) | {year}
    return sorted(years, reverse=True)


def _file_school(relation: str, employments: list[Employment], current: Employment | None, past_ids) -> object:
    if relation == access.PAST:
        return next(e.school for e in employments if e.school_id in past_ids)
    if current is not None:
        return current.school
    return employments[0].school  # the latest school of someone who works nowhere now


def _scoped(qs, f: RecordFile, past_ids):
    """A school the teacher has left reads the rows made there (``access.limit_to_viewer``, without asking again)."""
    if f.relation == access.PAST:
        return qs.filter(school_id__in=past_ids)
    return qs


def _plan_and_goals(f: RecordFile, past_ids) -> None:
    year = f.school_year
    plans = DevelopmentPlan.objects.filter(person=f.person, start_year__lte=year, end_year__gte=year).order_by(
        "-start_year", "-id")
    plans = _scoped(plans, f, past_ids)
    # The accepted plan in force, else the latest one waiting for review (shown with its status).
    candidates = list(plans[:5])
    f.plan = next((p for p in candidates if p.status == ReviewStatus.ACCEPTED), candidates[0] if candidates else None)
    goals = TermGoal.objects.filter(person=f.person, school_year=year).order_by("term")
    f.goals = list(_scoped(goals, f, past_ids))


def _tiers_and_titles(f: RecordFile, past_ids) -> None:
    year = f.school_year
    history = TierAssignment.objects.filter(person=f.person, school_year__lte=year).select_related("school").order_by(
        "-school_year", "-id")
    f.tier_history = list(_scoped(history, f, past_ids)[:50])
    in_force = next((t for t in f.tier_history if t.school_year == year), None)
    if in_force is not None:
        f.tier = in_force.tier
    elif f.employment is not None and f.relation != access.PAST:
        f.tier = f.employment.tier
    start = f.span[0]
    titles = HonourTitle.objects.filter(person=f.person, status=HonourStatus.ACTIVE, year__lte=start.year + 1).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=start)).order_by("-year", "-id")
    f.titles = list(_scoped(titles, f, past_ids)[:50])


def _records(f: RecordFile, past_ids) -> None:
    start, end = f.span
    rows = GrowthRecord.objects.filter(person=f.person, status=ReviewStatus.ACCEPTED, date__gte=start, date__lte=end).order_by(
        "date", "id")
    by_kind: dict[str, list[GrowthRecord]] = defaultdict(list)
    for record in _scoped(rows, f, past_ids):
        by_kind[record.kind].append(record)
    f.kinds = [KindGroup(kind, str(label), by_kind[kind]) for kind, label in RecordKind.choices if by_kind.get(kind)]


def _pairs(f: RecordFile, past_ids) -> None:
    pairs = (
        MentorPair.objects.filter(Q(mentor=f.person) | Q(apprentice=f.person), school_year=f.school_year)
        .exclude(status=MentorStatus.CANCELLED)
        .select_related("mentor", "apprentice")
        .annotate(n_activities=Count("activities", distinct=True),
                  n_confirmed=Count("activities", filter=Q(activities__confirmed_at__isnull=False), distinct=True))
        # Each side's summary read in the same query (no query per pair, nor one more for all of them).
        .annotate(mentor_summary=_summary_of("mentor_id"), apprentice_summary=_summary_of("apprentice_id"))
        .order_by("term", "id")
    )
    f.pairs = [
        PairView(pair=p, side=p.side_of(f.person.pk), activities=p.n_activities, confirmed=p.n_confirmed,
                 summaries=[SummaryView(author=author, text=text) for author, text in
                            ((p.mentor, p.mentor_summary), (p.apprentice, p.apprentice_summary)) if text])
        for p in _scoped(pairs, f, past_ids)
    ]


def _summary_of(side: str) -> Subquery:
    rows = MentorSummary.objects.filter(pair_id=OuterRef("pk"), author_id=OuterRef(side)).order_by("-id")
    return Subquery(rows.values("text")[:1])


def _templates(school) -> list[TaskTemplate]:
    """The school's templates with their items, in one query: every version has at least one item
    (``services.templates`` refuses an empty list and a retirement copies the items)."""
    templates: dict[int, TaskTemplate] = {}
    items: dict[int, list[TaskItem]] = defaultdict(list)
    for item in TaskItem.objects.filter(template__school=school).select_related("template").order_by("template_id", "position", "id"):
        templates.setdefault(item.template_id, item.template)
        items[item.template_id].append(item)
    for pk, template in templates.items():
        cached = TaskItem.objects.filter(template=template)
        cached._result_cache, cached._prefetch_done = items[pk], True
        template._prefetched_objects_cache = {"items": cached}
    return list(templates.values())


def _progress(f: RecordFile, today: dt.date) -> None:
    """Progress per term at the current school, counted from the records and pairs already read
    (the same rules as :mod:`yanxiu.growth.progress`: accepted records by date, pairs as mentor, accepted goals)."""
    if f.relation == access.PAST or f.employment is None:
        return
    pid = f.person.pk
    templates = _templates(f.employment.school)
    leader = f.employment.position in progress.LEADER_POSITIONS
    year_span = f.span
    for term in f.terms:
        counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
        for group in f.kinds:
            for record in group.records:
                slot = counts[(pid, record.kind)]
                slot[1] += 1
                slot[0] += term.start <= record.date <= term.end
        for view in f.pairs:
            if view.side == "mentor":
                slot = counts[(pid, DerivedKind.APPRENTICE)]
                slot[1] += 1
                slot[0] += view.pair.term in (None, term.number)
        for goal in f.goals:
            if goal.status == ReviewStatus.ACCEPTED:
                slot = counts[(pid, DerivedKind.GOAL)]
                slot[1] += 1
                slot[0] += goal.term == term.number
        template = progress.template_in_force(templates, tier=f.tier, leader=leader, year=f.school_year, term=term.number)
        items = progress.template_items(template, {k: tuple(v) for k, v in counts.items()}, pid,
                                        term_span=(term.start, term.end), year_span=year_span, today=today)
        f.progress.append(TermProgress(term=term, template=template, items=items))


def _credits(f: RecordFile, past_ids) -> None:
    # The ledger's own rule (credits.selectors.can_view_person_credits: the teacher, their current school,
    # region staff over it) is the relations SELF and CURRENT; a past school reads the entries it made.
    f.show_credits = f.relation in (access.SELF, access.CURRENT, access.PAST)
    if f.show_credits:
        entries = entries_for(f.person, (f.school_year, f.school_year))
        f.credit_entries = list(_scoped(entries, f, past_ids)[:500])


def _assessment(f: RecordFile, past_ids) -> None:
    """The year's reviews and sign-off in one query: a year is written (and signed off) only through
    ``services.years``, which creates the :class:`GrowthYear` with its first review and signs off
    only a year with a school review, so a year without reviews has nothing to show."""
    reviews = list(YearReview.objects.filter(growth_year__person=f.person, growth_year__school_year=f.school_year)
                   .select_related("growth_year"))
    f.growth_year = reviews[0].growth_year if reviews else None
    gy = f.growth_year
    f.show_reviews = f.relation != access.PAST or (gy is not None and gy.locked and gy.signed_off_school_id in past_ids)
    if gy is None or not f.show_reviews:
        return
    roles = access.visible_review_roles(f.relation)
    order = {value: n for n, value in enumerate(ReviewerRole.values)}
    reviews = sorted((r for r in reviews if r.role in roles), key=lambda r: (order[r.role], r.pk))
    anonymous = f.relation == access.SELF
    f.reviews = [
        ReviewView(r, _("同伴（匿名）") if anonymous and r.role == ReviewerRole.PEER else r.reviewer_name) for r in reviews
    ]


def record_file(user, person, school_year: int, *, today: dt.date | None = None) -> RecordFile | None:
    """``person``'s growth record of ``school_year`` as ``user`` may read it, or ``None`` when they may not."""
    calendar.check_year(school_year)
    employments = list(Employment.objects.filter(person=person).select_related("school").order_by("-start_date", "-id"))
    current = next((e for e in employments if e.end_date is None), None)
    relation = access.viewer_relation(user, person, employment=current)
    if relation is None or not employments:
        return None
    today = today or timezone.localdate()
    past_ids = access.past_school_ids(user) if relation == access.PAST else frozenset()
    school = _file_school(relation, employments, current, past_ids)
    f = RecordFile(person=person, school_year=school_year, relation=relation, school=school, employment=current,
                   terms=calendar.terms_of_year(school, school_year), years=_years(employments, school_year))
    _plan_and_goals(f, past_ids)
    _tiers_and_titles(f, past_ids)
    _records(f, past_ids)
    _pairs(f, past_ids)
    _progress(f, today)
    _credits(f, past_ids)
    _assessment(f, past_ids)
    return f


# --- Who the pages look people up among ------------------------------------------------------


def file_people(user):
    """People whose file ``user`` may open at all (``record_file`` then cuts each part to the relation)."""
    return scopes.people_visible_to(user)


def colleagues(user):
    """People working now at ``user``'s own current school, the user excluded: whom a teacher reviews as a peer."""
    from yanxiu.org.models import Person

    s = scopes.scope_of(user)
    if s.person_id is None:
        return Person.objects.none()
    school_id = current_school_id(s.person_id)
    if school_id is None:
        return Person.objects.none()
    return current_staff(school_id).exclude(pk=s.person_id)


def reviewable_people(user):
    """People ``user`` may open the review form of: those whose file they see, and their colleagues."""
    from yanxiu.org.models import Person

    return Person.objects.filter(Q(pk__in=file_people(user).values("pk")) | Q(pk__in=colleagues(user).values("pk")))


def school_files(user, school, year: int):
    """The school's current teachers (for its admin), each with the year's sign-off and review count."""
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    if not access.can_manage(user, school):
        return Employment.objects.none()
    gy = GrowthYear.objects.filter(person_id=OuterRef("person_id"), school_year=year)
    reviews = (YearReview.objects.filter(growth_year__person_id=OuterRef("person_id"), growth_year__school_year=year)
               .order_by().values("growth_year_id").annotate(n=Count("pk")).values("n")[:1])
    return (
        scopes.employments_visible_to(user).current().filter(school=school).select_related("person")
        .annotate(signed_off_at=Subquery(gy.values("signed_off_at")[:1]),
                  review_count=Coalesce(Subquery(reviews, output_field=IntegerField()), 0))
        .order_by("person__name", "person_id")
    )
