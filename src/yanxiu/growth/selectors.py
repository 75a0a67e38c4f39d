"""Reads of growth records, already scoped to the acting user.

Who reads what follows :mod:`yanxiu.growth.access`: the teacher reads their own
records and the observations made of their lessons (评我的课); the admin of a
teacher's current school and the region staff over it read all of the
teacher's records; a group leader reads those of their group's current
members; the admin of a school the teacher left reads the records made there.
Pages fetch records through these functions, so an id outside them is a 404.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Count, Q, QuerySet

from yanxiu.core.events import Event
from yanxiu.core.models import AuditEvent
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, Person

from .choices import RecordKind, ReviewStatus
from .models import GrowthRecord, RecordAttachment


def _current_people(condition: Q) -> QuerySet:
    return Employment.objects.current().filter(condition).values("person_id")


def records_visible_to(user) -> QuerySet[GrowthRecord]:
    """Every record ``user`` may open."""
    s = scopes.scope_of(user)
    records = GrowthRecord.objects.select_related("person", "school", "observed")
    if s.superuser:
        return records
    conditions: list[Q] = []
    if s.person_id is not None:
        conditions += [Q(person_id=s.person_id), Q(kind=RecordKind.OBSERVATION, observed_id=s.person_id)]
    if s.admin_schools or s.region_counties:
        current = Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.region_counties)
        conditions.append(Q(person_id__in=_current_people(current)))
    if s.admin_schools:  # a school the teacher left keeps what was made there
        conditions.append(Q(school_id__in=s.admin_schools))
    if s.led_groups:
        conditions.append(Q(person_id__in=_current_people(Q(groups__pk__in=s.led_groups))))
    if not conditions:
        return records.none()
    return records.filter(reduce(operator.or_, conditions))


def reviewable_people(user) -> QuerySet[Person]:
    """People whose records ``user`` reviews (and may file for): the staff of the schools they manage."""
    return Person.objects.filter(pk__in=_current_people(Q(school__in=scopes.schools_managed_by(user))))


def records_to_review(user) -> QuerySet[GrowthRecord]:
    """Records waiting for the review of ``user``: submitted by the current staff of the schools they manage."""
    return (
        GrowthRecord.objects.filter(status=ReviewStatus.SUBMITTED, person__in=reviewable_people(user))
        .select_related("person", "school", "observed")
        .annotate(attachment_count=Count("attachments"))
        .order_by("date", "id")
    )


def observations_of(person) -> QuerySet[GrowthRecord]:
    """Observations of ``person``'s lessons (评我的课): for that person's own page only."""
    if person is None:
        return GrowthRecord.objects.none()
    return GrowthRecord.objects.filter(kind=RecordKind.OBSERVATION, observed=person).select_related("person", "school")


def own_records(person) -> QuerySet[GrowthRecord]:
    """A teacher's own records, for their growth home."""
    if person is None:
        return GrowthRecord.objects.none()
    return GrowthRecord.objects.filter(person=person).select_related("observed").annotate(attachment_count=Count("attachments")).order_by("-date", "-id")


def last_event_detail(target, event: Event) -> dict:
    """The detail of the latest audit row of ``event`` on ``target`` (why no credit, why cancelled)."""
    row = (AuditEvent.objects.filter(action=event.value, target_type=target._meta.label_lower, target_id=str(target.pk))
           .order_by("-created_at", "-id").values_list("detail", flat=True).first())
    return row or {}


def credit_refusal(record) -> str:
    """Why an accepted record earned no credit, as the review said it (the cap was full …), or ""."""
    return str(last_event_detail(record, Event.GROWTH_RECORD_ACCEPT).get("no_credit", ""))


def attachments_visible_to(user) -> QuerySet[RecordAttachment]:
    return RecordAttachment.objects.filter(record__in=records_visible_to(user)).select_related("record")


def of_group(records: QuerySet, group) -> QuerySet:
    """Records of ``group``'s current members."""
    return records.filter(person_id__in=_current_people(Q(groups=group)))


def review_groups(user) -> QuerySet[Group]:
    """Groups of the schools ``user`` manages, for filtering the review list."""
    return Group.objects.filter(school__in=scopes.schools_managed_by(user)).select_related("school").order_by("school_id", "name")
