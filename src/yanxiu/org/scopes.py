"""The one place that decides what each role may see and do.

Selectors call the ``*_visible_to`` functions to scope their querysets, and
the ``rules`` predicates in :mod:`yanxiu.org.rules` are built from the
``can_*`` functions here. Views never filter by role themselves.

Roles and scope:

- bureau admin (教育局): a region and everything under it; sees and manages
  schools and staff, may see full personal data.
- training-centre staff (研训员): a region; sees schools and staff, full
  personal data (credits are managed centrally), manages no staff.
- school admin (学校师训管理员): one school; manages its staff and groups,
  may see their full personal data.
- group leader (教研组长): one group; sees its members, masked data only.
- teacher: themself.
- presenter (主讲人): no access to people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yanxiu.accounts.models import Role, RoleAssignment


def require(allowed: bool, message: str | None = None) -> None:
    """Refuse with :class:`PermissionDenied` unless ``allowed``.

    The one permission check services and views use after asking a ``can_*``
    function (here or in an app's ``access`` module); the message, in Chinese,
    is what the 403 page and the API show.
    """
    if not allowed:
        raise PermissionDenied(message or _("您没有权限执行此操作。"))


@dataclass(frozen=True)
class Scope:
    superuser: bool = False
    person_id: int | None = None
    bureau_counties: frozenset[int] = field(default_factory=frozenset)
    centre_counties: frozenset[int] = field(default_factory=frozenset)
    admin_schools: frozenset[int] = field(default_factory=frozenset)
    led_groups: frozenset[int] = field(default_factory=frozenset)
    presenter: bool = False

    @property
    def region_counties(self) -> frozenset[int]:
        return self.bureau_counties | self.centre_counties

    @property
    def is_bureau(self) -> bool:
        return self.superuser or bool(self.bureau_counties)

    @property
    def is_region_staff(self) -> bool:
        return self.superuser or bool(self.region_counties)

    @property
    def is_school_admin(self) -> bool:
        return bool(self.admin_schools)

    @property
    def is_teacher(self) -> bool:
        return self.person_id is not None


def _counties_under(region_ids: set[int]) -> frozenset[int]:
    from yanxiu.org.models import Region

    if not region_ids:
        return frozenset()
    rows = Region.objects.filter(
        Q(pk__in=region_ids) | Q(parent_id__in=region_ids) | Q(parent__parent_id__in=region_ids)
    ).values_list("pk", flat=True)
    return frozenset(rows)


def _person_id(user) -> int | None:
    """The user's person, from the user row when the session loaded it with them
    (``accounts.backends``), else in one query."""
    from yanxiu.org.models import Person

    related = Person._meta.get_field("user").remote_field  # the reverse side: user.person
    if related.is_cached(user):
        person = related.get_cached_value(user)
        return person.pk if person is not None else None
    return Person.objects.filter(user=user).values_list("pk", flat=True).first()


def scope_of(user) -> Scope:
    """Return (and cache on the user object) the user's roles and their scope."""
    if user is None or not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_yanxiu_scope", None)
    if cached is not None:
        return cached
    bureau, centre, schools, groups, presenter = set(), set(), set(), set(), False
    for role, region_id, school_id, group_id in RoleAssignment.objects.filter(user=user).values_list(
        "role", "region_id", "school_id", "group_id"
    ):
        if role == Role.BUREAU_ADMIN:
            bureau.add(region_id)
        elif role == Role.CENTRE_STAFF:
            centre.add(region_id)
        elif role == Role.SCHOOL_ADMIN:
            schools.add(school_id)
        elif role == Role.GROUP_LEADER:
            groups.add(group_id)
        elif role == Role.PRESENTER:
            presenter = True
    person_id = _person_id(user)
    scope = Scope(
        superuser=user.is_superuser,
        person_id=person_id,
        bureau_counties=_counties_under(bureau),
        centre_counties=_counties_under(centre),
        admin_schools=frozenset(schools),
        led_groups=frozenset(groups),
        presenter=presenter,
    )
    user._yanxiu_scope = scope
    return scope


def forget_scope(user) -> None:
    if hasattr(user, "_yanxiu_scope"):
        del user._yanxiu_scope


# --- Querysets --------------------------------------------------------------


def schools_visible_to(user) -> QuerySet:
    from yanxiu.org.models import School, current_employment_q

    s = scope_of(user)
    if s.superuser:
        return School.objects.all()
    q = Q(county_id__in=s.region_counties) | Q(pk__in=s.admin_schools)
    if s.led_groups:
        q |= Q(groups__pk__in=s.led_groups)
    if s.person_id:
        q |= Q(employments__person_id=s.person_id) & current_employment_q("employments")
    if not (s.region_counties or s.admin_schools or s.led_groups or s.person_id):
        return School.objects.none()
    return School.objects.filter(pk__in=School.objects.filter(q).values("pk"))


def schools_managed_by(user) -> QuerySet:
    """Schools whose staff and groups the user may change."""
    from yanxiu.org.models import School

    s = scope_of(user)
    if s.superuser:
        return School.objects.all()
    return School.objects.filter(Q(county_id__in=s.bureau_counties) | Q(pk__in=s.admin_schools))


def employments_visible_to(user) -> QuerySet:
    """Current and past employments the user may see in staff lists."""
    from yanxiu.org.models import Employment, current_employment_q

    s = scope_of(user)
    if s.superuser:
        return Employment.objects.all()
    q = Q(school__county_id__in=s.region_counties) | Q(school_id__in=s.admin_schools)
    if s.led_groups:
        q |= Q(groups__pk__in=s.led_groups) & current_employment_q()
    if s.person_id:
        q |= Q(person_id=s.person_id)
    if not (s.region_counties or s.admin_schools or s.led_groups or s.person_id):
        return Employment.objects.none()
    return Employment.objects.filter(pk__in=Employment.objects.filter(q).values("pk"))


def people_visible_to(user) -> QuerySet:
    from yanxiu.org.models import Person

    s = scope_of(user)
    if s.superuser:
        return Person.objects.all()
    return Person.objects.filter(pk__in=employments_visible_to(user).values("person_id"))


def groups_visible_to(user) -> QuerySet:
    from yanxiu.org.models import Group

    return Group.objects.filter(school__in=schools_visible_to(user))


# --- Decisions --------------------------------------------------------------


def _current_school_id(person) -> int | None:
    # org.selectors.current_school_id, read here through the manager (org.selectors imports this module).
    from yanxiu.org.models import Employment

    return Employment.objects.current().filter(person=person).values_list("school_id", flat=True).first()


def admin_school(user, wanted: str | None = None):
    """The school a school admin works on: ``wanted`` (a ?school= value) when they administer it, else their first."""
    from yanxiu.org.models import School

    from yanxiu.core.params import parse_id

    s = scope_of(user)
    wanted = parse_id(wanted)
    if wanted and (wanted in s.admin_schools or s.superuser):
        return School.objects.filter(pk=wanted).first()
    return School.objects.filter(pk=min(s.admin_schools)).first() if s.admin_schools else None


def can_manage_school(user, school) -> bool:
    s = scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.bureau_counties


def can_issue_login_slips(user, school) -> bool:
    """One-time passwords are seen by the school's own admin only (not the bureau)."""
    s = scope_of(user)
    return s.superuser or school.pk in s.admin_schools


def can_create_school(user) -> bool:
    return scope_of(user).is_bureau


def can_view_school(user, school) -> bool:
    return schools_visible_to(user).filter(pk=school.pk).exists()


def can_view_person(user, person) -> bool:
    s = scope_of(user)
    return s.superuser or person.pk == s.person_id or people_visible_to(user).filter(pk=person.pk).exists()


def can_see_full_personal_data(user, person) -> bool:
    """Full ID number and phone: the person themself, their school's admin, and region staff."""
    s = scope_of(user)
    if s.superuser or (s.person_id is not None and person.pk == s.person_id):
        return True
    if not (s.admin_schools or s.region_counties):
        return False
    from yanxiu.org.models import School

    school_id = _current_school_id(person)
    if school_id is None:
        return False
    if school_id in s.admin_schools:
        return True
    county_id = School.objects.filter(pk=school_id).values_list("county_id", flat=True).first()
    return county_id in s.region_counties


def can_export_full_personal_data(user, school) -> bool:
    s = scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties


def can_transfer(user, employment) -> bool:
    """The source school's admin or the bureau over it may transfer a current employment."""
    return employment.is_current and can_manage_school(user, employment.school)


def transfer_targets_for(user, employment) -> QuerySet:
    """Schools a transfer may go to: any school of the same county, or any in the bureau's region."""
    from yanxiu.org.models import School

    s = scope_of(user)
    if s.superuser:
        return School.objects.exclude(pk=employment.school_id)
    counties = set(s.bureau_counties) | {employment.school.county_id}
    return School.objects.filter(county_id__in=counties, is_active=True).exclude(pk=employment.school_id)
