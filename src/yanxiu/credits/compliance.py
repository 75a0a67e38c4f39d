"""Compliance of teachers with the policy in force: hours by kind and
category, shortfall, status and a sentence saying why.

The sums are computed by the database in one GROUP BY per policy (a LEFT
JOIN of current employments to the ledger rows of the school year, with a
filtered SUM per kind and per category); Python only compares the few
aggregated numbers of each teacher with the policy. Reversal entries carry
negative amounts, so the sums are always the net ledger.

A verdict (达标 / 未达标 / 不合格) is given only for a school year (or cycle)
that is over. While it runs a teacher short of the minimum is 进行中 (in
progress, N to go), or 有未达标风险 (at risk) when the hours so far plus the
scheduled sessions they are enrolled in still fall short; an absence counts
only once the session's credit has been registered, and ended sessions not
yet registered are reported as pending.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from operator import itemgetter

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from yanxiu.policy.models import CreditKind, Policy
from yanxiu.policy.selectors import policy_in_force, school_year_for, spec_in_force, specs_for_counties
from yanxiu.policy.spec import PolicySpec

ZERO = Decimal("0")
CENT = Decimal("0.01")  # the ledger's amounts have two decimal places
KINDS = list(CreditKind.values)
SCHOOL_BASED_INDEX = KINDS.index(CreditKind.SCHOOL_BASED)


class Status:
    MET = "met"
    BELOW = "below"
    FAIL = "fail"
    IN_PROGRESS = "in_progress"
    AT_RISK = "at_risk"

    LABELS = {MET: "达标", BELOW: "未达标", FAIL: "不合格", IN_PROGRESS: "进行中", AT_RISK: "有未达标风险"}
    ALL = (MET, BELOW, FAIL, IN_PROGRESS, AT_RISK)


class _Context:
    """What every row of one policy group shares."""

    __slots__ = ("spec", "years", "categories", "cycle", "with_long_cycle", "start", "no_sums", "schools", "school_names",
                 "open", "scheduled", "pending")

    def __init__(self, spec: PolicySpec, years: tuple[int, int], categories: list[str], cycle: bool, open_period: bool = False):
        self.spec, self.years, self.categories, self.cycle = spec, years, categories, cycle
        self.with_long_cycle = spec.long_cycle_exempts_school_based
        self.start = spec.year_start(years[0])
        self.no_sums = (None,) * (2 + len(KINDS) + len(categories) + (1 if self.with_long_cycle else 0))
        self.schools: dict[int, str] = {}
        self.school_names: dict[int, str] = {}
        # The year (or cycle) is still running: no verdict yet, a projection instead.
        self.open = open_period
        self.scheduled: dict[int, Decimal] = {}  # person -> amount of enrolled sessions still to come
        self.pending: dict[int, int] = {}  # person -> ended sessions whose credit is not registered yet


class ComplianceRow(tuple):
    """One teacher's standing: (teacher tuple, sums tuple, context, absences,
    status), a tuple so that a province's rows are cheap to build. The
    teacher tuple is (person_id, name, id_number, birth_date, school_id); the
    sums tuple (person_id, total, *kinds, *categories[, long_cycle]) comes
    straight from the database. ``status`` is decided when the row is built;
    the per-kind dicts, ``shortfall`` and the ``reason`` sentence are worked
    out when read."""

    __slots__ = ()

    def __new__(cls, person: tuple, sums: tuple, ctx: _Context, absences: int = 0):
        return tuple.__new__(cls, (person, sums, ctx, absences, classify(person, sums, ctx, absences)))

    def __repr__(self) -> str:
        return f"ComplianceRow({self.name!r}, total={self.total}, status={self.status!r})"

    _p = property(itemgetter(0))
    _s = property(itemgetter(1))
    _ctx = property(itemgetter(2))
    absences = property(itemgetter(3))
    status = property(itemgetter(4))
    person_id = property(lambda self: self._p[0])
    name = property(lambda self: self._p[1])
    id_number = property(lambda self: self._p[2])
    school_id = property(lambda self: self._p[4])
    school_code = property(lambda self: self._ctx.schools.get(self._p[4], ""))
    school_name = property(lambda self: self._ctx.school_names.get(self._p[4], ""))
    years = property(lambda self: self._ctx.years)
    spec = property(lambda self: self._ctx.spec)
    cycle = property(lambda self: self._ctx.cycle)

    @property
    def total(self) -> Decimal:
        return self._s[1] or ZERO

    @property
    def by_kind(self) -> dict[str, Decimal]:
        return {kind: self._s[2 + i] or ZERO for i, kind in enumerate(KINDS)}

    @property
    def by_category(self) -> dict[str, Decimal]:
        first = 2 + len(KINDS)
        return {c: self._s[first + i] or ZERO for i, c in enumerate(self._ctx.categories)}

    @property
    def long_cycle(self) -> bool:
        return bool(self._s[-1]) if self._ctx.with_long_cycle else False

    @property
    def age(self) -> int | None:
        return _age_on(self._p[3], self._ctx.start) if self._ctx.spec.age_opt_out_age else None

    @property
    def unit(self) -> str:
        return self.spec.unit_label

    @property
    def in_progress(self) -> bool:
        """The school year (or cycle) is still running: no verdict yet."""
        return self._ctx.open

    @property
    def scheduled(self) -> Decimal:
        """Amount of the sessions the teacher is enrolled in that are still to come this period."""
        return self._ctx.scheduled.get(self._p[0], ZERO)

    @property
    def projected(self) -> Decimal:
        return self.total + self.scheduled

    @property
    def pending(self) -> int:
        """Ended sessions the teacher took part in whose credit is not registered yet."""
        return self._ctx.pending.get(self._p[0], 0)

    @property
    def minimum(self) -> Decimal:
        return (self.spec.cycle_min or ZERO) if self.cycle else self.spec.total_min

    @property
    def to_go(self) -> Decimal:
        return max(self.minimum - self.total, ZERO)

    @property
    def blocks_excellent(self) -> bool:
        return self.status == Status.BELOW and self.spec.below_min_blocks_excellent and not self.cycle

    @property
    def shortfall(self) -> dict[str, Decimal]:
        return explain(self)[0]

    @property
    def reason(self) -> str:
        return explain(self)[1]

    @property
    def status_label(self) -> str:
        label = Status.LABELS[self.status]
        if self.blocks_excellent:
            return label + "（不能评优秀）"
        if self.status in (Status.IN_PROGRESS, Status.AT_RISK) and self.to_go > 0:
            return label + _("（还差 %(n)s %(unit)s）") % {"n": _fmt(self.to_go), "unit": self.unit}
        return label

    @property
    def total_shortfall(self) -> Decimal:
        return self.shortfall.get("total", ZERO)

    def as_json(self, *, full_id: bool = True) -> dict:
        from yanxiu.org.models import mask_id_number

        shortfall, reason = explain(self)
        return {
            "id_number": self.id_number if full_id else mask_id_number(self.id_number),
            "name": self.name,
            "school": self.school_code,
            "school_name": self.school_name,
            "school_year": self.years[0] if self.years[0] == self.years[1] else list(self.years),
            "unit": self.unit,
            "total": float(self.total),
            "by_kind": {k: float(v) for k, v in self.by_kind.items()},
            "by_category": {k: float(v) for k, v in self.by_category.items()},
            "shortfall": {k: float(v) for k, v in shortfall.items()},
            "status": self.status_label,
            "status_code": self.status,
            "reason": reason,
            "in_progress": self.in_progress,
            "projected": float(self.projected),
            "pending": self.pending,
        }


def _fmt(value: Decimal) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"


def registered_session_ids() -> QuerySet:
    """Sessions whose credit has been registered (``credit_school_session`` ran for them)."""
    from yanxiu.core.models import AuditEvent

    return AuditEvent.objects.filter(action="credit.session", target_type="training.session").values_list("target_id", flat=True)


def _absences(person_ids, start: dt.date, end: dt.date, *, registered_only: bool = False, now: dt.datetime | None = None) -> dict[int, int]:
    """Unexcused absences (缺训) per person in the period, from the attendance app.
    With ``registered_only`` only sessions whose credit has been registered count
    (while the year runs, attendance may still be corrected until then)."""
    try:
        from yanxiu.attendance.selectors import absences_for
        from yanxiu.training.models import Session
    except ImportError:  # an installation without the attendance app
        return {}
    sessions = Session.objects.filter(starts_at__date__gte=start, starts_at__date__lte=end)
    if registered_only:
        sessions = sessions.filter(pk__in=[int(pk) for pk in set(registered_session_ids()) if pk.isdigit()])
    rows = (
        absences_for(sessions=sessions, now=now)
        .filter(person_id__in=person_ids)
        .order_by()
        .values("person_id")
        .annotate(n=Count("id"))
    )
    return {r["person_id"]: r["n"] for r in rows}


def _scheduled(person_ids, spec: PolicySpec, now: dt.datetime, end: dt.date) -> dict[int, Decimal]:
    """Amount (in the policy's unit) of the published sessions each person is
    enrolled in that start after ``now`` and by ``end``: one GROUP BY."""
    from yanxiu.policy.models import credit_kind_for_training
    from yanxiu.training.models import Enrollment, Session

    rows = (
        Enrollment.objects.filter(
            person_id__in=person_ids, status=Enrollment.Status.ENROLLED, session__status=Session.Status.PUBLISHED,
            session__starts_at__gt=now, session__starts_at__date__lte=end,
        )
        .order_by()
        .values_list("person_id", "session__project__level", "session__project__kind")
        .annotate(h=Sum("session__hours"))
    )
    result: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for person_id, level, kind, hours in rows:
        hours = Decimal(hours or 0).quantize(CENT)
        amount = spec.credits_for(credit_kind_for_training(level=level, kind=kind), hours) if spec.amount_field == "credits" else hours
        result[person_id] += amount
    return dict(result)


def _pending(person_ids, start: dt.date, now: dt.datetime) -> dict[int, int]:
    """Ended sessions per person (enrolled, not cancelled) whose credit is not registered yet."""
    from yanxiu.training.models import Enrollment, Session

    registered = [int(pk) for pk in set(registered_session_ids()) if pk.isdigit()]
    rows = (
        Enrollment.objects.filter(
            person_id__in=person_ids, status=Enrollment.Status.ENROLLED, session__status=Session.Status.PUBLISHED,
            session__ends_at__lt=now, session__starts_at__date__gte=start,
        )
        .exclude(session_id__in=registered)
        .order_by()
        .values("person_id")
        .annotate(n=Count("session_id", distinct=True))
    )
    return {r["person_id"]: r["n"] for r in rows}


def aggregate(employments: QuerySet | None, spec: PolicySpec, years: tuple[int, int], *, with_categories: bool = True):
    """Net amounts per person over the years, by kind and category: one
    GROUP BY person_id over the ledger rows of the people in ``employments``
    (of everyone, when ``employments`` is None)."""
    from .models import CreditEntry

    amount = spec.amount_field
    annotations = {"total": Sum(amount)}
    for kind in KINDS:
        annotations[f"k_{kind}"] = Sum(amount, filter=Q(kind=kind))
    categories = sorted(spec.category_min) if with_categories else []
    for index, category in enumerate(categories):
        annotations[f"c_{index}"] = Sum(amount, filter=Q(category=category))
    if spec.long_cycle_exempts_school_based:
        annotations["long_cycle"] = Count("pk", filter=Q(long_cycle=True))
    if years[0] == years[1]:
        entries = CreditEntry.objects.filter(school_year=years[0])
    else:
        entries = CreditEntry.objects.filter(school_year__gte=years[0], school_year__lte=years[1])
    if employments is not None:
        entries = entries.filter(person_id__in=employments.values("person_id"))
    rows = (
        entries.order_by()
        .values("person_id")
        .annotate(**annotations)
        .values_list("person_id", *annotations)
    )
    return rows, categories


def _fetch(query) -> list[tuple]:
    """Rows of an aggregate query. On PostgreSQL the driver already returns
    Decimals, so the query runs on the cursor, skipping Django's per-row
    converters (a third of the time for a province)."""
    from django.db import connections

    connection = connections[query.db]
    if connection.vendor != "postgresql":
        # SQLite sums decimals as floats (0.1 + 0.2 comes back 0.300000000000000):
        # back to the ledger's two places.
        return [tuple(v.quantize(CENT) if isinstance(v, Decimal) else v for v in row) for row in query]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def classify(person: tuple, sums: tuple, ctx: _Context, absences: int = 0) -> str:
    """达标 / 未达标 / 不合格 from the aggregated numbers (cheap: no text, no dicts);
    while the period runs, 进行中 or 有未达标风险 instead of a negative verdict."""
    if ctx.open:
        if absences and ctx.spec.unexcused_absence_fails and not ctx.cycle:
            return Status.AT_RISK
        if _verdict(person, sums, ctx) == Status.MET:
            return Status.MET
        need = (ctx.spec.cycle_min or ZERO) if ctx.cycle else ctx.spec.total_min
        projected = (sums[1] or ZERO) + ctx.scheduled.get(person[0], ZERO)
        return Status.IN_PROGRESS if projected >= need else Status.AT_RISK
    if absences and ctx.spec.unexcused_absence_fails and not ctx.cycle:
        return Status.FAIL
    return _verdict(person, sums, ctx)


def _verdict(person: tuple, sums: tuple, ctx: _Context) -> str:
    spec = ctx.spec
    if spec.age_opt_out_age and _age_on(person[3], ctx.start) >= spec.age_opt_out_age:
        return Status.MET
    total = sums[1] or ZERO
    if ctx.cycle:
        return Status.BELOW if spec.cycle_min and total < spec.cycle_min else Status.MET
    if total < spec.total_min:
        return Status.BELOW
    for index, need in spec.kind_min_by_index:
        if (sums[2 + index] or ZERO) < need and not (
            index == SCHOOL_BASED_INDEX and ctx.with_long_cycle and sums[-1]
        ):
            return Status.BELOW
    if ctx.categories:
        first = 2 + len(KINDS)
        for i, category in enumerate(ctx.categories):
            have = sums[first + i] or ZERO
            if have < spec.category_min[category] or (category in spec.compulsory and have <= 0):
                return Status.BELOW
    return Status.MET


def explain(row: ComplianceRow) -> tuple[dict[str, Decimal], str]:
    """The shortfall by total, kind and category, and the sentence saying why."""
    spec, unit, shortfall = row.spec, row.spec.unit_label, {}
    if row.status == Status.FAIL:
        return shortfall, _("无正当理由缺席培训 %(n)d 次，年度考核为不合格。") % {"n": row.absences}
    if row.in_progress and row.absences and spec.unexcused_absence_fails and not row.cycle:
        return shortfall, _("学年进行中。已登记无正当理由缺席培训 %(n)d 次，按政策学年结束时年度考核将为不合格；如有误请联系学校更正考勤。") % {
            "n": row.absences
        } + _pending_sentence(row)
    if row.age is not None and spec.age_opt_out_age and row.age >= spec.age_opt_out_age:
        return shortfall, _("学年开始时已满 %(age)d 周岁，按本政策免于学时要求。") % {"age": spec.age_opt_out_age}
    problems: list[str] = []
    y0, y1 = row.years
    if row.cycle:
        if spec.cycle_min and row.total < spec.cycle_min:
            shortfall["total"] = spec.cycle_min - row.total
            problems.append(
                _("%(y0)d—%(y1)d 周期累计 %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"y0": y0, "y1": y1 + 1, "have": _fmt(row.total), "need": _fmt(spec.cycle_min), "unit": unit}
            )
    else:
        if row.total < spec.total_min:
            shortfall["total"] = spec.total_min - row.total
            problems.append(
                _("学年累计 %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"have": _fmt(row.total), "need": _fmt(spec.total_min), "unit": unit}
            )
        for kind, need in spec.kind_min.items():
            have = row.by_kind.get(kind, ZERO)
            if have >= need or (kind == CreditKind.SCHOOL_BASED and row.long_cycle and spec.long_cycle_exempts_school_based):
                continue
            shortfall[kind] = need - have
            problems.append(
                _("%(kind)s %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"kind": spec.kind_label(kind), "have": _fmt(have), "need": _fmt(need), "unit": unit}
            )
        for category, need in spec.category_min.items():
            have = row.by_category.get(category, ZERO)
            if have >= need and (have > 0 or category not in spec.compulsory):
                continue
            shortfall[f"category:{category}"] = max(need - have, ZERO)
            star = "★" if category in spec.compulsory else ""
            problems.append(
                _("内容“%(star)s%(cat)s” %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"star": star, "cat": category, "have": _fmt(have), "need": _fmt(need), "unit": unit}
            )
    if problems and row.in_progress:
        values = {"have": _fmt(row.total), "need": _fmt(row.minimum), "go": _fmt(row.to_go), "unit": unit,
                  "scheduled": _fmt(row.scheduled), "projected": _fmt(row.projected)}
        head = (_("周期进行中") if row.cycle else _("学年进行中")) + "：" + "；".join(problems) + "。"
        if row.status == Status.AT_RISK:
            tail = _("算上已报名、尚未开展的培训 %(scheduled)s %(unit)s，预计 %(projected)s %(unit)s，仍不足 %(need)s %(unit)s，有未达标风险。") % values
        elif row.to_go > 0:
            tail = _("还差 %(go)s %(unit)s；已报名、尚未开展的培训 %(scheduled)s %(unit)s，按计划可以补足。") % values
        else:
            tail = _("请在学年结束前补足以上各项。")
        return shortfall, head + tail + _pending_sentence(row)
    if problems:
        tail = _("年度考核不能评为优秀。") if row.blocks_excellent else _("未达到要求。")
        return shortfall, "；".join(problems) + "，" + tail
    if row.cycle:
        return shortfall, _("%(y0)d—%(y1)d 周期累计 %(have)s %(unit)s，达到周期要求。") % {
            "y0": y0, "y1": y1 + 1, "have": _fmt(row.total), "unit": unit
        }
    if row.long_cycle and spec.long_cycle_exempts_school_based and row.by_kind.get(CreditKind.SCHOOL_BASED, ZERO) < spec.kind_min.get(CreditKind.SCHOOL_BASED, ZERO):
        return shortfall, _("学年累计 %(have)s %(unit)s，达到要求；参加长周期培训，免校本研修部分。") % {"have": _fmt(row.total), "unit": unit}
    return shortfall, _("学年累计 %(have)s %(unit)s，达到要求。") % {"have": _fmt(row.total), "unit": unit} + _pending_sentence(row)


def _pending_sentence(row: ComplianceRow) -> str:
    if not row.in_progress or not row.pending:
        return ""
    return _("另有 %(n)d 次已结束的培训学时待登记。") % {"n": row.pending}


def compliance_rows(
    employments: QuerySet, year: int, *, spec: PolicySpec | None = None, cycle: bool = False, now: dt.datetime | None = None,
    final: bool = False,
) -> list[ComplianceRow]:
    """Compliance of every current employment in ``employments`` for school year
    ``year`` (or, with ``cycle``, for the policy cycle containing it), ordered
    by school code and name.

    A period not over at ``now`` (default: the current time) gets 进行中 / 有未达标风险
    instead of a negative verdict; ``final`` asks for the verdict as if it were over.

    With no ``spec`` each county's policy in force applies; a ``spec`` (the
    preview of an edited policy) applies to all. Two queries per policy: the
    ledger GROUP BY person and the list of teachers; Python only joins them.
    """
    from django.utils import timezone

    from yanxiu.org.models import Employment, Region, School

    now = now or timezone.now()
    today = timezone.localdate(now)
    employments = employments.current()
    if spec is not None:
        groups = [(spec, employments)]
    else:
        by_policy: dict[int, tuple[PolicySpec, list[int]]] = {}
        county_ids = employments.order_by().values_list("school__county_id", flat=True).distinct()
        counties = Region.objects.filter(pk__in=list(county_ids)).select_related("parent__parent")
        for county_id, county_spec in specs_for_counties(counties, year).items():
            by_policy.setdefault(county_spec.policy_id, (county_spec, []))[1].append(county_id)
        if len(by_policy) == 1:
            groups = [(next(iter(by_policy.values()))[0], employments)]
        else:
            groups = [(s, employments.filter(school__county_id__in=ids)) for s, ids in by_policy.values()]
    result: list[ComplianceRow] = []
    for group_spec, qs in groups:
        if cycle:
            years = group_spec.cycle_of(year)
            if years is None:
                continue
        else:
            years = (year, year)
        start, end = group_spec.year_start(years[0]), group_spec.year_end(years[1])
        # Ordered below: by school code and name for a page, by ids for a province.
        people = list(qs.order_by().values_list("person_id", "person__name", "person__id_number", "person__birth_date", "school_id"))
        if not people:
            continue
        # Most of the teachers: aggregate the years' whole ledger (the join below drops
        # the rest) rather than pay a semi-join of millions of rows against their ids.
        everyone = len(people) * 2 >= Employment.objects.current().count()
        sums_query, categories = aggregate(None if everyone else qs, group_spec, years, with_categories=not cycle)
        ctx = _Context(group_spec, years, categories, cycle, open_period=not final and today <= end)
        if ctx.open:
            person_ids = [p[0] for p in people]
            ctx.scheduled = _scheduled(person_ids, group_spec, now, end)
            ctx.pending = _pending(person_ids, start, now)
        ctx.schools = dict(School.objects.filter(pk__in={p[4] for p in people}).values_list("pk", "code"))
        ctx.school_names = dict(School.objects.filter(pk__in=ctx.schools).values_list("pk", "name"))
        sums = {r[0]: r for r in _fetch(sums_query)}
        absences = (
            _absences(qs.values("person_id"), start, end, registered_only=ctx.open, now=now)
            if group_spec.unexcused_absence_fails and not cycle else {}
        )
        no_sums, get, new = ctx.no_sums, sums.get, tuple.__new__
        if absences:
            result.extend(ComplianceRow(p, get(p[0], no_sums), ctx, absences.get(p[0], 0)) for p in people)
        else:
            # The hot loop of a province listing: build the row tuples directly.
            for p in people:
                row_sums = get(p[0], no_sums)
                result.append(new(ComplianceRow, (p, row_sums, ctx, 0, classify(p, row_sums, ctx))))
    if len(result) <= 20000:
        result.sort(key=lambda row: (row.school_code, row._p[1], row._p[0]))
    else:
        result.sort(key=lambda row: (row[0][4], row[0][0]))
    return result


def status_counts(rows: list[ComplianceRow]) -> dict[str, int]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return {key: counts.get(key, 0) for key in Status.ALL}
