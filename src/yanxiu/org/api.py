"""Organisation endpoints: schools and the staff list, scoped like the pages."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from yanxiu.core.pagination import Page

from . import selectors

router = Router(tags=["org"])


class SchoolOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    county: str = Field(alias="county.name")
    cluster_id: int | None
    staff_count: int


class StaffOut(Schema):
    """A staff-list row. ID numbers and phones are always masked in the API."""

    employment_id: int = Field(alias="pk")
    person_id: int
    name: str = Field(alias="person.name")
    gender: str = Field(alias="person.gender")
    id_number: str = Field(alias="person.masked_id_number")
    phone: str = Field(alias="person.masked_phone")
    school_id: int
    school: str = Field(alias="school.name")
    stage: str
    subject: str
    title: str
    tier: str


@router.get("/schools", response=list[SchoolOut])
@paginate(Page)
def list_schools(request, search: str = ""):
    return selectors.school_list(user=request.auth, search=search[:50])


@router.get("/staff", response=list[StaffOut])
@paginate(Page)
def list_staff(request, search: str = "", school_id: int | None = Query(None, ge=1, le=2**62)):
    filters = {"school_id": school_id} if school_id else {}
    return selectors.staff_list(user=request.auth, search=search[:50], filters=filters)
