"""Reads of the ledger, postings and compliance, already scoped to the user."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yanxiu.accounts import scopes
from yanxiu.org.models import Employment, Person
from yanxiu.policy.compliance import compliance_rows, school_year_for

from .models import CertificateClaim, CreditEntry, Objection, Posting


def current_school_year(county=None) -> int:
    today = timezone.localdate()
    if county is None:
        return today.year if today.month >= 9 else today.year - 1
    return school_year_for(county, today)


def can_view_school_credits(user, school) -> bool:
    """School admins of the school and region staff over it (bureau, centre)."""
    s = scopes.scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties


def can_view_county_credits(user, county) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or county.pk in s.region_counties


def can_view_person_credits(user, person) -> bool:
    s = scopes.scope_of(user)
    if s.superuser or person.pk == s.person_id:
        return True
    employment = Employment.objects.filter(person=person, end_date__isnull=True).select_related("school").first()
    return employment is not None and can_view_school_credits(user, employment.school)


def entries_for(person: Person, years: tuple[int, int]) -> QuerySet[CreditEntry]:
    return (
        CreditEntry.objects.filter(person=person, school_year__gte=years[0], school_year__lte=years[1])
        .select_related("school", "reverses")
        .annotate(is_reversed=Count("reversed_by"))
        .order_by("school_year", "seq")
    )


def person_compliance(person: Person, year: int, *, cycle: bool = False):
    rows = compliance_rows(Employment.objects.filter(person=person), year, cycle=cycle)
    return rows[0] if rows else None


def school_compliance(school, year: int):
    return compliance_rows(Employment.objects.filter(school=school), year)


def county_compliance(county, year: int):
    return compliance_rows(Employment.objects.filter(school__county=county), year)


def postings_visible_to(user) -> QuerySet[Posting]:
    s = scopes.scope_of(user)
    qs = Posting.objects.select_related("school").annotate(
        entry_count=Count("entries", distinct=True),
        open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN), distinct=True),
    )
    if s.superuser:
        return qs
    q = Q(school__county_id__in=s.region_counties) | Q(school_id__in=s.admin_schools)
    if s.person_id is not None:
        school_id = Employment.objects.filter(person_id=s.person_id, end_date__isnull=True).values_list("school_id", flat=True).first()
        if school_id:
            q |= Q(school_id=school_id)
    return qs.filter(q)


def claims_to_review(user) -> QuerySet[CertificateClaim]:
    s = scopes.scope_of(user)
    qs = CertificateClaim.objects.filter(status=CertificateClaim.Status.PENDING).select_related("person", "school")
    if s.superuser:
        return qs
    return qs.filter(Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.bureau_counties))


def sessions_to_credit(user):
    """Finished school sessions the user manages with participants not yet credited."""
    from yanxiu.training.models import Session

    s = scopes.scope_of(user)
    qs = Session.objects.filter(ends_at__lt=timezone.now(), status="published").select_related("project")
    if not s.superuser:
        qs = qs.filter(Q(project__owner_school_id__in=s.admin_schools) | Q(project__owner_school__county_id__in=s.bureau_counties))
    credited = CreditEntry.objects.filter(source_type="session").values("source_id")
    return qs.exclude(pk__in=[int(x) for x in credited.values_list("source_id", flat=True).distinct()]).order_by("-ends_at")[:50]


def credited_projects(school, year: int):
    """The school's projects with credited sessions in the year (for issuing certificates)."""
    from yanxiu.training.models import Project

    session_ids = CreditEntry.objects.filter(source_type="session", school_year=year, school=school).values_list("source_id", flat=True).distinct()
    return Project.objects.filter(owner_school=school, sessions__pk__in=[int(x) for x in session_ids]).distinct().order_by("title")
