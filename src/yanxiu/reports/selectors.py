"""Reads of the registers, scoped to the acting user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yanxiu.org import scopes
from yanxiu.org.models import School

from . import followup


def overseen_schools(user) -> QuerySet[School]:
    """Schools whose registers the user reads: region staff their region's, school admins their own."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    if not (s.region_counties or s.admin_schools):
        return School.objects.none()
    return School.objects.filter(Q(county_id__in=s.region_counties) | Q(pk__in=s.admin_schools))


def followups_for(user, year: int) -> list[followup.Followup]:
    """返校"三个一" rows of school year ``year`` at the schools the user oversees."""
    return followup.followups(overseen_schools(user), year)
