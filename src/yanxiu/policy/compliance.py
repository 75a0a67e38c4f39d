"""Compliance of teachers with the policy in force: hours by kind and
category, shortfall, status and a sentence saying why.

The sums are computed by the database in one GROUP BY per policy (a LEFT
JOIN of current employments to the ledger rows of the school year, with a
filtered SUM per kind and per category); Python only compares the few
aggregated numbers of each teacher with the policy. Reversal entries carry
negative amounts, so the sums are always the net ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, FilteredRelation, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from .models import CreditKind, Policy
from .spec import PolicySpec

ZERO = Decimal("0")
KINDS = list(CreditKind.values)


class Status:
    MET = "met"
    BELOW = "below"
    FAIL = "fail"

    LABELS = {MET: "达标", BELOW: "未达标", FAIL: "不合格"}


@dataclass
class ComplianceRow:
    person_id: int
    name: str
    id_number: str
    school_id: int
    school_code: str
    school_name: str
    years: tuple[int, int]
    unit: str
    total: Decimal
    by_kind: dict[str, Decimal]
    by_category: dict[str, Decimal]
    shortfall: dict[str, Decimal] = field(default_factory=dict)
    status: str = Status.MET
    reason: str = ""
    blocks_excellent: bool = False
    absences: int = 0

    @property
    def status_label(self) -> str:
        label = Status.LABELS[self.status]
        if self.status == Status.BELOW and self.blocks_excellent:
            return label + "（不能评优秀）"
        return label

    @property
    def total_shortfall(self) -> Decimal:
        return self.shortfall.get("total", ZERO)

    def as_json(self, *, full_id: bool = True) -> dict:
        from yanxiu.org.models import mask_id_number

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
            "shortfall": {k: float(v) for k, v in self.shortfall.items()},
            "status": self.status_label,
            "status_code": self.status,
            "reason": self.reason,
        }


def _fmt(value: Decimal) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"


def policy_in_force(county, year: int) -> Policy | None:
    """The policy version governing ``county`` in school year ``year``: the
    nearest region up the tree with a policy, its latest start year not after
    ``year``, its highest version."""
    chain = county.ancestors_and_self()
    depth = {region.pk: index for index, region in enumerate(chain)}
    candidates = Policy.objects.filter(region_id__in=depth, valid_from_year__lte=year).values_list(
        "pk", "region_id", "valid_from_year", "version"
    )
    best = min(candidates, key=lambda c: (depth[c[1]], -c[2], -c[3]), default=None)
    return None if best is None else Policy.objects.get(pk=best[0])


def spec_in_force(county, year: int) -> PolicySpec | None:
    policy = policy_in_force(county, year)
    return None if policy is None else PolicySpec.from_policy(policy)


def school_year_for(county, day: dt.date) -> int:
    """The school year ``day`` belongs to under the county's policy (1 September by default)."""
    spec = spec_in_force(county, day.year) or spec_in_force(county, day.year - 1)
    if spec is None:
        return day.year if day.month >= 9 else day.year - 1
    return spec.school_year_of(day)


def _absences(person_ids, start: dt.date, end: dt.date) -> dict[int, int]:
    """Unexcused absences (缺训) per person in the period, from the attendance app."""
    try:
        from yanxiu.attendance.selectors import absences_for
        from yanxiu.training.models import Session
    except ImportError:  # an installation without the attendance app
        return {}
    sessions = Session.objects.filter(starts_at__date__gte=start, starts_at__date__lte=end)
    rows = (
        absences_for(sessions=sessions)
        .filter(person_id__in=person_ids)
        .order_by()
        .values("person_id")
        .annotate(n=Count("id"))
    )
    return {r["person_id"]: r["n"] for r in rows}


def aggregate(employments: QuerySet, spec: PolicySpec, years: tuple[int, int], *, with_categories: bool = True):
    """One row per current employment: the net amounts of the years by kind and category."""
    amount = f"ce__{spec.amount_field}"
    annotations = {"total": Sum(amount)}
    for kind in KINDS:
        annotations[f"k_{kind}"] = Sum(amount, filter=Q(ce__kind=kind))
    categories = sorted(spec.category_min) if with_categories else []
    for index, category in enumerate(categories):
        annotations[f"c_{index}"] = Sum(amount, filter=Q(ce__category=category))
    if spec.long_cycle_exempts_school_based:
        annotations["long_cycle"] = Count("ce__id", filter=Q(ce__long_cycle=True))
    rows = (
        employments.annotate(
            ce=FilteredRelation(
                "person__credit_entries",
                condition=Q(person__credit_entries__school_year__gte=years[0], person__credit_entries__school_year__lte=years[1]),
            )
        )
        .values("person_id", "person__name", "person__id_number", "person__birth_date", "school_id", "school__code", "school__name")
        .annotate(**annotations)
        .order_by("school__code", "person__name", "person_id")
    )
    return rows, categories


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def evaluate(spec: PolicySpec, row: ComplianceRow, *, long_cycle: bool, age: int | None, cycle: bool = False) -> None:
    """Fill in shortfall, status and reason of ``row`` under ``spec``."""
    unit = spec.unit_label
    if row.absences and spec.unexcused_absence_fails and not cycle:
        row.status = Status.FAIL
        row.reason = _("无正当理由缺席培训 %(n)d 次，年度考核为不合格。") % {"n": row.absences}
        return
    if age is not None and spec.age_opt_out_age and age >= spec.age_opt_out_age:
        row.status = Status.MET
        row.reason = _("学年开始时已满 %(age)d 周岁，按本政策免于学时要求。") % {"age": spec.age_opt_out_age}
        return
    problems: list[str] = []
    if cycle:
        if spec.cycle_min and row.total < spec.cycle_min:
            row.shortfall["total"] = spec.cycle_min - row.total
            problems.append(
                _("%(y0)d—%(y1)d 周期累计 %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"y0": row.years[0], "y1": row.years[1] + 1, "have": _fmt(row.total), "need": _fmt(spec.cycle_min), "unit": unit}
            )
    else:
        if row.total < spec.total_min:
            row.shortfall["total"] = spec.total_min - row.total
            problems.append(
                _("学年累计 %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"have": _fmt(row.total), "need": _fmt(spec.total_min), "unit": unit}
            )
        for kind, need in spec.kind_min.items():
            have = row.by_kind.get(kind, ZERO)
            if have >= need:
                continue
            if kind == CreditKind.SCHOOL_BASED and long_cycle and spec.long_cycle_exempts_school_based:
                continue
            row.shortfall[kind] = need - have
            problems.append(
                _("%(kind)s %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"kind": spec.kind_label(kind), "have": _fmt(have), "need": _fmt(need), "unit": unit}
            )
        for category, need in spec.category_min.items():
            have = row.by_category.get(category, ZERO)
            if have >= need and (have > 0 or category not in spec.compulsory):
                continue
            row.shortfall[f"category:{category}"] = max(need - have, ZERO)
            star = "★" if category in spec.compulsory else ""
            problems.append(
                _("内容“%(star)s%(cat)s” %(have)s %(unit)s，不足 %(need)s %(unit)s")
                % {"star": star, "cat": category, "have": _fmt(have), "need": _fmt(need), "unit": unit}
            )
    if problems:
        row.status = Status.BELOW
        row.blocks_excellent = spec.below_min_blocks_excellent and not cycle
        tail = _("年度考核不能评为优秀。") if row.blocks_excellent else _("未达到要求。")
        row.reason = "；".join(problems) + "，" + tail
        return
    row.status = Status.MET
    if cycle:
        row.reason = _("%(y0)d—%(y1)d 周期累计 %(have)s %(unit)s，达到周期要求。") % {
            "y0": row.years[0], "y1": row.years[1] + 1, "have": _fmt(row.total), "unit": unit
        }
    elif long_cycle and spec.long_cycle_exempts_school_based and row.by_kind.get(CreditKind.SCHOOL_BASED, ZERO) < spec.kind_min.get(CreditKind.SCHOOL_BASED, ZERO):
        row.reason = _("学年累计 %(have)s %(unit)s，达到要求；参加长周期培训，免校本研修部分。") % {"have": _fmt(row.total), "unit": unit}
    else:
        row.reason = _("学年累计 %(have)s %(unit)s，达到要求。") % {"have": _fmt(row.total), "unit": unit}


def compliance_rows(employments: QuerySet, year: int, *, spec: PolicySpec | None = None, cycle: bool = False) -> list[ComplianceRow]:
    """Compliance of every current employment in ``employments`` for school year
    ``year`` (or, with ``cycle``, for the policy cycle containing it).

    With no ``spec`` each county's policy in force applies; a ``spec`` (the
    preview of an edited policy) applies to all.
    """
    from yanxiu.org.models import Region

    employments = employments.filter(end_date__isnull=True)
    if spec is not None:
        groups = [(spec, employments)]
    else:
        by_policy: dict[int, tuple[PolicySpec, list[int]]] = {}
        county_ids = employments.order_by().values_list("school__county_id", flat=True).distinct()
        for county in Region.objects.filter(pk__in=list(county_ids)).select_related("parent__parent"):
            county_spec = spec_in_force(county, year)
            if county_spec is None:
                continue
            by_policy.setdefault(county_spec.policy_id, (county_spec, []))[1].append(county.pk)
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
        rows, categories = aggregate(qs, group_spec, years, with_categories=not cycle)
        absences = _absences(qs.values("person_id"), start, end) if group_spec.unexcused_absence_fails and not cycle else {}
        for r in rows:
            row = ComplianceRow(
                person_id=r["person_id"],
                name=r["person__name"],
                id_number=r["person__id_number"],
                school_id=r["school_id"],
                school_code=r["school__code"],
                school_name=r["school__name"],
                years=years,
                unit=group_spec.unit_label,
                total=r["total"] or ZERO,
                by_kind={kind: r[f"k_{kind}"] or ZERO for kind in KINDS},
                by_category={c: r[f"c_{i}"] or ZERO for i, c in enumerate(categories)},
                absences=absences.get(r["person_id"], 0),
            )
            age = _age_on(r["person__birth_date"], start) if group_spec.age_opt_out_age else None
            evaluate(group_spec, row, long_cycle=bool(r.get("long_cycle")), age=age, cycle=cycle)
            result.append(row)
    return result


def status_counts(rows: list[ComplianceRow]) -> dict[str, int]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return {key: counts.get(key, 0) for key in (Status.MET, Status.BELOW, Status.FAIL)}
