"""Reads of teaching-routine checks (教学常规检查), already scoped to the reader.

Who sees what:

- the school's admin, the region staff over it and the school's leaders
  (校长, 副校长, 中层干部 in a current employment there) read every check of the
  school and its counts;
- a checker reads the checks they made;
- a group leader reads the findings of their group's current members, and
  records the checks they make themself of those members (not the kinds
  reserved to the school's leaders);
- a teacher reads their own findings, never another teacher's.

:func:`term_counts` gives the counts of one term against the school's plan
(also read by the year-end summary).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from yanxiu.growth import calendar
from yanxiu.growth.progress import LEADER_POSITIONS  # the positions whose holders lead the school
from yanxiu.org import scopes
from yanxiu.org.models import Employment, Person, School
from yanxiu.org.selectors import current_staff

from .choices import Cadence
from .models import CheckAttachment, CheckFinding, CheckKind, RoutineCheck

#: Days in one period of each cadence; a termly kind has one period.
CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.FORTNIGHTLY: 14, Cadence.MONTHLY: 30}


# --- Decisions ----------------------------------------------------------------------


def is_school_leader(user, school) -> bool:
    """Does the user hold a leader's position in a current employment at ``school``?"""
    person_id = scopes.scope_of(user).person_id
    if person_id is None or school is None:
        return False
    return Employment.objects.current().filter(person_id=person_id, school=school, position__in=LEADER_POSITIONS).exists()


def can_record(user, school) -> bool:
    """The school's admin (or the bureau over it) and its leaders record checks and set the kinds."""
    return school is not None and (scopes.can_manage_school(user, school) or is_school_leader(user, school))


def records_as_checker(user, school) -> bool:
    """A group leader working at ``school`` (who does not record for the whole school) records the checks they
    make themself of their group's members, for kinds not reserved to the school's leaders."""
    s = scopes.scope_of(user)
    if school is None or s.person_id is None or not s.led_groups or can_record(user, school):
        return False
    return school.groups.filter(pk__in=s.led_groups).exists() and current_staff(school).filter(pk=s.person_id).exists()


def may_add_check(user, school) -> bool:
    return can_record(user, school) or records_as_checker(user, school)


def can_read_school(user, school) -> bool:
    """Every check and count of the school: those who record, and the region staff over it."""
    if school is None:
        return False
    s = scopes.scope_of(user)
    return s.superuser or school.county_id in s.region_counties or can_record(user, school)


def can_give_feedback(user, finding: CheckFinding) -> bool:
    """The checker of the finding's check, or whoever records the school's checks."""
    return can_give_feedback_on(user, finding.routine_check)


def can_give_feedback_on(user, check: RoutineCheck) -> bool:
    person_id = scopes.scope_of(user).person_id
    return (person_id is not None and person_id == check.checker_id) or can_record(user, check.school)


def led_member_ids(user, school) -> set[int]:
    """Current members of the groups ``user`` leads at ``school``."""
    groups = scopes.scope_of(user).led_groups
    if not groups:
        return set()
    rows = Employment.objects.current().filter(school=school, groups__pk__in=groups).values_list("person_id", flat=True)
    return set(rows)


def reader_of(user, school) -> bool:
    """May ``user`` open the school's check list at all?"""
    s = scopes.scope_of(user)
    if can_read_school(user, school):
        return True
    if s.person_id is not None and RoutineCheck.objects.filter(school=school, checker_id=s.person_id).exists():
        return True
    return bool(s.led_groups) and school.groups.filter(pk__in=s.led_groups).exists()


# --- Which school a page is about ---------------------------------------------------------


def readable_schools(user) -> QuerySet[School]:
    """Schools whose checks ``user`` may read (fully or in part), for the school picker."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    q = Q(county_id__in=s.region_counties) | Q(pk__in=s.admin_schools)
    if s.led_groups:
        q |= Q(groups__pk__in=s.led_groups)
    if s.person_id is not None:
        q |= Q(employments__person_id=s.person_id, employments__end_date__isnull=True, employments__position__in=LEADER_POSITIONS)
        q |= Q(routine_checks__checker_id=s.person_id)
    return School.objects.filter(pk__in=School.objects.filter(q).values("pk"))


def default_school(user) -> School | None:
    """The school a reader works on when the page names none: the admin's, else the leader's own, else the first readable."""
    s = scopes.scope_of(user)
    if s.admin_schools:
        return scopes.admin_school(user)
    if s.person_id is not None:
        own = Employment.objects.current().filter(person_id=s.person_id).select_related("school__county").first()
        if own is not None and reader_of(user, own.school):
            return own.school
    return readable_schools(user).select_related("county").order_by("code").first()


# --- Kinds ----------------------------------------------------------------------------


def kinds_of(school, *, active_only: bool = False) -> QuerySet[CheckKind]:
    qs = CheckKind.objects.filter(school=school).annotate(check_count=Count("checks")).order_by("position", "id")
    return qs.filter(is_active=True) if active_only else qs


def kind_for(user, pk: int) -> CheckKind | None:
    """A kind of a school whose checks ``user`` records, else None (the page answers 404)."""
    kind = CheckKind.objects.select_related("school__county").filter(pk=pk).first()
    return kind if kind is not None and can_record(user, kind.school) else None


def checkers(school) -> QuerySet[Person]:
    """Who may be named checker: the school's current staff."""
    return current_staff(school).order_by("name")


def leaders(school) -> QuerySet[Person]:
    return Person.objects.filter(employments__school=school, employments__end_date__isnull=True,
                                 employments__position__in=LEADER_POSITIONS)


# --- Checks and findings -------------------------------------------------------------------


def checks_for(user, school) -> QuerySet[RoutineCheck]:
    """The school's checks ``user`` reads: all of them, those they made, or those finding on their group's members."""
    qs = RoutineCheck.objects.filter(school=school).select_related("kind", "checker").annotate(
        finding_count=Count("findings", distinct=True), attachment_count=Count("attachments", distinct=True)).order_by("-date", "-id")
    if can_read_school(user, school):
        return qs
    s = scopes.scope_of(user)
    q = Q(checker_id=s.person_id) if s.person_id is not None else Q(pk__in=[])
    members = led_member_ids(user, school)
    if members:
        q |= Q(pk__in=CheckFinding.objects.filter(person_id__in=members).values("routine_check_id"))
    return qs.filter(q)


def check_for(user, pk: int) -> RoutineCheck | None:
    """One check ``user`` may open, with its school; None when they may not (404)."""
    check = RoutineCheck.objects.select_related("kind", "checker", "school__county").filter(pk=pk).first()
    if check is None or not checks_for(user, check.school).filter(pk=check.pk).exists():
        return None
    return check


def findings_shown(user, check: RoutineCheck) -> QuerySet[CheckFinding]:
    """The findings of ``check`` the reader sees: all for the school's readers and the checker, else their group's members'."""
    qs = check.findings.select_related("person").order_by("id")
    person_id = scopes.scope_of(user).person_id
    if can_read_school(user, check.school) or (person_id is not None and person_id == check.checker_id):
        return qs
    return qs.filter(person_id__in=led_member_ids(user, check.school))


def sees_attachments(user, check: RoutineCheck) -> bool:
    """Attachments are the check's own papers: for the school's readers and the checker."""
    person_id = scopes.scope_of(user).person_id
    return can_read_school(user, check.school) or (person_id is not None and person_id == check.checker_id)


def attachment_for(user, pk: int) -> CheckAttachment | None:
    attachment = CheckAttachment.objects.select_related("routine_check__school__county").filter(pk=pk).first()
    if attachment is None:
        return None
    check = check_for(user, attachment.routine_check_id)
    return attachment if check is not None and sees_attachments(user, check) else None


def finding_for(user, pk: int) -> CheckFinding | None:
    """A finding whose feedback ``user`` may mark, else None (404)."""
    finding = CheckFinding.objects.select_related("routine_check__school__county", "routine_check__kind", "person").filter(pk=pk).first()
    if finding is None or check_for(user, finding.routine_check_id) is None:
        return None
    return finding


def own_findings(person) -> QuerySet[CheckFinding]:
    """A teacher's own findings, newest first."""
    return (CheckFinding.objects.filter(person=person)
            .select_related("routine_check__kind", "routine_check__checker", "routine_check__school")
            .order_by("-routine_check__date", "-id"))


def feedback_deadline(check: RoutineCheck) -> dt.date | None:
    days = check.kind.feedback_days
    return check.date + dt.timedelta(days=days) if days is not None else None


def feedback_state(finding: CheckFinding, *, today: dt.date | None = None) -> str:
    """``on_time``, ``late``, ``overdue`` (no feedback past the deadline), ``pending`` or ``""`` (no deadline)."""
    deadline = feedback_deadline(finding.routine_check)
    if deadline is None:
        return ""
    if finding.feedback_on is not None:
        return "on_time" if finding.feedback_on <= deadline else "late"
    return "overdue" if (today or timezone.localdate()) > deadline else "pending"


# --- Counts against the plan -------------------------------------------------------------------


def planned_for(kind: CheckKind, start: dt.date, end: dt.date) -> int:
    """Checks the plan asks for in [start, end]: per period × the periods of the cadence (a termly kind: one)."""
    days = CADENCE_DAYS.get(kind.cadence)
    periods = max(1, ((end - start).days + 1) // days) if days else 1
    return kind.per_period * periods


def _due(planned: int, span, today: dt.date) -> int:
    """The part of the plan due by ``today``: all of it once the term is over, none before it starts."""
    if today >= span.end:
        return planned
    if today < span.start:
        return 0
    return planned * ((today - span.start).days + 1) // span.days


def _feedback_counts(findings, today: dt.date) -> dict[str, int]:
    counts = {"on_time": 0, "late": 0, "overdue": 0, "pending": 0}
    for finding in findings:
        state = feedback_state(finding, today=today)
        if state:
            counts[state] += 1
    return counts


def _kind_row(kind, checks, span, today, leader_names) -> dict:
    planned = planned_for(kind, span.start, span.end)
    due = _due(planned, span, today)
    by_checker: dict[int, list] = {}
    for check in checks:
        by_checker.setdefault(check.checker_id, []).append(check)
    rows = []
    for checker_id, mine in sorted(by_checker.items(), key=lambda item: item[1][0].checker.name):
        row = {"checker_id": checker_id, "checker": mine[0].checker.name, "done": len(mine),
               "feedback": _feedback_counts([f for c in mine for f in c.findings.all()], today) if kind.feedback_days is not None else None}
        if kind.leaders_only:  # each leader observes to the plan
            row.update(planned=planned, due=due, behind=len(mine) < due)
        rows.append(row)
    if kind.leaders_only:  # a leader who has not checked at all is behind too
        for person_id, name in leader_names:
            if person_id not in by_checker:
                rows.append({"checker_id": person_id, "checker": name, "done": 0, "planned": planned, "due": due, "behind": 0 < due,
                             "feedback": _feedback_counts([], today) if kind.feedback_days is not None else None})
    findings = [f for c in checks for f in c.findings.all()]
    return {
        "kind_id": kind.pk, "kind": kind.name, "cadence": kind.cadence, "cadence_label": str(kind.get_cadence_display()),
        "per_period": kind.per_period, "feedback_days": kind.feedback_days, "leaders_only": kind.leaders_only,
        "is_active": kind.is_active, "planned": planned, "due": due, "done": len(checks), "behind": len(checks) < due,
        "findings": len(findings),
        "feedback": _feedback_counts(findings, today) if kind.feedback_days is not None else None,
        "checkers": rows,
    }


def term_counts(school, year: int, term: int, *, today: dt.date | None = None) -> list[dict]:
    """Per kind of ``school`` (the active ones and any with checks in the term), for term ``term`` of school year ``year``:

    ``{"kind_id", "kind", "cadence", "cadence_label", "per_period", "feedback_days", "leaders_only", "is_active",
    "planned", "due", "done", "behind", "findings", "feedback", "checkers"}`` where ``planned`` is per period ×
    the periods of the cadence in the term, ``due`` the part of it due by ``today`` (all of it once the term
    is over), ``behind`` is done < due, ``feedback`` (kinds with a feedback deadline, else None) counts the
    findings answered ``on_time``, ``late``, ``overdue`` (none yet, past the deadline) and ``pending``, and
    ``checkers`` holds one row per checker (``checker_id``, ``checker``, ``done``, ``feedback``; for kinds
    checked by the school's leaders also ``planned``, ``due`` and ``behind``, the plan applying to each leader).
    """
    span = calendar.term(school, year, term)
    today = today or timezone.localdate()
    checks = list(RoutineCheck.objects.filter(school=school, date__gte=span.start, date__lte=span.end)
                  .select_related("checker", "kind").prefetch_related(Prefetch("findings", queryset=CheckFinding.objects.order_by("id")))
                  .order_by("date", "id"))
    by_kind: dict[int, list] = {}
    for check in checks:
        by_kind.setdefault(check.kind_id, []).append(check)
    kinds = CheckKind.objects.filter(school=school).filter(Q(is_active=True) | Q(pk__in=list(by_kind))).order_by("position", "id")
    leader_names = list(leaders(school).order_by("name").values_list("pk", "name").distinct())
    return [_kind_row(kind, by_kind.get(kind.pk, []), span, today, leader_names) for kind in kinds]
