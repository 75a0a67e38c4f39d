"""Reads of development plans and term goals: the plan in force, what a viewer may see, what waits for review."""

from __future__ import annotations

from django.db.models import QuerySet

from yanxiu.org.models import Employment

from . import access
from .choices import ReviewStatus
from .models import DevelopmentPlan, TermGoal


def plan_in_force(person, year: int | None = None) -> DevelopmentPlan | None:
    """The accepted plan with the latest start covering school ``year`` (by default any: the newest accepted)."""
    plans = DevelopmentPlan.objects.filter(person=person, status=ReviewStatus.ACCEPTED)
    if year is not None:
        plans = plans.filter(start_year__lte=year, end_year__gte=year)
    return plans.order_by("-start_year", "-id").first()


def plans_visible_to(user, person) -> QuerySet:
    """``person``'s plans ``user`` may read (a school the teacher left: those made there)."""
    return access.limit_to_viewer(DevelopmentPlan.objects.filter(person=person), user, person)


def goals_visible_to(user, person) -> QuerySet:
    return access.limit_to_viewer(TermGoal.objects.filter(person=person), user, person)


def waiting_for_review(school) -> tuple[QuerySet, QuerySet]:
    """Plans and goals waiting for ``school``: those of the teachers whose current school it is."""
    people = Employment.objects.current().filter(school=school).values("person_id")
    plans = DevelopmentPlan.objects.filter(person_id__in=people, status=ReviewStatus.SUBMITTED)
    goals = TermGoal.objects.filter(person_id__in=people, status=ReviewStatus.SUBMITTED)
    return (plans.select_related("person").order_by("updated_at", "id"),
            goals.select_related("person").order_by("school_year", "term", "id"))
