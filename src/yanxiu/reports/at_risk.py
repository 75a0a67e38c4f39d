"""Teachers at risk of missing the year's minimum, months before the year ends.

:func:`at_risk_teachers` is the one definition, asked by the bureau, school
and teacher dashboards and their exports. It reads the compliance rows the
dashboards already hold (``credits.compliance.compliance_rows``), so it costs
no query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from yanxiu.credits.compliance import ZERO, ComplianceRow, Status
from yanxiu.org.models import mask_id_number

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Projection:
    """Where a teacher will stand at the end of the school year if they go on as so far."""

    row: ComplianceRow
    start: dt.date
    end: dt.date
    elapsed_days: int
    remaining_days: int
    pace: Decimal  # hours (in the policy's unit) per day so far, to four places
    by_pace: Decimal  # what the present pace brings in the days left
    projected: Decimal
    at_risk: bool

    name = property(lambda self: self.row.name)
    person_id = property(lambda self: self.row.person_id)
    school_id = property(lambda self: self.row.school_id)
    school_name = property(lambda self: self.row.school_name)
    school_code = property(lambda self: self.row.school_code)
    total = property(lambda self: self.row.total)
    scheduled = property(lambda self: self.row.scheduled)
    minimum = property(lambda self: self.row.minimum)
    to_go = property(lambda self: self.row.to_go)
    unit = property(lambda self: self.row.unit)

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.row.id_number or "")

    @property
    def shortfall(self) -> Decimal:
        """How far the projection stays under the minimum."""
        return max(self.minimum - self.projected, ZERO)


def _span(row: ComplianceRow) -> tuple[dt.date, dt.date]:
    # The row's policy is its county's policy in force, so this is measures.year_span
    # for the row's county, read without a query.
    return row.spec.year_start(row.years[0]), row.spec.year_end(row.years[1])


def _days(span: tuple[dt.date, dt.date], today: dt.date) -> tuple[int, int]:
    """Days of the year elapsed (today included, at least 1) and left after today."""
    start, end = span
    length = (end - start).days + 1
    elapsed = min(max((today - start).days + 1, 1), length)
    remaining = max((end - today).days, 0) if today >= start else length
    return elapsed, remaining


def projection(row: ComplianceRow, *, today: dt.date, span: tuple[dt.date, dt.date] | None = None) -> Projection:
    """The projection of one compliance row on ``today`` (see :func:`at_risk_teachers`)."""
    start, end = span or _span(row)
    elapsed, remaining = _days((start, end), today)
    total = row.total
    pace = (total / Decimal(elapsed)) if today >= start else ZERO
    by_pace = (pace * remaining).quantize(CENT, rounding=ROUND_HALF_UP)
    projected = total + max(row.scheduled, by_pace)
    at_risk = row.in_progress and row.status != Status.MET and projected < row.minimum
    return Projection(row=row, start=start, end=end, elapsed_days=elapsed, remaining_days=remaining,
                      pace=pace.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), by_pace=by_pace, projected=projected, at_risk=at_risk)


def at_risk_teachers(rows: list[ComplianceRow], *, now: dt.datetime | None = None) -> list[Projection]:
    """The teachers of ``rows`` who will miss the year's minimum if they go on at their present pace.

    For each teacher whose year is still running (``row.in_progress``) and who has
    not met the policy yet:

    - ``elapsed`` = days of the school year so far, today included
      (the year of ``reports.measures.year_span``: the county's policy, else
      1 September–31 August), ``remaining`` = days left after today;
    - ``pace`` = hours so far (``row.total``, net ledger, in the policy's unit)
      ÷ ``elapsed``;
    - ``scheduled`` = the published sessions they are enrolled in that are still to
      come this year (``row.scheduled``, from compliance);
    - ``projected`` = hours so far + max(scheduled, pace × remaining): the sessions
      already booked, or the pace kept up, whichever brings more;
    - at risk when ``projected`` < the year's minimum (``row.minimum``).

    Once the year is over the compliance verdict applies and nobody is listed.
    Returned in the order of ``rows`` (school code, name); no query.
    """
    today = timezone.localdate(now or timezone.now())
    days: dict[int, tuple] = {}
    result = []
    for row in rows:
        # The hot loop of a province: the cheap tests first, a Projection only for those at risk.
        if row.status == Status.MET or not row.in_progress:
            continue
        key = id(row.spec)
        known = days.get(key)
        if known is None:
            span = _span(row)
            known = days[key] = (span, *_days(span, today))
        span, elapsed, remaining = known
        total, minimum = row.total, row.minimum
        # Far enough above the minimum in floating point: not at risk, whatever the rounding.
        factor = remaining / elapsed if today >= span[0] else 0.0
        t = float(total)
        if t + max(float(row.scheduled), t * factor) >= float(minimum) + 0.05:
            continue
        if today >= span[0]:
            by_pace = (total / Decimal(elapsed) * remaining).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            by_pace = ZERO
        if total + max(row.scheduled, by_pace) < minimum:
            result.append(projection(row, today=today, span=span))
    return result
