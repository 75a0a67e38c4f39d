"""Credit endpoints: a teacher's standing and a school's compliance list, scoped like the pages.
ID numbers are always masked in the API."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from yanxiu.org import scopes
from yanxiu.core.params import Id, Year
from yanxiu.org.models import Person, School

from . import selectors

router = Router(tags=["credits"])


class ComplianceOut(Schema):
    person_id: int
    id_number: str
    name: str
    school: str
    school_year: int | list[int]
    unit: str
    total: float
    by_kind: dict[str, float]
    by_category: dict[str, float]
    shortfall: dict[str, float]
    status: str
    status_code: str
    reason: str
    in_progress: bool = False  # the school year (or cycle) is still running: a standing, not a verdict
    projected: float = 0  # total plus the scheduled sessions the teacher is enrolled in
    pending: int = 0  # ended sessions whose credit is not registered yet


def _out(row) -> dict:
    return {"person_id": row.person_id, **row.as_json(full_id=False)}


@router.get("/me", response=ComplianceOut)
def my_compliance(request, year: Year | None = None, cycle: bool = False):
    s = scopes.scope_of(request.user)
    if s.person_id is None:
        raise Http404("no teacher record")
    person = Person.objects.get(pk=s.person_id)
    row = selectors.person_compliance(person, year or selectors.current_school_year(), cycle=cycle)
    if row is None:
        raise Http404("no policy in force or not employed")
    return _out(row)


@router.get("/schools/{school_id}/compliance", response=list[ComplianceOut])
def school_compliance(request, school_id: Id, year: Year | None = None):
    school = get_object_or_404(School, pk=school_id)
    if not selectors.can_view_school_credits(request.user, school):
        raise Http404("not found")
    return [_out(r) for r in selectors.school_compliance(school, year or selectors.current_school_year(school.county))]
