"""Reads of the notify app, scoped to the reader.

A message is read by its recipient only (anyone else asking for its id gets a
404); channels and deliveries by the admins of their school and the region
staff of their county (``access.py``).
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from yanxiu.org import scopes

from .models import Channel, Delivery, DeliveryPreference, Message


def inbox_of(user) -> QuerySet[Message]:
    """The user's messages, unread first, newest first."""
    if getattr(user, "pk", None) is None:
        return Message.objects.none()
    return Message.objects.filter(recipient_id=user.pk).order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def unread_count(user) -> int:
    if getattr(user, "pk", None) is None:
        return 0
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def preferences_of(user) -> dict[str, tuple[bool, bool]]:
    """kind -> (e-mail, webhook) for the kinds the user chose; any other kind is inbox only."""
    return {kind: (email, webhook) for kind, email, webhook in
            DeliveryPreference.objects.filter(user_id=user.pk).values_list("kind", "email", "webhook")}


def channels_visible_to(user) -> QuerySet[Channel]:
    s = scopes.scope_of(user)
    rows = Channel.objects.select_related("school", "county")
    if s.superuser:
        return rows
    if not (s.admin_schools or s.region_counties):
        return rows.none()
    return rows.filter(Q(school_id__in=s.admin_schools) | Q(county_id__in=s.region_counties))


def deliveries_visible_to(user) -> QuerySet[Delivery]:
    s = scopes.scope_of(user)
    rows = Delivery.objects.select_related("message__recipient", "channel")
    if s.superuser:
        return rows
    if not (s.admin_schools or s.region_counties):
        return rows.none()
    return rows.filter(Q(school_id__in=s.admin_schools) | Q(county_id__in=s.region_counties))


def owner_choices(user) -> list[tuple[str, str]]:
    """For whom the user may add a channel or send a notice: ("school:<id>", name) for the schools they administer,
    ("county:<id>", name) for their counties (every one for a superuser)."""
    from yanxiu.org.models import Region, School

    s = scopes.scope_of(user)
    schools = School.objects.all() if s.superuser else School.objects.filter(pk__in=s.admin_schools)
    counties = Region.objects.filter(level="county") if s.superuser else Region.objects.filter(pk__in=s.region_counties, level="county")
    return ([(f"school:{pk}", name) for pk, name in schools.order_by("code").values_list("pk", "name")[:500]]
            + [(f"county:{pk}", name) for pk, name in counties.order_by("code").values_list("pk", "name")[:500]])


def reminder_rules_editable_by(user) -> QuerySet:
    """The installation's reminder rules, for a user who sets reminder rules (superusers, region staff:
    the latter through their county's overrides); nothing for anyone else."""
    from .models import ReminderRule

    s = scopes.scope_of(user)
    if not (s.superuser or s.region_counties):
        return ReminderRule.objects.none()
    return ReminderRule.objects.filter(county__isnull=True)


def override_of(rule, county):
    """A county's override of an installation rule, or None."""
    from .models import ReminderRule

    return ReminderRule.objects.filter(base=rule, county=county).first() if county is not None else None
