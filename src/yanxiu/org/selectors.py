"""Reads of the organisation model, already scoped to the acting user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from yanxiu.org import scopes

from .models import Employment, Group, Person, School, current_employment_q


# --- A person's current employment ------------------------------------------
# "Current" means the one employment without an end date
# (``Employment.objects.current()``); these are the only readers of it.


def _person_id(person_or_id) -> int | None:
    if person_or_id is None:
        return None
    return getattr(person_or_id, "pk", person_or_id)


def current_employment(person_or_id, *, related: tuple[str, ...] = ("school",)) -> Employment | None:
    """The person's employment that has not ended, or None (between schools, retired)."""
    person_id = _person_id(person_or_id)
    if person_id is None:
        return None
    qs = Employment.objects.current().filter(person_id=person_id)
    if related:
        qs = qs.select_related(*related)
    return qs.first()


def current_school(person_or_id) -> School | None:
    """The school the person works at now (with its county loaded), or None."""
    employment = current_employment(person_or_id, related=("school__county",))
    return employment.school if employment else None


def current_school_id(person_or_id) -> int | None:
    person_id = _person_id(person_or_id)
    if person_id is None:
        return None
    return Employment.objects.current().filter(person_id=person_id).values_list("school_id", flat=True).first()


def current_school_ids(person_ids) -> dict[int, int]:
    """``{person_id: school_id}`` for the given people who work somewhere now, in one query."""
    ids = {pid for pid in person_ids if pid is not None}
    if not ids:
        return {}
    return dict(Employment.objects.current().filter(person_id__in=ids).values_list("person_id", "school_id"))


def current_staff(school) -> QuerySet[Person]:
    """People working at the school now (one row each: a person has one current employment)."""
    return Person.objects.filter(Q(employments__school=school) & current_employment_q("employments"))


def current_employments(person_ids, *, related: tuple[str, ...] = ("school",)) -> dict[int, Employment]:
    """``{person_id: employment}`` of the current employments of the given people, in one query."""
    ids = {pid for pid in person_ids if pid is not None}
    if not ids:
        return {}
    qs = Employment.objects.current().filter(person_id__in=ids)
    if related:
        qs = qs.select_related(*related)
    return {e.person_id: e for e in qs}


def staff_list(*, user, school: School | None = None, search: str = "", filters: dict | None = None, include_past: bool = False) -> QuerySet[Employment]:
    """Employments the user may see, filtered like the staff list page."""
    qs = scopes.employments_visible_to(user).select_related("person", "school")
    if not include_past:
        qs = qs.current()
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
                qs = qs.filter(groups__pk=value)  # one group: at most one row per employment
            else:
                qs = qs.filter(**{field: value})
    # No DISTINCT: the visible set is a pk__in subquery and the group filter names one
    # group, so no row repeats; a DISTINCT made the province's count and first page slow.
    return qs.order_by("school__code", "person__name", "pk")


def school_list(*, user, search: str = "") -> QuerySet[School]:
    qs = scopes.schools_visible_to(user).select_related("county", "cluster")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return qs.annotate(
        staff_count=Count("employments", filter=current_employment_q("employments"), distinct=True)
    ).order_by("code")


def group_list(*, user, school: School) -> QuerySet[Group]:
    return (
        scopes.groups_visible_to(user)
        .filter(school=school)
        .select_related("leader", "parent")
        .annotate(member_count=Count("members", filter=current_employment_q("members"), distinct=True))
        .order_by("kind", "name")
    )


def employment_history(*, person) -> QuerySet[Employment]:
    return Employment.objects.filter(person=person).select_related("school").order_by("-start_date", "-pk")


# --- What the organisation pages open and list, scoped to the acting user -----
# A page fetches its object from one of these, so an id the user may not see
# is a 404 for every role, and lists never filter the models themselves.


def visible_employments(*, user) -> QuerySet[Employment]:
    """Employments (current and past) the user may open."""
    return scopes.employments_visible_to(user).select_related("person", "school")


def visible_schools(*, user) -> QuerySet[School]:
    return scopes.schools_visible_to(user).select_related("county")


def visible_groups(*, user) -> QuerySet[Group]:
    return scopes.groups_visible_to(user).select_related("school")


def own_person(*, user) -> Person | None:
    """The teacher record of the user's own account, if any."""
    return Person.objects.filter(user=user).first() if user.is_authenticated else None


def region_counties(*, user):
    """The counties whose schools, clusters and needs the user's region covers (all of them for a superuser)."""
    from .models import Region

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county")
    return counties if s.superuser else counties.filter(pk__in=s.region_counties)


def bureau_counties(*, user):
    """The counties whose schools and clusters the user's bureau manages."""
    from .models import Region

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county")
    return counties if s.superuser else counties.filter(pk__in=s.bureau_counties)


def cluster_list(*, user):
    """Clusters of the counties the user's region covers, with their number of schools."""
    from .models import Cluster

    return (
        Cluster.objects.filter(county__in=region_counties(user=user))
        .select_related("county", "base_school")
        .annotate(school_count=Count("schools"))
        .order_by("county__code", "name")
    )


def visible_role_assignments(*, user):
    """Role assignments at the schools the user may see, or at their groups (shown on the school page)."""
    from yanxiu.accounts.models import RoleAssignment

    qs = RoleAssignment.objects.select_related("school", "user")
    if scopes.scope_of(user).superuser:
        return qs
    schools = scopes.schools_visible_to(user)
    return qs.filter(Q(school__in=schools) | Q(group__school__in=schools))


def personal_data_access_log(*, user):
    """Who saw or exported full personal data: region staff see their region, school admins their school, everyone their own."""
    from .models import PersonalDataAccess

    s = scopes.scope_of(user)
    qs = PersonalDataAccess.objects.select_related("actor", "person", "school").order_by("-created_at", "-pk")
    if s.superuser:
        return qs
    schools = School.objects.filter(Q(county_id__in=s.bureau_counties) | Q(pk__in=s.admin_schools))
    people = Employment.objects.filter(school__in=schools).values("person_id")
    return qs.filter(Q(school__in=schools) | Q(person_id__in=people) | Q(actor=user))


def school_form_counties(*, user, school: School | None = None):
    """Counties a school form offers: those the user's bureau manages, and the school's own county."""
    from .models import Region

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county")
    if s.superuser:
        return counties
    return counties.filter(pk__in=s.bureau_counties | ({school.county_id} if school else set()))


def login_slip_rows(*, school: School) -> QuerySet[Employment]:
    """The school's current staff with their accounts, in name order (the login-slip page, for the school's admin)."""
    return Employment.objects.current().filter(school=school).select_related("person", "person__user").order_by("person__name", "pk")
