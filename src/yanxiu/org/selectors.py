"""Reads of the organisation model, already scoped to the acting user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from yanxiu.org import scopes

from .models import Employment, Group, School


def staff_list(*, user, school: School | None = None, search: str = "", filters: dict | None = None, include_past: bool = False) -> QuerySet[Employment]:
    """Employments the user may see, filtered like the staff list page."""
    qs = scopes.employments_visible_to(user).select_related("person", "school")
    if not include_past:
        qs = qs.filter(end_date__isnull=True)
    if school is not None:
        qs = qs.filter(school=school)
    search = (search or "").strip()
    if search:
        q = Q(person__name__icontains=search)
        if search.upper().rstrip("X").isdigit() and 4 <= len(search) <= 6:
            # Last digits of a phone or an ID number, as people read them aloud.
            q |= Q(person__phone__endswith=search) | Q(person__id_number__endswith=search.upper())
        qs = qs.filter(q)
    for field, value in (filters or {}).items():
        if value:
            if field == "group":
                qs = qs.filter(groups__pk=value)
            else:
                qs = qs.filter(**{field: value})
    return qs.order_by("school__code", "person__name", "pk").distinct()


def school_list(*, user, search: str = "") -> QuerySet[School]:
    qs = scopes.schools_visible_to(user).select_related("county", "cluster")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return qs.annotate(
        staff_count=Count("employments", filter=Q(employments__end_date__isnull=True), distinct=True)
    ).order_by("code")


def group_list(*, user, school: School) -> QuerySet[Group]:
    return (
        scopes.groups_visible_to(user)
        .filter(school=school)
        .select_related("leader", "parent")
        .annotate(member_count=Count("members", filter=Q(members__end_date__isnull=True), distinct=True))
        .order_by("kind", "name")
    )


def employment_history(*, person) -> QuerySet[Employment]:
    return Employment.objects.filter(person=person).select_related("school").order_by("-start_date", "-pk")
