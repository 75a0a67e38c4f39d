"""Writing audit rows. Called only from service functions.

Each row names one catalogue event (:mod:`yanxiu.core.events`) and the school
and county it concerns, so history can be scoped to the people who run them
(``org.audit_history``). Core names no app: a school is anything with a
``pk`` (and a ``county_id``), a county anything with a ``pk``, or their ids.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .events import Event, UnknownEvent, label_of, resolve
from .models import AuditEvent

__all__ = ["ACTION_LABELS", "Event", "UnknownEvent", "action_label", "record"]

#: The Chinese label of each stored action code (from the catalogue), for
#: code that looks labels up by string.
ACTION_LABELS: dict[str, Any] = {member.value: member.label for member in Event}


def action_label(code: str) -> str:
    """The label of an action code; an unknown code reads as "其他操作", never as the code."""
    return label_of(code)


def _id_of(value: Any, what: str) -> int | None:
    """The id of a school or county given as an object with ``pk``, an int, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, str):
        raise TypeError(f"audit.record: {what} must be a model or its id, not {value!r}")
    if isinstance(value, int):
        return value
    pk = getattr(value, "pk", None)
    if pk is None:
        raise TypeError(f"audit.record: {what} {value!r} has no id")
    return int(pk)


def _scope(school: Any, county: Any) -> tuple[int | None, int | None]:
    school_id = _id_of(school, "school")
    county_id = _id_of(county, "county")
    if county_id is None and school is not None and not isinstance(school, int):
        county_id = getattr(school, "county_id", None)
    return school_id, county_id


def record(
    *,
    actor,
    event: Event | str | None = None,
    target: models.Model,
    school: Any = None,
    county: Any = None,
    **detail: Any,
) -> AuditEvent:
    """Write one audit row for ``event`` on ``target`` in the caller's transaction.

    ``event`` is a catalogue member (a stored code string is accepted only if
    the catalogue has it; anything else raises :class:`UnknownEvent` before
    a row is written). ``school`` (a school or its id) and ``county`` (a
    region or its id) say whose history the row belongs to; with a school
    object and no county, the county is the school's. ``detail`` is stored as
    JSON and shown on history pages: never put ID numbers or phones in it.
    """
    if "action" in detail:
        raise TypeError("audit.record takes event=Event.X (yanxiu.core.events), not action=")
    if event is None:
        raise TypeError("audit.record needs event=Event.X")
    member = resolve(event)
    school_id, county_id = _scope(school, county)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=member.value,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        school_id=school_id,
        county_id=county_id,
        detail=detail,
    )
