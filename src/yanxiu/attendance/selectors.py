"""Reads of attendance, already scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.org.models import Employment, current_employment_q
from yanxiu.training.models import Decision, Enrollment, LeaveRequest, Session

from . import access
from .models import Attendance, Reflection


def absences_for(
    *, session: Session | None = None, sessions: QuerySet | None = None, school=None, user=None, now: dt.datetime | None = None
) -> QuerySet[Enrollment]:
    """Unexcused absences (缺训): enrolled, session over, no attendance, no approved leave.

    A row an admin marked 缺训 by hand counts too; a row marked 请假 does not.
    With ``user`` the result is limited to sessions whose sheet the user manages.
    """
    now = now or timezone.now()
    qs = Enrollment.objects.filter(status=Enrollment.Status.ENROLLED, session__ends_at__lt=now).exclude(
        session__status=Session.Status.CANCELLED
    )
    if session is not None:
        qs = qs.filter(session=session)
    if sessions is not None:
        qs = qs.filter(session__in=sessions)
    if school is not None:
        qs = qs.filter(Q(school=school) | (Q(school__isnull=True, person__employments__school=school) & current_employment_q("person__employments")))
    if user is not None:
        qs = qs.filter(session__in=sessions_managed_by(user))
    attended = Attendance.objects.filter(
        session_id=OuterRef("session_id"), person_id=OuterRef("person_id"),
        status__in=[Attendance.Status.PRESENT, Attendance.Status.LEAVE],
    )
    on_leave = LeaveRequest.objects.filter(
        session_id=OuterRef("session_id"), person_id=OuterRef("person_id"), status=Decision.APPROVED
    )
    return (
        qs.annotate(_attended=Exists(attended), _on_leave=Exists(on_leave))
        .filter(_attended=False, _on_leave=False)
        .select_related("person", "session", "school")
        .order_by("session__starts_at", "session_id", "person__name")
    )


def absences_visible_to(user, *, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> QuerySet[Enrollment]:
    """Unexcused absences in a date range that the user may list for a notice (通报).

    Region staff and admins see the sessions they manage; a school admin also
    sees their own teachers' absences from bureau-level training.
    """
    s = scopes.scope_of(user)
    qs = absences_for(now=now).filter(session__starts_at__date__gte=start, session__starts_at__date__lte=end)
    if s.superuser:
        return qs
    return qs.filter(Q(session__in=sessions_managed_by(user)) | Q(school_id__in=s.admin_schools))


def sessions_managed_by(user) -> QuerySet[Session]:
    s = scopes.scope_of(user)
    qs = Session.objects.all()
    if s.superuser:
        return qs
    q = Q(project__owner_school_id__in=s.admin_schools) | Q(project__owner_school__county_id__in=s.bureau_counties)
    q |= Q(project__owner_school__isnull=True, project__region_id__in=s.region_counties)
    return qs.filter(q)


def sessions_run_by(user) -> QuerySet[Session]:
    """Sessions whose sign-in screen the user may open (managed, presented or of a led group)."""
    s = scopes.scope_of(user)
    q = Q(pk__in=sessions_managed_by(user).values("pk"))
    if s.person_id:
        q |= Q(presenter_id=s.person_id)
    if s.presenter:
        q |= Q(presenter_account_id=user.pk)
    if s.led_groups:
        q |= Q(group_id__in=s.led_groups)
    return Session.objects.filter(q).exclude(status=Session.Status.DRAFT).select_related("project")


def run_session_list(user) -> QuerySet[Session]:
    """The sessions the user runs, latest first (the attendance page of their menu)."""
    return sessions_run_by(user).select_related("project__owner_school").order_by("-starts_at", "-pk")


def todays_sessions_for(user, *, now: dt.datetime | None = None) -> QuerySet[Session]:
    """Published sessions of the actor's today (local date) that they are enrolled in."""
    s = scopes.scope_of(user)
    if s.person_id is None:
        return Session.objects.none()
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + dt.timedelta(days=1)
    return (
        Session.objects.filter(
            status=Session.Status.PUBLISHED,
            starts_at__lt=end,
            ends_at__gte=start,
            enrollments__person_id=s.person_id,
            enrollments__status=Enrollment.Status.ENROLLED,
        )
        .order_by("starts_at", "pk")
        .distinct()
    )


def my_attendance(user) -> list[dict]:
    """The actor's enrolled sessions with attendance and reflection state, newest first."""
    s = scopes.scope_of(user)
    if s.person_id is None:
        return []
    enrollments = (
        Enrollment.objects.filter(person_id=s.person_id, status=Enrollment.Status.ENROLLED)
        .select_related("session", "session__project")
        .order_by("-session__starts_at", "-pk")[:200]
    )
    session_ids = [e.session_id for e in enrollments]
    att = {a.session_id: a for a in Attendance.objects.filter(person_id=s.person_id, session_id__in=session_ids)}
    refl = {r.session_id: r for r in Reflection.objects.filter(person_id=s.person_id, session_id__in=session_ids)}
    leave = set(
        LeaveRequest.objects.filter(person_id=s.person_id, session_id__in=session_ids, status=Decision.APPROVED).values_list(
            "session_id", flat=True
        )
    )
    now = timezone.now()
    rows = []
    for e in enrollments:
        a = att.get(e.session_id)
        reflection = refl.get(e.session_id)
        on_leave = e.session_id in leave or (a is not None and a.status == Attendance.Status.LEAVE)
        rows.append({
            "session": e.session,
            "attendance": a,
            "reflection": reflection,
            "status": sheet_status(e.session, a, e.session_id in leave, now),
            # Offer 提交/修改 only where the service will take it.
            "can_submit": access.reflection_refusal(
                e.session, enrolled=True, on_leave=on_leave, now=now,
                accepted=reflection is not None and reflection.status == Reflection.Status.ACCEPTED,
            ) is None,
        })
    return rows


def sheet_status(session: Session, attendance: Attendance | None, on_leave: bool, now: dt.datetime) -> str:
    """The sign-in sheet's status word for one person."""
    if attendance is not None:
        label = attendance.status_label
        if (
            attendance.status == Attendance.Status.PRESENT
            and session.signin_requires_signout
            and attendance.signed_in_at
            and attendance.signed_out_at is None
            and session.ends_at
            and now > session.ends_at
            and not attendance.left_early
        ):
            return _("未签退") if label == _("正常") else f"{label}、{_('未签退')}"
        return label
    if on_leave:
        return _("请假")
    if session.ends_at and now > session.ends_at:
        return _("缺训")
    return _("未签到")


@dataclass
class SheetRow:
    person_id: int
    name: str
    school: str
    groups: str
    phone: str
    attendance: Attendance | None
    status: str
    reflection: Reflection | None
    flagged: bool = False  # its device signed in or out someone else too
    address_flagged: bool = False  # signed in within a minute of others from one address and browser (weaker)


def attendance_sheet(*, user, session: Session, now: dt.datetime | None = None) -> list[SheetRow]:
    """Every enrolled person (and anyone with a row) with their attendance, for the session's sheet."""
    if not access.can_view_sheet(user, session):
        return []
    now = now or timezone.now()
    enrolled = {
        e.person_id: e
        for e in Enrollment.objects.filter(session=session, status=Enrollment.Status.ENROLLED).select_related("person", "school")
    }
    rows_att = {a.person_id: a for a in Attendance.objects.filter(session=session).select_related("person")}
    person_ids = set(enrolled) | set(rows_att)
    people = {}
    for e in enrolled.values():
        people[e.person_id] = e.person
    for a in rows_att.values():
        people.setdefault(a.person_id, a.person)
    employments = {
        emp.person_id: emp
        for emp in Employment.objects.current().filter(person_id__in=person_ids)
        .select_related("school")
        .prefetch_related("groups")
    }
    leave = set(
        LeaveRequest.objects.filter(session=session, person_id__in=person_ids, status=Decision.APPROVED).values_list(
            "person_id", flat=True
        )
    )
    reflections = {r.person_id: r for r in Reflection.objects.filter(session=session)}
    shared = set(shared_devices(session))
    rows = []
    for pid in person_ids:
        person = people[pid]
        emp = employments.get(pid)
        enrollment = enrolled.get(pid)
        school = emp.school.name if emp else (enrollment.school.name if enrollment and enrollment.school else "")
        rows.append(
            SheetRow(
                person_id=pid,
                name=person.name,
                school=school,
                groups="、".join(g.name for g in emp.groups.all()) if emp else "",
                phone=person.masked_phone,
                attendance=rows_att.get(pid),
                status=sheet_status(session, rows_att.get(pid), pid in leave, now),
                reflection=reflections.get(pid),
                flagged=bool(
                    rows_att.get(pid)
                    and (rows_att[pid].device_flagged or {rows_att[pid].signin_device, rows_att[pid].signout_device} & shared)
                ),
                address_flagged=bool(rows_att.get(pid) and rows_att[pid].address_flagged),
            )
        )
    rows.sort(key=lambda r: (r.school, r.attendance is None, r.attendance.signed_in_at if r.attendance and r.attendance.signed_in_at else now, r.name))
    return rows


def shared_devices(session: Session) -> dict[str, list[str]]:
    """Devices that signed in or out more than one person in the session, with those people's names.

    Computed from the attendance rows themselves, so two sign-ins racing on
    one phone (each missing the other at write time) still show up here.
    """
    people: dict[str, set[tuple[int, str]]] = {}
    rows = Attendance.objects.filter(session=session).values_list("person_id", "person__name", "signin_device", "signout_device")
    for person_id, name, device_in, device_out in rows:
        for device in {device_in, device_out} - {""}:
            people.setdefault(device, set()).add((person_id, name))
    return {d: sorted(n for _, n in who) for d, who in people.items() if len(who) > 1}


def device_flags(session: Session) -> list[dict]:
    return [
        {"device": device[:8], "count": len(names), "names": names}
        for device, names in sorted(shared_devices(session).items(), key=lambda item: -len(item[1]))
    ]


def signed_in_count(session: Session) -> int:
    return Attendance.objects.filter(session=session, signed_in_at__isnull=False).count()


def signed_out_count(session: Session) -> int:
    return Attendance.objects.filter(session=session, signed_out_at__isnull=False).count()


def enrolled_count(session: Session) -> int:
    return Enrollment.objects.filter(session=session, status=Enrollment.Status.ENROLLED).count()


def reflections_for_review(*, user, session: Session) -> QuerySet[Reflection]:
    if not access.can_review_reflections(user, session):
        return Reflection.objects.none()
    return Reflection.objects.filter(session=session).select_related("person").prefetch_related("similarity_flags").order_by(
        "status", "-submitted_at"
    )


# --- Objects the attendance pages open -------------------------------------------


def sessions_visible_to(user) -> QuerySet[Session]:
    """Sessions whose attendance pages the user may reach: those they see in training, and those
    they have an attendance row or a reflection for.

    A session outside this set is a 404 for the user; inside it, each page
    still asks its own permission (a teacher on a session gets 403 on its sheet).
    """
    from yanxiu.training import access as training_access

    s = scopes.scope_of(user)
    if s.superuser:
        return Session.objects.all()
    q = Q(pk__in=training_access.sessions_visible_to(user).values("pk"))
    if s.person_id is not None:
        # Subqueries, not joins: joining both rows of a big session would multiply them.
        q |= Q(pk__in=Attendance.objects.filter(person_id=s.person_id).values("session_id"))
        q |= Q(pk__in=Reflection.objects.filter(person_id=s.person_id).values("session_id"))
    return Session.objects.filter(q)


def phone_sessions() -> QuerySet[Session]:
    """Sessions as the phone's sign-in pages read them: one row, no joins.

    Not scoped to a user: the rotating token (or the pass made from it) is
    the credential, and the sign-in service refuses whoever is not enrolled.
    """
    return Session.objects.only(
        "title", "place", "status", "starts_at", "ends_at", "late_tolerance_minutes", "early_leave_tolerance_minutes"
    )


def sheet_sessions_for(user) -> QuerySet[Session]:
    """Sessions whose attendance sheet the user reads (``access.can_view_sheet``), drafts included."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Session.objects.all()
    q = Q(pk__in=sessions_managed_by(user).values("pk"))
    if s.person_id:
        q |= Q(presenter_id=s.person_id)
    if s.presenter:
        q |= Q(presenter_account_id=user.pk)
    if s.led_groups:
        q |= Q(group_id__in=s.led_groups)
    return Session.objects.filter(q)


def reflections_visible_to(user) -> QuerySet[Reflection]:
    """Reflections the user may open: their own, and those of sessions whose sheet they read."""
    s = scopes.scope_of(user)
    qs = Reflection.objects.select_related("session", "session__project", "person")
    if s.superuser:
        return qs
    q = Q(session__in=sheet_sessions_for(user).values("pk"))
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return qs.filter(q)


def people_on_sheet(*, session: Session):
    """The people a session's sheet lists: enrolled (or withdrawn), or with an attendance row."""
    from yanxiu.org.models import Person

    enrolled = Enrollment.objects.filter(session=session).values("person_id")
    recorded = Attendance.objects.filter(session=session).values("person_id")
    return Person.objects.filter(Q(pk__in=enrolled) | Q(pk__in=recorded))


@dataclass(frozen=True)
class ReflectionStanding:
    """The user's own reflection for a session, and whether one is expected of them."""

    existing: Reflection | None
    expected: bool


def my_reflection_standing(*, user, session: Session) -> ReflectionStanding:
    person_id = scopes.scope_of(user).person_id
    if not person_id:
        return ReflectionStanding(existing=None, expected=False)
    existing = Reflection.objects.filter(session=session, person_id=person_id).first()
    expected = (
        Enrollment.objects.filter(session=session, person_id=person_id).exists()
        or Attendance.objects.filter(session=session, person_id=person_id).exists()
    )
    return ReflectionStanding(existing=existing, expected=expected)


# --- Evidence of a session, read by credits (attendance/evidence.py) -------------------

from .evidence import AttendanceFacts, Evidence, ReflectionFacts, ended_sessions_of, listed_in, person_evidence, session_evidence  # noqa: E402,F401
