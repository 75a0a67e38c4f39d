"""The measures every report quotes, defined once.

The summary's figures, the dashboards, the evaluation sheet and the
inspection pack all count "sessions held", "person-times" and "compliance
rate"; each is defined here and nowhere else, over the apps' own selectors:

- a school year runs from the policy's year start (1 September by default) to
  the day before the next one (:func:`year_span`);
- a session was **held** when it was published, belongs to a project the
  school runs (``owner_school``), started inside the year and has ended;
- **person-times** are attendances marked 出席 at held sessions;
- **absences** are unexcused absences (``attendance.selectors.absences_for``)
  at those sessions, **leave** the approved leave requests for them;
- the **compliance rate** is the share of the teachers with a compliance line
  (``credits.compliance.compliance_rows``, the same rows ``yanxiu compliance``
  prints) whose status is 达标, as a fraction; ``None`` without teachers.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from yanxiu.attendance.models import Attendance
from yanxiu.attendance.selectors import absences_for
from yanxiu.credits.compliance import ComplianceRow, Status
from yanxiu.policy.selectors import spec_in_force
from yanxiu.training.models import Decision, LeaveRequest, Session


def year_span(county, year: int) -> tuple[dt.date, dt.date]:
    """First and last day of school year ``year`` under the county's policy (1 September–31 August without one)."""
    spec = spec_in_force(county, year) if county is not None else None
    if spec is None:
        return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    return spec.year_start(year), spec.year_end(year)


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def sessions_in(start: dt.date, end: dt.date) -> QuerySet[Session]:
    """Published sessions that start between ``start`` and ``end`` (local days, both included)."""
    lo, hi = _day_bounds(start, end)
    return Session.objects.filter(status=Session.Status.PUBLISHED, starts_at__gte=lo, starts_at__lt=hi)


def held_sessions(schools, start: dt.date, end: dt.date, *, now: dt.datetime | None = None) -> QuerySet[Session]:
    """School sessions that took place: published, run by one of ``schools``, started in the span, ended by ``now``."""
    now = now or timezone.now()
    return sessions_in(start, end).filter(project__owner_school__in=schools, ends_at__lte=now)


def person_times(sessions: QuerySet[Session]) -> QuerySet[Attendance]:
    """Attendances marked present at ``sessions``: one row per person-time."""
    return Attendance.objects.filter(session__in=sessions, status=Attendance.Status.PRESENT)


def absences(sessions: QuerySet[Session], *, now: dt.datetime | None = None):
    """Unexcused absences at ``sessions`` (enrolments without attendance or approved leave)."""
    return absences_for(sessions=sessions, now=now)


def approved_leave(sessions: QuerySet[Session]) -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.filter(session__in=sessions, status=Decision.APPROVED)


def compliance_rate(rows: list[ComplianceRow]) -> Decimal | None:
    """Share of ``rows`` whose status is 达标, as a fraction with four places; None for no rows."""
    if not rows:
        return None
    met = sum(1 for row in rows if row.status == Status.MET)
    return (Decimal(met) / Decimal(len(rows))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def percent(rate: Decimal | None) -> str:
    """A rate as the pages show it: ``0.8125`` → ``81.3%``; ``—`` for none."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
