"""Background tasks of the growth app (django-tasks, run by ``yanxiu db_worker``).

Daily: from the first day of a school year's term 1 (each school's own
calendar), tier every school's teachers for that year by its rule, once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks import task

from yanxiu.core import daily
from yanxiu.core.events import Event
from yanxiu.core.models import AuditEvent
from yanxiu.org.models import School

from . import calendar
from .models import SchoolTerm
from .services.tiers import tiers_recompute

log = logging.getLogger(__name__)


def started_school_year(first_days: dict[int, dt.date], today: dt.date) -> int:
    """The latest school year whose term 1 has begun by ``today``, given term 1's first day of this and last year."""
    this_year = today.year
    start = first_days.get(this_year) or calendar.default_term(this_year, 1).start
    return this_year if today >= start else this_year - 1


def schools_due(today: dt.date) -> list[tuple[School, int]]:
    """(school, school year) for every school whose latest started school year has not been tiered by this job yet."""
    years = (today.year - 1, today.year)
    starts: dict[int, dict[int, dt.date]] = {}
    for school_id, year, start in SchoolTerm.objects.filter(number=1, school_year__in=years).values_list(
            "school_id", "school_year", "start"):
        starts.setdefault(school_id, {})[year] = start
    done = set(
        AuditEvent.objects.filter(action=Event.GROWTH_TIERS_RECOMPUTE.value, actor__isnull=True, school_id__isnull=False)
        .filter(detail__year__in=years).values_list("school_id", "detail__year")
    )
    due = []
    for school in School.objects.order_by("pk"):
        year = started_school_year(starts.get(school.pk, {}), today)
        if (school.pk, year) not in done:
            due.append((school, year))
    return due


def recompute_started_years(*, today: dt.date | None = None) -> dict[int, int]:
    """Run :func:`tiers_recompute` once per school for its school year once term 1 has begun.

    The job's own audit row (actor empty) marks a school's year as done, so a
    second run writes nothing. One school's failure is logged and does not stop the others.
    Returns ``{school id: rows written}``."""
    today = today or timezone.localdate()
    written = {}
    for school, year in schools_due(today):
        try:
            written[school.pk] = tiers_recompute(actor=None, school=school, school_year=year)
        except (ValidationError, PermissionDenied, ValueError):
            log.exception("growth: tiering school %s for %s failed", school.pk, year)
    return written


@task()
def recompute_tiers() -> int:
    """Daily: tier the teachers of every school whose school year has just begun; queues the next run."""
    written = recompute_started_years()
    daily.queue_next(recompute_tiers)
    return sum(written.values())
