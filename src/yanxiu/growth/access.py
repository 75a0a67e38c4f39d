"""Who may see and change what in a teacher's growth file.

The file follows the person: their current school (its admin, the bureau and
centre over it) sees all of it; a group leader sees the records and progress
of their group's current members, never another group's; a school the teacher
has left keeps a read-only view of what was made there; the teacher sees
their own. Reviews of the year-end assessment have their own rule
(:func:`visible_review_roles`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group
from yanxiu.org.selectors import current_employment

from .choices import ReviewerRole

SELF, CURRENT, GROUP, PAST = "self", "current", "group", "past"


def can_manage(user, school) -> bool:
    """The school's admin (or the bureau over it) runs its growth work."""
    return school is not None and scopes.can_manage_school(user, school)


_UNREAD = object()


def viewer_relation(user, person, *, employment=_UNREAD) -> str | None:
    """How ``user`` stands to ``person``'s growth file: ``self``, ``current``
    (their current school's admin or region staff over it), ``group``
    (leader of a group they are in), ``past`` (admin of a school they left), or ``None``.
    A caller that has read the person's current employment (with its school) passes it."""
    s = scopes.scope_of(user)
    if s.person_id is not None and s.person_id == person.pk:
        return SELF
    if employment is _UNREAD:
        employment = current_employment(person)
    if s.superuser:
        return CURRENT
    if employment is not None:
        if employment.school_id in s.admin_schools or employment.school.county_id in s.region_counties:
            return CURRENT
        if s.led_groups and employment.groups.filter(pk__in=s.led_groups).exists():
            return GROUP
    if s.admin_schools and Employment.objects.filter(person=person, school_id__in=s.admin_schools).exists():
        return PAST
    return None


def can_view(user, person) -> bool:
    return viewer_relation(user, person) is not None


def past_school_ids(user) -> frozenset[int]:
    return scopes.scope_of(user).admin_schools


def limit_to_viewer(qs: QuerySet, user, person, *, school_field: str = "school_id") -> QuerySet:
    """Rows of ``person``'s file ``user`` may read: all of them, or, for a
    school the person has left, those made at that school."""
    relation = viewer_relation(user, person)
    if relation is None:
        return qs.none()
    if relation == PAST:
        return qs.filter(**{f"{school_field}__in": past_school_ids(user)})
    return qs


def can_review(user, person) -> bool:
    """The person's current school reviews their records, plans and goals."""
    employment = current_employment(person)
    return employment is not None and can_manage(user, employment.school)


def groups_for_progress(user, school) -> QuerySet:
    """Groups of ``school`` whose progress ``user`` may read: all of them for the
    school's admin and region staff, their own for a group leader."""
    s = scopes.scope_of(user)
    groups = Group.objects.filter(school=school)
    if s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties:
        return groups
    return groups.filter(pk__in=s.led_groups)


def can_read_school_progress(user, school) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties


def visible_review_roles(relation: str | None) -> frozenset[str]:
    """Parts of the year-end assessment each viewer reads.

    The teacher reads their own file's reviews without the peer reviewers'
    names; the school and region staff read all; a group leader reads the
    group, self and peer parts; a past school reads what it signed."""
    everything = frozenset(ReviewerRole.values)
    if relation in (SELF, CURRENT, PAST):
        return everything
    if relation == GROUP:
        return frozenset({ReviewerRole.SELF, ReviewerRole.PEER, ReviewerRole.GROUP})
    return frozenset()
