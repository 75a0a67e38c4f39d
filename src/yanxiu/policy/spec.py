"""A policy as plain data, so that compliance can be evaluated for a saved
version and for an edited, not yet saved one (the preview) alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal

from .models import CreditKind, Policy, Unit


@dataclass(frozen=True)
class PolicySpec:
    name: str
    unit: str = Unit.HOUR
    year_start_month: int = 9
    year_start_day: int = 1
    valid_from_year: int = 2000
    total_min: Decimal = Decimal("0")
    kind_min: dict[str, Decimal] = field(default_factory=dict)
    credits_per_hour: dict[str, Decimal] = field(default_factory=dict)
    category_min: dict[str, Decimal] = field(default_factory=dict)
    compulsory: frozenset[str] = frozenset()
    caps: dict[str, tuple[Decimal, Decimal, str]] = field(default_factory=dict)  # type -> (per item, per year, kind)
    cycle_years: int | None = None
    cycle_min: Decimal | None = None
    cycle_start_year: int | None = None
    minutes_per_hour: int = 45
    max_hours_per_day: Decimal = Decimal("8")
    min_reflection_chars: int = 0
    excluded_activities: tuple[str, ...] = ()
    long_cycle_exempts_school_based: bool = False
    age_opt_out_age: int | None = None
    below_min_blocks_excellent: bool = True
    unexcused_absence_fails: bool = False
    policy_id: int | None = None

    @classmethod
    def from_policy(cls, policy: Policy) -> PolicySpec:
        kinds = list(policy.kind_rules.all())
        categories = list(policy.category_rules.all())
        return cls(
            name=str(policy),
            unit=policy.unit,
            year_start_month=policy.year_start_month,
            year_start_day=policy.year_start_day,
            valid_from_year=policy.valid_from_year,
            total_min=policy.total_min,
            kind_min={k.kind: k.min_amount for k in kinds if k.min_amount},
            credits_per_hour={k.kind: k.credits_per_hour for k in kinds},
            category_min={c.category: c.min_amount for c in categories},
            compulsory=frozenset(c.category for c in categories if c.compulsory),
            caps={a.activity_type: (a.amount_per_item, a.max_per_year, a.kind) for a in policy.activity_caps.all()},
            cycle_years=policy.cycle_years,
            cycle_min=policy.cycle_min,
            cycle_start_year=policy.cycle_start_year,
            minutes_per_hour=policy.minutes_per_hour,
            max_hours_per_day=policy.max_hours_per_day,
            min_reflection_chars=policy.min_reflection_chars,
            excluded_activities=tuple(policy.excluded_activities or ()),
            long_cycle_exempts_school_based=policy.long_cycle_exempts_school_based,
            age_opt_out_age=policy.age_opt_out_age,
            below_min_blocks_excellent=policy.below_min_blocks_excellent,
            unexcused_absence_fails=policy.unexcused_absence_fails,
            policy_id=policy.pk,
        )

    @cached_property
    def kind_min_by_index(self) -> list[tuple[int, Decimal]]:
        """(position in CreditKind order, minimum) of each kind with a minimum."""
        kinds = list(CreditKind.values)
        return [(kinds.index(kind), need) for kind, need in self.kind_min.items() if kind in kinds]

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label)

    @property
    def amount_field(self) -> str:
        """The ledger column requirements are measured in."""
        return "credits" if self.unit == Unit.CREDIT else "hours"

    def year_start(self, year: int) -> dt.date:
        return dt.date(year, self.year_start_month, self.year_start_day)

    def year_end(self, year: int) -> dt.date:
        return self.year_start(year + 1) - dt.timedelta(days=1)

    def school_year_of(self, day: dt.date) -> int:
        return day.year if (day.month, day.day) >= (self.year_start_month, self.year_start_day) else day.year - 1

    def cycle_of(self, year: int) -> tuple[int, int] | None:
        if not self.cycle_years:
            return None
        anchor = self.cycle_start_year or self.valid_from_year
        first = anchor + ((year - anchor) // self.cycle_years) * self.cycle_years
        return first, first + self.cycle_years - 1

    def credits_for(self, kind: str, hours: Decimal) -> Decimal:
        rate = self.credits_per_hour.get(kind, Decimal("1"))
        return (Decimal(hours) * rate).quantize(Decimal("0.01"))

    def is_excluded(self, text: str) -> str | None:
        """The excluded activity named in ``text`` (e.g. a title), if any."""
        for item in self.excluded_activities:
            if item and item in (text or ""):
                return item
        return None

    def kind_label(self, kind: str) -> str:
        return str(CreditKind(kind).label) if kind in CreditKind.values else kind


def spec_from_data(data: dict, *, name: str = "") -> PolicySpec:
    """The spec of an edited policy (the data ``policy_save`` would write)."""
    return PolicySpec(
        name=name or data.get("name", ""),
        unit=data["unit"],
        year_start_month=data["year_start_month"],
        year_start_day=data["year_start_day"],
        valid_from_year=data.get("valid_from_year", 2000),
        total_min=Decimal(data["total_min"]),
        kind_min={k: Decimal(m) for k, m, _r in data["kind_rules"] if Decimal(m)},
        credits_per_hour={k: Decimal(r) for k, _m, r in data["kind_rules"]},
        category_min={c: Decimal(m) for c, m, _s in data["category_rules"]},
        compulsory=frozenset(c for c, _m, s in data["category_rules"] if s),
        caps={t: (Decimal(i), Decimal(y), k) for t, i, y, k in data["activity_caps"]},
        cycle_years=data.get("cycle_years"),
        cycle_min=data.get("cycle_min"),
        cycle_start_year=data.get("cycle_start_year"),
        minutes_per_hour=data["minutes_per_hour"],
        max_hours_per_day=Decimal(data["max_hours_per_day"]),
        min_reflection_chars=data.get("min_reflection_chars") or 0,
        excluded_activities=tuple(data.get("excluded_activities") or ()),
        long_cycle_exempts_school_based=data.get("long_cycle_exempts_school_based", False),
        age_opt_out_age=data.get("age_opt_out_age"),
        below_min_blocks_excellent=data.get("below_min_blocks_excellent", True),
        unexcused_absence_fails=data.get("unexcused_absence_fails", False),
    )
