"""Who may run which outgoing channels and read which delivery log.

A school's channels and deliveries belong to its admins; a county's to the
region staff over it (bureau and training centre). Built on ``org.scopes``.
"""

from __future__ import annotations

from yanxiu.org import scopes


def runs_channels(user) -> bool:
    """The user has some school or county whose channels and deliveries they manage."""
    s = scopes.scope_of(user)
    return bool(s.superuser or s.admin_schools or s.region_counties)


def can_manage_school(user, school_id: int | None) -> bool:
    s = scopes.scope_of(user)
    return school_id is not None and (s.superuser or school_id in s.admin_schools)


def can_manage_county(user, county_id: int | None) -> bool:
    s = scopes.scope_of(user)
    return county_id is not None and (s.superuser or county_id in s.region_counties)


def can_manage_channel(user, channel) -> bool:
    if channel.school_id:
        return can_manage_school(user, channel.school_id)
    return can_manage_county(user, channel.county_id)


def can_retry(user, delivery) -> bool:
    """The log's reader retries: the school's admins, and the region staff over its county."""
    return can_manage_school(user, delivery.school_id) or can_manage_county(user, delivery.county_id)
