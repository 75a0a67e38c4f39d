"""The evidence a session leaves about each participant, as attendance records it.

Credits decides from these facts alone whether a session earns credit ("no credit
without evidence"); it does not read attendance, reflection, enrolment or leave rows
itself. Read through ``attendance.selectors.session_evidence`` / ``person_evidence``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yanxiu.training.models import Decision, Enrollment, Evaluation, LeaveRequest, Session

from . import reflection_rules
from .models import Attendance, Method, Reflection, ReflectionRule

_UNSET = reflection_rules._UNSET


@dataclass(frozen=True)
class AttendanceFacts:
    """The participant's row on the attendance sheet."""

    status: str  # Attendance.Status: present, absent, leave
    status_label: str
    signed_in_at: dt.datetime | None
    signed_out_at: dt.datetime | None
    signin_method: str
    is_late: bool
    left_early: bool
    manual_reason: str  # why an admin corrected the row by hand ("" if nobody did)
    marked_by: str  # who corrected it (a name, "" if nobody)
    updated_at: dt.datetime | None

    @property
    def present(self) -> bool:
        return self.status == Attendance.Status.PRESENT

    @property
    def absent(self) -> bool:
        return self.status == Attendance.Status.ABSENT

    @property
    def leave(self) -> bool:
        return self.status == Attendance.Status.LEAVE

    @property
    def by_hand(self) -> bool:
        """Corrected by an admin: with a reason, or recorded as a manual sign-in."""
        return bool(self.manual_reason) or self.signin_method == Method.MANUAL

    @property
    def marked_present(self) -> bool:
        """Marked present by hand, with a reason (stands in for the scans)."""
        return bool(self.manual_reason) and self.present


@dataclass(frozen=True)
class ReflectionFacts:
    """The participant's reflection, its review and whether it is long enough by the session's rule."""

    pk: int
    status: str  # Reflection.Status: submitted, returned, accepted
    status_label: str
    review_comment: str
    chars: int  # reflection_rules.visible_length of its plain text
    minimum: int  # reflection_rules.minimum_for(session).reflection_chars
    submitted_at: dt.datetime | None

    @property
    def accepted(self) -> bool:
        return self.status == Reflection.Status.ACCEPTED

    @property
    def returned(self) -> bool:
        return self.status == Reflection.Status.RETURNED

    @property
    def waiting(self) -> bool:
        return self.status == Reflection.Status.SUBMITTED

    @property
    def long_enough(self) -> bool:
        return self.chars >= self.minimum

    def get_status_display(self) -> str:  # as on the model, for templates
        return self.status_label


@dataclass(frozen=True)
class Evidence:
    """What one session records about one person."""

    session_id: int
    person_id: int
    person: object  # the org.Person
    enrolled: bool  # enrolled (not withdrawn) in the session
    school: object | None  # the school they enrolled from (org.School), if recorded
    attendance: AttendanceFacts | None
    on_approved_leave: bool  # a leave request for the session was approved
    reflection: ReflectionFacts | None
    evaluated: bool  # they filled in the session's evaluation

    @property
    def signed_in(self) -> bool:
        return self.attendance is not None and self.attendance.signed_in_at is not None


def _who(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return getattr(person, "name", "") or user.get_full_name() or user.get_username()


def _attendance_facts(a: Attendance | None) -> AttendanceFacts | None:
    if a is None:
        return None
    return AttendanceFacts(
        status=a.status, status_label=a.status_label, signed_in_at=a.signed_in_at, signed_out_at=a.signed_out_at,
        signin_method=a.signin_method, is_late=a.is_late, left_early=a.left_early, manual_reason=a.manual_reason,
        marked_by=_who(a.marked_by) if a.marked_by_id else "", updated_at=a.updated_at,
    )


def _reflection_facts(r: Reflection | None, minimum: int) -> ReflectionFacts | None:
    if r is None:
        return None
    return ReflectionFacts(
        pk=r.pk, status=r.status, status_label=r.get_status_display(), review_comment=r.review_comment,
        chars=reflection_rules.reflection_length(r), minimum=minimum, submitted_at=r.submitted_at,
    )


def session_evidence(session: Session, *, spec=_UNSET) -> dict[int, Evidence]:
    """``{person_id: Evidence}`` for every person enrolled in the session, in a few queries.

    ``spec`` (the county policy in force, or None) may be passed when the caller has read it;
    it feeds the reflection minimum (``reflection_rules.minimum_for``)."""
    minimum = reflection_rules.minimum_for(session, spec=spec).reflection_chars
    enrollments = list(
        Enrollment.objects.filter(session_id=session.pk, status=Enrollment.Status.ENROLLED).select_related("person", "school")
    )
    ids = [e.person_id for e in enrollments]
    attendance = {a.person_id: a for a in Attendance.objects.filter(session_id=session.pk, person_id__in=ids).select_related("marked_by__person")}
    reflections = {r.person_id: r for r in Reflection.objects.filter(session_id=session.pk, person_id__in=ids)}
    leave = set(
        LeaveRequest.objects.filter(session_id=session.pk, person_id__in=ids, status=Decision.APPROVED).values_list("person_id", flat=True)
    )
    evaluated = set(Evaluation.objects.filter(session_id=session.pk, person_id__in=ids).values_list("person_id", flat=True))
    return {
        e.person_id: Evidence(
            session_id=session.pk, person_id=e.person_id, person=e.person, enrolled=True, school=e.school,
            attendance=_attendance_facts(attendance.get(e.person_id)), on_approved_leave=e.person_id in leave,
            reflection=_reflection_facts(reflections.get(e.person_id), minimum), evaluated=e.person_id in evaluated,
        )
        for e in enrollments
    }


def person_evidence(person, sessions) -> dict[int, Evidence]:
    """``{session_id: Evidence}`` of one person (or id) in each of ``sessions`` (Session objects or ids), in a few queries,
    whether or not they are still enrolled (``Evidence.enrolled`` says)."""
    sessions = list(sessions)
    if sessions and not isinstance(sessions[0], Session):  # ids
        sessions = list(Session.objects.filter(pk__in=sessions).select_related("project__owner_school__county", "project__region"))
    ids = [s.pk for s in sessions]
    person_id = getattr(person, "pk", person)
    enrollments = {
        e.session_id: e for e in Enrollment.objects.filter(person_id=person_id, session_id__in=ids).select_related("person", "school")
    }
    attendance = {a.session_id: a for a in Attendance.objects.filter(person_id=person_id, session_id__in=ids).select_related("marked_by__person")}
    reflections = {r.session_id: r for r in Reflection.objects.filter(person_id=person_id, session_id__in=ids)}
    leave = set(
        LeaveRequest.objects.filter(person_id=person_id, session_id__in=ids, status=Decision.APPROVED).values_list("session_id", flat=True)
    )
    evaluated = set(Evaluation.objects.filter(person_id=person_id, session_id__in=ids).values_list("session_id", flat=True))
    rules = {r.session_id: r for r in ReflectionRule.objects.filter(session_id__in=ids)}
    specs: dict = {}
    result = {}
    for session in sessions:
        rule = rules.get(session.pk)
        if rule is None:
            county = reflection_rules.session_county(session)
            key = (getattr(county, "pk", None), timezone.localtime(session.starts_at).date())
            if key not in specs:
                specs[key] = reflection_rules.policy_spec_for(session)
            minimum = reflection_rules.minimum_for(session, rule=None, spec=specs[key])
        else:
            minimum = reflection_rules.minimum_for(session, rule=rule)
        enrollment = enrollments.get(session.pk)
        result[session.pk] = Evidence(
            session_id=session.pk, person_id=person_id, person=enrollment.person if enrollment else person,
            enrolled=enrollment is not None and enrollment.status == Enrollment.Status.ENROLLED,
            school=enrollment.school if enrollment else None,
            attendance=_attendance_facts(attendance.get(session.pk)), on_approved_leave=session.pk in leave,
            reflection=_reflection_facts(reflections.get(session.pk), minimum.reflection_chars), evaluated=session.pk in evaluated,
        )
    return result


def ended_sessions_of(person, start: dt.date, end: dt.date, *, now: dt.datetime | None = None, limit: int = 200) -> list[Session]:
    """Published sessions in [start, end] (local start day) that the person is enrolled in and that have ended,
    latest first, with their project, school and county loaded."""
    now = now or timezone.now()
    return [
        e.session
        for e in Enrollment.objects.filter(
            person=person, status=Enrollment.Status.ENROLLED, session__status=Session.Status.PUBLISHED, session__ends_at__lt=now,
            session__starts_at__date__gte=start, session__starts_at__date__lte=end,
        ).select_related("session__project__owner_school__county", "session__project__region").order_by("-session__starts_at")[:limit]
    ]


def listed_in(session, person_id: int) -> bool:
    """Whether the person is on the session's list at all (enrolled, or enrolled and withdrawn since)."""
    return Enrollment.objects.filter(session_id=session.pk, person_id=person_id).exists()
