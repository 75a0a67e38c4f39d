"""Reads of mentor pairs, scoped to the reader: a pair is seen by its two sides,
its school's admin and the region staff over the school (read-only)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from yanxiu.credits.models import CreditEntry
from yanxiu.org import scopes

from .models import MentorActivity, MentorPair


def pairs_visible_to(user) -> QuerySet[MentorPair]:
    s = scopes.scope_of(user)
    qs = MentorPair.objects.select_related("school", "mentor", "apprentice")
    if s.superuser:
        return qs
    condition = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties)
    if s.person_id is not None:
        condition |= Q(mentor_id=s.person_id) | Q(apprentice_id=s.person_id)
    return qs.filter(condition)


def pair_list(user) -> QuerySet[MentorPair]:
    """The pairs ``user`` sees, each with its activity counts (all, confirmed)."""
    return pairs_visible_to(user).annotate(
        activity_count=Count("activities", distinct=True),
        confirmed_count=Count("activities", filter=Q(activities__confirmed_at__isnull=False), distinct=True),
    ).order_by("-school_year", "school_id", "mentor__name", "pk")


def activities_visible_to(user) -> QuerySet[MentorActivity]:
    return MentorActivity.objects.filter(pair__in=pairs_visible_to(user)).select_related("pair", "logged_by")


def credit_entries(pair: MentorPair) -> list[CreditEntry]:
    """The ledger entries the pair's assessment earned (one per credited side)."""
    return list(CreditEntry.objects.filter(evidence__mentor_pair_id=pair.pk).select_related("person").order_by("seq"))

