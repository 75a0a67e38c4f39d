"""Notices (通知) sent to many, and their read receipts: who may send what to whom, who has read it.

A school's admins send to the school's current teachers, or to the members of
some of its groups; region staff send to the admins of their county's schools,
or to every current teacher of the county. Each recipient gets one
:class:`~yanxiu.notify.models.Message` (kind ``notice``, topic
``notify.broadcast:<id>``), written by ``services.notice_send``.

Read: a notice that requires a receipt counts as read once the recipient pressed
"已阅" (``Message.receipt_at``); any other once it was opened (``read_at``).
"Remind the rest" (``services.notice_remind``) reaches exactly those not read.

Who sees a notice's receipts: the managers of its owner (the school's admins, the
county's region staff, a superuser); anyone else asking for it gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from yanxiu.accounts.models import Role, RoleAssignment
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Group, Region, School

from . import access
from .models import Broadcast, Message, MessageKind

Audience = Broadcast.Audience
SCHOOL_AUDIENCES = (Audience.SCHOOL_TEACHERS, Audience.SCHOOL_GROUPS)
COUNTY_AUDIENCES = (Audience.COUNTY_ADMINS, Audience.COUNTY_TEACHERS)


def can_send(user) -> bool:
    """The user has some school or county they may send notices for."""
    return access.runs_channels(user)


def can_manage(user, broadcast: Broadcast) -> bool:
    if broadcast.school_id:
        return access.can_manage_school(user, broadcast.school_id)
    return access.can_manage_county(user, broadcast.county_id)


def broadcasts_visible_to(user) -> QuerySet[Broadcast]:
    s = scopes.scope_of(user)
    rows = Broadcast.objects.select_related("school", "county", "sender")
    if s.superuser:
        return rows
    if not (s.admin_schools or s.region_counties):
        return rows.none()
    return rows.filter(Q(school_id__in=s.admin_schools) | Q(county_id__in=s.region_counties))


def group_choices(user) -> list[tuple[int, str]]:
    """The groups of the schools the user administers (a school notice may go to some of them)."""
    s = scopes.scope_of(user)
    rows = Group.objects.select_related("school")
    if not s.superuser:
        rows = rows.filter(school_id__in=s.admin_schools)
    return [(g.pk, f"{g.school.name} {g.name}") for g in rows.order_by("school__code", "name", "pk")[:500]]


def audience_users(*, school: School | None, county: Region | None, audience: str, groups=()) -> list[int]:
    """The accounts a notice goes to, in a stable order."""
    from . import recipients

    current = Employment.objects.current()
    if school is not None and audience == Audience.SCHOOL_TEACHERS:
        people = current.filter(school=school)
    elif school is not None and audience == Audience.SCHOOL_GROUPS:
        people = current.filter(school=school, groups__in=list(groups))
    elif county is not None and audience == Audience.COUNTY_TEACHERS:
        people = current.filter(school__county=county)
    elif county is not None and audience == Audience.COUNTY_ADMINS:
        return list(RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, school__county=county)
                    .order_by("user_id").values_list("user_id", flat=True).distinct())
    else:
        return []
    return recipients.users_of_people(people.values_list("person_id", flat=True).distinct())


@dataclass
class Receipt:
    message: Message
    name: str
    school: str

    @property
    def read(self) -> bool:
        return is_read(self.message)


def is_read(message: Message) -> bool:
    return (message.receipt_at if message.requires_receipt else message.read_at) is not None


def notice_messages(broadcast: Broadcast) -> QuerySet[Message]:
    return Message.objects.filter(topic=broadcast.topic, kind=MessageKind.NOTICE)


def unread_messages(broadcast: Broadcast) -> QuerySet[Message]:
    rows = notice_messages(broadcast)
    return rows.filter(receipt_at__isnull=True) if broadcast.requires_receipt else rows.filter(read_at__isnull=True)


#: Unread, as :func:`unread_messages` counts it (a notice's messages carry its ``requires_receipt``).
_UNREAD = Q(requires_receipt=True, receipt_at__isnull=True) | Q(requires_receipt=False, read_at__isnull=True)


def with_unread_count(rows: QuerySet[Broadcast]) -> QuerySet[Broadcast]:
    """``unread_count`` on each notice, in the same query (one subquery, not one COUNT per row)."""
    topic = Concat(Value("notify.broadcast:"), Cast("pk", output_field=CharField()))
    unread = (Message.objects.filter(topic=OuterRef("notice_topic"), kind=MessageKind.NOTICE,
                                     requires_receipt=OuterRef("requires_receipt"))
              .filter(_UNREAD).order_by().values("topic").annotate(n=Count("pk")).values("n"))
    return rows.annotate(notice_topic=topic).annotate(unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0))


def receipts(broadcast: Broadcast) -> tuple[list[Receipt], list[Receipt]]:
    """(read, not read): each recipient's name, current school and message, in name order."""
    from yanxiu.org.models import Person

    from .services import _schools_of

    rows = list(notice_messages(broadcast).select_related("recipient"))
    schools = _schools_of([m.recipient_id for m in rows])
    names = dict(School.objects.filter(pk__in={s for s, _c in schools.values()}).values_list("pk", "name"))
    person_names = dict(Person.objects.filter(user_id__in=[m.recipient_id for m in rows]).values_list("user_id", "name"))
    out = [Receipt(m, person_names.get(m.recipient_id) or str(m.recipient), names.get(schools.get(m.recipient_id, (None,))[0], ""))
           for m in rows]
    out.sort(key=lambda r: (r.school, r.name, r.message.pk))
    return [r for r in out if r.read], [r for r in out if not r.read]
