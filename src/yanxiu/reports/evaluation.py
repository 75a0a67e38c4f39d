"""The bureau's evaluation sheet of schools (评估细则 / 评估表, seed 000): the measurable items.

For the schools of a county and a school year, each school gets eight items,
each with its measured value, the points earned and the item's maximum. The
points of a county come from its :class:`~yanxiu.reports.models.EvaluationWeights`
row, else from the defaults below (they add up to 100):

=============  ====  ==========================================================================
item           pts   how it is measured (``how`` below is the text the pages show)
=============  ====  ==========================================================================
plan            10   a ``training.SchoolPlan`` of the school year exists: all or nothing
schedule        15   share of the school's term months (calendar months holding at least
                     ``TERM_MONTH_MIN_DAYS`` days of a term, ``growth.calendar`` terms) in which
                     at least one of the school's published sessions starts that was published
                     ``SCHEDULE_ADVANCE`` or more before it started; points = max × share
sessions        15   ``reports.measures.held_sessions`` of the school in the year, against the
                     county's target (12 a year by default): max × min(1, held ÷ target)
attendance      15   at the held sessions: present ÷ (present + absent + leave), where present =
                     ``measures.person_times`` (出席 rows), absent = ``measures.absences``
                     (unexcused: enrolled, no attendance or leave) and leave =
                     ``measures.approved_leave``; points = max × rate
reflections     10   at the held sessions: accepted ÷ submitted reflections (submitted = every
                     reflection handed in, whatever its review status); points = max × rate
compliance      20   ``measures.compliance_rate`` over the school's rows of
                     ``credits.compliance.compliance_rows`` (达标 share; during the year it is
                     the share already met); points = max × rate
postings         5   ``credits.Posting`` rows of the school whose period starts in the year,
                     against the target (2 a year by default): max × min(1, posted ÷ target)
summary         10   the school's ``reports.YearSummary`` of the year is filed: all or nothing
=============  ====  ==========================================================================

A rate with nothing to measure (no held session, no reflection, no teacher)
is shown as "—" and earns no points. Points are rounded to two places
(half up) item by item; the measured score is their sum, the final score the
measured score plus the bureau's adjustment (``SchoolScore.adjustment``).

Queries: :func:`county_sheet` reads all schools of a county in a constant
number of queries (every count is one ``GROUP BY`` school, compliance is one
``compliance_rows`` call for the county grouped in Python), whatever the
number of schools; ``tests/reports/test_evaluation.py`` counts them.

A school that the bureau has reviewed shows the items and measured score as
they were when it was reviewed (the ``SchoolScore`` snapshot); the school's
page also shows the items measured now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yanxiu.attendance.models import Reflection
from yanxiu.credits.compliance import compliance_rows
from yanxiu.credits.models import Posting
from yanxiu.growth import calendar
from yanxiu.growth.models import SchoolTerm
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Region, School
from yanxiu.training.models import SchoolPlan

from . import measures
from .models import EvaluationWeights, SchoolScore, YearSummary

#: A session counts towards the term schedule when it was published at least this long before it started.
SCHEDULE_ADVANCE = dt.timedelta(days=1)
#: A calendar month is a term month when a term holds at least this many of its days.
TERM_MONTH_MIN_DAYS = 14
#: The bureau's adjustment of a measured score, both bounds included.
ADJUSTMENT_MIN, ADJUSTMENT_MAX = Decimal("-20"), Decimal("20")

CENT = Decimal("0.01")
RATE = Decimal("0.0001")


@dataclass(frozen=True)
class Item:
    key: str
    label: object
    default_points: int
    how: object


ITEMS: tuple[Item, ...] = (
    Item("plan", gettext_lazy("年度研修计划"), 10,
         gettext_lazy("本学年已制定学校年度研修计划得满分，否则不得分。")),
    Item("schedule", gettext_lazy("学期活动安排"), 15,
         gettext_lazy("两个学期的各个月份中，有活动提前一天以上发布（即事先排定）的月份所占比例，乘以本项分值。")),
    Item("sessions", gettext_lazy("开展研修活动"), 15,
         gettext_lazy("本学年已发布、由本校组织且已结束的研修活动次数，达到全年目标次数得满分，不足按比例计分。")),
    Item("attendance", gettext_lazy("出勤率"), 15,
         gettext_lazy("已开展活动的出勤率 = 出席人次 ÷（出席人次 + 缺训人次 + 获批请假人次），乘以本项分值。")),
    Item("reflections", gettext_lazy("反思通过率"), 10,
         gettext_lazy("已开展活动中审阅通过的研修反思 ÷ 提交的研修反思（含待审阅、已退回），乘以本项分值。")),
    Item("compliance", gettext_lazy("学时达标率"), 20,
         gettext_lazy("本校在职教师中学时达标的比例（学年进行中为目前已达标的比例），乘以本项分值。")),
    Item("postings", gettext_lazy("学时公示"), 5,
         gettext_lazy("登记期起始日在本学年内的学时公示次数，达到全年目标次数得满分，不足按比例计分。")),
    Item("summary", gettext_lazy("年度工作总结"), 10,
         gettext_lazy("本学年校本培训工作总结已报送得满分，否则不得分。")),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
ITEM_KEYS = tuple(item.key for item in ITEMS)
DEFAULT_SESSIONS_TARGET = 12
DEFAULT_POSTINGS_TARGET = 2
assert sum(item.default_points for item in ITEMS) == 100
assert ITEM_KEYS == EvaluationWeights.ITEM_FIELDS


@dataclass(frozen=True)
class Weights:
    """The points of each item and the two targets in force for a county."""

    points: dict[str, int]
    sessions_target: int = DEFAULT_SESSIONS_TARGET
    postings_target: int = DEFAULT_POSTINGS_TARGET
    custom: bool = False

    @classmethod
    def default(cls) -> Weights:
        return cls({item.key: item.default_points for item in ITEMS})

    @classmethod
    def of(cls, row: EvaluationWeights | None) -> Weights:
        if row is None:
            return cls.default()
        return cls({key: getattr(row, key) for key in ITEM_KEYS}, row.sessions_target, row.postings_target, custom=True)


def weights_for(county) -> Weights:
    return Weights.of(EvaluationWeights.objects.filter(region=county).first())


@dataclass
class ItemScore:
    key: str
    value: str  # as the sheet shows it: "是", "9 / 11 个月", "81.3%", "—"
    points: Decimal
    max_points: int
    stored_label: str = ""

    @property
    def label(self) -> str:
        item = ITEMS_BY_KEY.get(self.key)
        return str(item.label) if item else self.stored_label

    @property
    def how(self) -> str:
        item = ITEMS_BY_KEY.get(self.key)
        return str(item.how) if item else ""

    @property
    def short(self) -> str:
        """The value without its detail in brackets: "50.0%" of "50.0%（出席 2，缺训 1，请假 1）"."""
        return self.value.split("（", 1)[0]

    @property
    def detail(self) -> str:
        head, _sep, rest = self.value.partition("（")
        return rest[:-1] if rest.endswith("）") else rest

    def as_json(self) -> dict:
        return {"key": self.key, "label": self.label, "value": self.value, "points": str(self.points),
                "max_points": self.max_points}

    @classmethod
    def from_json(cls, data) -> ItemScore | None:
        if not isinstance(data, dict) or not isinstance(data.get("key"), str):
            return None
        try:
            points = Decimal(str(data.get("points", "0")))
            max_points = int(data.get("max_points", 0))
        except (InvalidOperation, TypeError, ValueError):
            return None
        return cls(data["key"], str(data.get("value", "")), points, max_points, str(data.get("label", "")))


@dataclass
class SchoolLine:
    """One school's line of the sheet: the items measured now, and the bureau's review if any."""

    school: School
    year: int
    items: list[ItemScore]
    review: SchoolScore | None = None
    rank: int = 0
    weights: Weights = field(default_factory=Weights.default)

    @property
    def measured_now(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal("0"))

    @property
    def reviewed(self) -> bool:
        return self.review is not None

    @property
    def shown_items(self) -> list[ItemScore]:
        """The reviewed snapshot when there is one (in the order of the sheet), else the items measured now."""
        if self.review is None:
            return self.items
        stored = {i.key: i for i in (ItemScore.from_json(d) for d in (self.review.items or [])) if i is not None}
        return [stored.get(item.key) or ItemScore(item.key, "—", Decimal("0"), 0) for item in ITEMS]

    @property
    def measured(self) -> Decimal:
        return self.review.measured_score if self.review is not None else self.measured_now

    @property
    def adjustment(self) -> Decimal:
        return self.review.adjustment if self.review is not None else Decimal("0.00")

    @property
    def final(self) -> Decimal:
        return self.measured + self.adjustment

    @property
    def changed_since_review(self) -> bool:
        return self.review is not None and self.review.measured_score != self.measured_now

    def item(self, key: str) -> ItemScore | None:
        return next((i for i in self.shown_items if i.key == key), None)

    @property
    def school_name(self) -> str:
        return self.school.name

    @property
    def cluster_name(self) -> str:
        return self.school.cluster.name if self.school.cluster_id else ""


# --- Scope -----------------------------------------------------------------------------


def can_review(user, school) -> bool:
    """Region staff over the school (bureau, training centre) review and adjust its score."""
    s = scopes.scope_of(user)
    return s.superuser or school.county_id in s.region_counties


def can_set_weights(user, county) -> bool:
    """A county's points per item are set by its bureau."""
    s = scopes.scope_of(user)
    return s.superuser or county.pk in s.bureau_counties


def sheet_counties(user) -> QuerySet[Region]:
    """Counties whose sheet the user reads: those of their region roles that hold schools."""
    s = scopes.scope_of(user)
    qs = Region.objects.filter(schools__isnull=False)
    if not s.superuser:
        qs = qs.filter(pk__in=s.region_counties)
    return Region.objects.filter(pk__in=qs.values("pk")).order_by("code")


def weight_counties(user) -> QuerySet[Region]:
    """Counties whose points per item the user sets: their bureau's."""
    s = scopes.scope_of(user)
    return Region.objects.all() if s.superuser else Region.objects.filter(pk__in=s.bureau_counties)


# --- Measuring -------------------------------------------------------------------------


def _points(max_points: int, share: Decimal | None) -> Decimal:
    if share is None:
        return Decimal("0.00")
    share = min(max(share, Decimal("0")), Decimal("1"))
    return (Decimal(max_points) * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE, rounding=ROUND_HALF_UP)


def _term_months(first: calendar.TermSpan, second: calendar.TermSpan) -> set[tuple[int, int]]:
    """The calendar months (year, month) holding at least TERM_MONTH_MIN_DAYS days of a term."""
    days: dict[tuple[int, int], int] = defaultdict(int)
    for span in (first, second):
        day = span.start
        while day <= span.end:
            # Whole months at a time: the days of this month inside the term.
            next_month = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
            last = min(span.end, next_month - dt.timedelta(days=1))
            days[(day.year, day.month)] += (last - day).days + 1
            day = last + dt.timedelta(days=1)
    return {month for month, n in days.items() if n >= TERM_MONTH_MIN_DAYS}


def _school_terms(school_ids: list[int], year: int) -> dict[int, tuple[calendar.TermSpan, calendar.TermSpan]]:
    """Each school's two terms of ``year`` in one query (the default dates where a school set none)."""
    default = {n: calendar.default_term(year, n) for n in (1, 2)}
    spans = {pk: dict(default) for pk in school_ids}
    for school_id, number, start, end in SchoolTerm.objects.filter(school_id__in=school_ids, school_year=year).values_list(
        "school_id", "number", "start", "end"
    ):
        if number in (1, 2):
            spans[school_id][number] = calendar.TermSpan(year, number, start, end)
    return {pk: (s[1], s[2]) for pk, s in spans.items()}


def _by_school(qs, school_path: str, **aggregates) -> dict[int, dict]:
    rows = qs.order_by().values(school_path).annotate(**aggregates)
    return {r[school_path]: r for r in rows}


def _scheduled_months(ids: list[int], terms: dict) -> dict[int, set[tuple[int, int]]]:
    """Per school, the months (year, month) in which a session it published ahead of time starts: one query."""
    lo = min(spans[0].start for spans in terms.values())
    hi = max(max(spans[0].end, spans[1].end) for spans in terms.values())
    scheduled: dict[int, set[tuple[int, int]]] = defaultdict(set)
    ahead = (measures.sessions_in(lo, hi).filter(project__owner_school_id__in=ids, published_at__isnull=False,
                                                 published_at__lte=F("starts_at") - SCHEDULE_ADVANCE)
             .annotate(month=TruncMonth("starts_at")).order_by().values_list("project__owner_school_id", "month").distinct())
    for school_id, month in ahead:
        if month is not None:
            month = timezone.localtime(month) if timezone.is_aware(month) else month
            scheduled[school_id].add((month.year, month.month))
    return scheduled


@dataclass
class _Counts:
    """Everything measured for a county's schools, each table keyed by school id."""

    plans: set
    summaries: set
    term_months: dict
    scheduled: dict
    held: dict
    present: dict
    absent: dict
    leave: dict
    reflections: dict
    postings: dict
    compliance: dict

    def n(self, table: str, pk: int, key: str = "n") -> int:
        return (getattr(self, table).get(pk) or {}).get(key, 0)


def _count(county, ids: list[int], year: int, now: dt.datetime) -> _Counts:
    start, end = measures.year_span(county, year)
    terms = _school_terms(ids, year)
    held = measures.held_sessions(ids, start, end, now=now)
    owner = "project__owner_school_id"
    compliance: dict[int, list] = defaultdict(list)
    for row in compliance_rows(Employment.objects.filter(school_id__in=ids), year, now=now):
        compliance[row.school_id].append(row)
    return _Counts(
        plans=set(SchoolPlan.objects.filter(school_id__in=ids, school_year=f"{year}-{year + 1}")
                  .values_list("school_id", flat=True)),
        summaries=set(YearSummary.objects.filter(school_id__in=ids, school_year=year, status=YearSummary.Status.FILED)
                      .values_list("school_id", flat=True)),
        term_months={pk: _term_months(*spans) for pk, spans in terms.items()},
        scheduled=_scheduled_months(ids, terms),
        held=_by_school(held, owner, n=Count("id")),
        present=_by_school(measures.person_times(held), f"session__{owner}", n=Count("id")),
        absent=_by_school(measures.absences(held, now=now), f"session__{owner}", n=Count("id")),
        leave=_by_school(measures.approved_leave(held), f"session__{owner}", n=Count("id")),
        reflections=_by_school(Reflection.objects.filter(session__in=held), f"session__{owner}", total=Count("id"),
                               accepted=Count("id", filter=Q(status=Reflection.Status.ACCEPTED))),
        postings=_by_school(Posting.objects.filter(school_id__in=ids, period_start__gte=start, period_start__lte=end),
                            "school_id", n=Count("id")),
        compliance=compliance,
    )


def _share(part: int, target: int) -> Decimal:
    return Decimal(part) / Decimal(target)


def _school_items(c: _Counts, pk: int, weights: Weights) -> list[ItemScore]:
    pts = weights.points
    months = c.term_months[pk]
    covered = len(months & c.scheduled.get(pk, set()))
    held, posted = c.n("held", pk), c.n("postings", pk)
    p, a, lv = c.n("present", pk), c.n("absent", pk), c.n("leave", pk)
    attendance = _rate(p, p + a + lv)
    submitted, accepted = c.n("reflections", pk, "total"), c.n("reflections", pk, "accepted")
    reflection_rate = _rate(accepted, submitted)
    teachers = c.compliance.get(pk, [])
    compliance_rate = measures.compliance_rate(teachers)
    has_plan, has_summary = pk in c.plans, pk in c.summaries
    items = [
        ItemScore("plan", _("已制定") if has_plan else _("未制定"), _points(pts["plan"], Decimal(has_plan)), pts["plan"]),
        ItemScore("schedule", _("%(n)s / %(m)s 个月") % {"n": covered, "m": len(months)},
                  _points(pts["schedule"], _rate(covered, len(months))), pts["schedule"]),
        ItemScore("sessions", _("%(n)s 次（目标 %(t)s 次）") % {"n": held, "t": weights.sessions_target},
                  _points(pts["sessions"], _share(held, weights.sessions_target)), pts["sessions"]),
        ItemScore("attendance", _rate_text(attendance, _("出席 %(p)s，缺训 %(a)s，请假 %(l)s") % {"p": p, "a": a, "l": lv}),
                  _points(pts["attendance"], attendance), pts["attendance"]),
        ItemScore("reflections", _rate_text(reflection_rate, _("通过 %(a)s / 提交 %(s)s") % {"a": accepted, "s": submitted}),
                  _points(pts["reflections"], reflection_rate), pts["reflections"]),
        ItemScore("compliance", _rate_text(compliance_rate, _("%(n)s 名教师") % {"n": len(teachers)}),
                  _points(pts["compliance"], compliance_rate), pts["compliance"]),
        ItemScore("postings", _("%(n)s 次（目标 %(t)s 次）") % {"n": posted, "t": weights.postings_target},
                  _points(pts["postings"], _share(posted, weights.postings_target)), pts["postings"]),
        ItemScore("summary", _("已报送") if has_summary else _("未报送"), _points(pts["summary"], Decimal(has_summary)),
                  pts["summary"]),
    ]
    return items


def county_sheet(county, year: int, *, schools: QuerySet[School] | None = None, now: dt.datetime | None = None,
                 rank: bool = True) -> list[SchoolLine]:
    """The lines of ``county``'s schools (or of ``schools`` among them) for school year ``year``, ranked.

    Active schools only, unless ``schools`` names others; each count is one query for all of them.
    """
    now = now or timezone.now()
    qs = schools if schools is not None else School.objects.filter(is_active=True)
    school_list = list(qs.filter(county=county).select_related("cluster", "county").order_by("code"))
    if not school_list:
        return []
    ids = [s.pk for s in school_list]
    weights = weights_for(county)
    counts = _count(county, ids, year, now)
    reviews = {r.school_id: r for r in SchoolScore.objects.filter(school_id__in=ids, school_year=year)}
    lines = [SchoolLine(school=school, year=year, items=_school_items(counts, school.pk, weights),
                        review=reviews.get(school.pk), weights=weights) for school in school_list]
    return ranked(lines) if rank else lines


def _rate_text(rate: Decimal | None, detail: str) -> str:
    return f"{measures.percent(rate)}（{detail}）"


def ranked(lines: list[SchoolLine]) -> list[SchoolLine]:
    """Lines by final score, highest first; equal scores share a rank (1, 1, 3), then by school code."""
    lines = sorted(lines, key=lambda line: (-line.final, line.school.code))
    previous, rank = None, 0
    for position, line in enumerate(lines, start=1):
        if line.final != previous:
            rank, previous = position, line.final
        line.rank = rank
    return lines


def school_line(school, year: int, *, now: dt.datetime | None = None) -> SchoolLine:
    """One school's line measured now, without a rank (the same queries as a county's sheet, for one school)."""
    return county_sheet(school.county, year, schools=School.objects.filter(pk=school.pk), now=now, rank=False)[0]


def line_in_county(school, year: int, *, now: dt.datetime | None = None) -> SchoolLine:
    """One school's line with its rank among its county's active schools (an inactive school: ranked alone)."""
    if school.is_active:
        for line in county_sheet(school.county, year, now=now):
            if line.school.pk == school.pk:
                return line
    line = school_line(school, year, now=now)
    line.rank = 0
    return line
