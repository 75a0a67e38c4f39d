"""Reads of training data, already scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yanxiu.org import scopes

from . import access
from .models import (
    CalendarFeed,
    ContentCategory,
    Decision,
    Enrollment,
    Evaluation,
    LeaveRequest,
    Nomination,
    Project,
    Quota,
    SchoolPlan,
    Session,
    SessionChange,
    SwapRequest,
)

# --- Regions and schools a page works on -----------------------------------------


def bureau_region(user):
    """The county a bureau admin works on (the first one for a superuser), or None."""
    from yanxiu.org.models import Region

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county").order_by("code")
    if s.superuser:
        return counties.first()
    return counties.filter(pk__in=s.bureau_counties).first()


def catalogue_region(user):
    """The county whose catalogue the user edits: a bureau's, else a training centre's."""
    from yanxiu.org.models import Region

    region = bureau_region(user)
    if region is None:
        region = Region.objects.filter(pk__in=scopes.scope_of(user).centre_counties).order_by("code").first()
    return region


def quota_target_schools(user):
    """Active schools the bureau may allocate places to."""
    from yanxiu.org.models import School

    s = scopes.scope_of(user)
    schools = School.objects.filter(is_active=True)
    if not s.superuser:
        schools = schools.filter(county_id__in=s.bureau_counties)
    return schools.order_by("code")


def own_person(user):
    """The user's own teacher record, or None."""
    from yanxiu.org.models import Person

    person_id = scopes.scope_of(user).person_id
    return Person.objects.filter(pk=person_id).first() if person_id is not None else None


def calendar_feeds() -> QuerySet[CalendarFeed]:
    """Calendar feeds, looked up by their secret token: the token is the only credential."""
    return CalendarFeed.objects.select_related("person")

# --- Catalogue ----------------------------------------------------------------


def categories_for(*, region) -> QuerySet[ContentCategory]:
    """The catalogue a region sees: national entries plus those of the region and its parents."""
    ids = [r.pk for r in region.ancestors_and_self()] if region is not None else []
    return ContentCategory.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids), is_active=True).select_related("region")


def categories_visible_to(user) -> QuerySet[ContentCategory]:
    from yanxiu.org.models import Region

    s = scopes.scope_of(user)
    if s.superuser:
        return ContentCategory.objects.select_related("region")
    region_ids = set(s.region_counties)
    region_ids |= set(scopes.schools_visible_to(user).values_list("county_id", flat=True))
    regions = Region.objects.filter(pk__in=region_ids).select_related("parent__parent")
    ids = {r.pk for region in regions for r in region.ancestors_and_self()}
    return ContentCategory.objects.filter(Q(region__isnull=True) | Q(region_id__in=ids)).select_related("region")


# --- Projects and plans -------------------------------------------------------


def project_list(
    *, user, school_year: str = "", status: str = "", school_id: int | None = None, plan: SchoolPlan | None = None
) -> QuerySet[Project]:
    qs = access.projects_visible_to(user).select_related("owner_school", "region", "category", "plan")
    if plan is not None:
        qs = qs.filter(plan=plan)
    if school_year:
        qs = qs.filter(school_year=school_year)
    if status:
        qs = qs.filter(status=status)
    if school_id:
        qs = qs.filter(owner_school_id=school_id)
    return qs.annotate(session_count=Count("sessions", distinct=True)).order_by("-school_year", "-created_at", "-pk")


def projects_awaiting_review(*, user) -> QuerySet[Project]:
    s = scopes.scope_of(user)
    qs = Project.objects.filter(status=Project.Status.SUBMITTED, requires_approval=True)
    if not s.superuser:
        qs = qs.filter(region_id__in=s.centre_counties)
    return qs.select_related("owner_school", "category").annotate(session_count=Count("sessions")).order_by("submitted_at")


def projects_reviewed_by(user) -> QuerySet[Project]:
    """Projects the user reviewed, most recent first."""
    return Project.objects.filter(reviewer=user).select_related("owner_school").order_by("-reviewed_at", "-pk")


def plans_visible_to(user) -> QuerySet[SchoolPlan]:
    return SchoolPlan.objects.filter(school__in=scopes.schools_visible_to(user)).select_related("school")


def plan_list(*, user) -> QuerySet[SchoolPlan]:
    """The plans the user sees, the latest school year first."""
    return plans_visible_to(user).order_by("-school_year", "school__code", "pk")


def category_list(*, user) -> QuerySet[ContentCategory]:
    """The catalogue's content categories the user sees: national ones first, then by region and order."""
    return categories_visible_to(user).order_by("region_id", "sort_order", "code", "pk")


def quota_list(*, user) -> QuerySet[Quota]:
    """The places the user sees, latest deadline first."""
    return quotas_visible_to(user).order_by("-deadline", "school__code", "pk")


def term_schedule(*, sessions: QuerySet[Session], start: dt.date, end: dt.date) -> list[dict]:
    """Sessions between two dates grouped by week (Monday first), each week numbered from ``start``."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = sessions.filter(starts_at__gte=lo, starts_at__lt=hi).select_related("project", "presenter", "group")
    first_monday = start - dt.timedelta(days=start.weekday())
    weeks: OrderedDict[int, dict] = OrderedDict()
    for session in rows.order_by("starts_at", "pk"):
        day = timezone.localtime(session.starts_at).date()
        number = (day - first_monday).days // 7 + 1
        monday = first_monday + dt.timedelta(weeks=number - 1)
        week = weeks.setdefault(number, {"number": number, "monday": monday, "sunday": monday + dt.timedelta(days=6), "sessions": []})
        week["sessions"].append(session)
    return list(weeks.values())


# --- Sessions -----------------------------------------------------------------


def session_list(*, user, project: Project | None = None, status: str = "", upcoming: bool = False) -> QuerySet[Session]:
    qs = access.sessions_visible_to(user).select_related("project", "project__owner_school", "presenter", "group")
    if project is not None:
        qs = qs.filter(project=project)
    if status:
        qs = qs.filter(status=status)
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now())
    return qs.order_by("starts_at", "pk")


def plan_sessions(*, user, plan: SchoolPlan) -> QuerySet[Session]:
    """The sessions of a plan's school the user sees, cancelled ones left out."""
    return session_list(user=user).filter(project__owner_school_id=plan.school_id).exclude(status=Session.Status.CANCELLED)


def sessions_managed_by(user) -> QuerySet[Session]:
    """Sessions the user may manage (see ``access.can_manage_session``): their projects', and their led groups'."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Session.objects.all()
    q = (
        Q(project__owner_school_id__in=s.admin_schools)
        | Q(project__owner_school__county_id__in=s.bureau_counties)
        | Q(project__owner_school__isnull=True, project__region_id__in=s.bureau_counties)
    )
    if s.led_groups:
        q |= Q(group_id__in=s.led_groups, group__school_id=F("project__owner_school_id"))
    return Session.objects.filter(q)


def enrollments_visible_to(user) -> QuerySet[Enrollment]:
    """Enrolments the user may see: their own, and those of sessions whose participants they see
    (the managers of the session, and region staff for the sessions they see)."""
    s = scopes.scope_of(user)
    qs = Enrollment.objects.select_related("session__project", "person")
    if s.superuser:
        return qs
    q = Q(session__in=sessions_managed_by(user))
    if s.region_counties:
        q |= Q(session__in=access.sessions_visible_to(user))
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return qs.filter(q)


@dataclass(frozen=True)
class Standing:
    """A teacher's own place at one session: enrolment, leave request, evaluation."""

    enrollment: Enrollment | None = None
    leave: LeaveRequest | None = None
    evaluated: bool = False


def my_standing(*, user, session: Session) -> Standing:
    person_id = scopes.scope_of(user).person_id
    if person_id is None:
        return Standing()
    return Standing(
        enrollment=Enrollment.objects.filter(session=session, person_id=person_id).first(),
        leave=LeaveRequest.objects.filter(session=session, person_id=person_id).first(),
        evaluated=Evaluation.objects.filter(session=session, person_id=person_id).exists(),
    )


def session_leaves(*, session: Session) -> QuerySet[LeaveRequest]:
    """The leave requests of a session, newest first (for those who see its participants)."""
    return LeaveRequest.objects.filter(session=session).select_related("person").order_by("-created_at")


def session_participants(*, session: Session) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(session=session)
        .select_related("person", "school")
        .order_by("status", "school_id", "person__name", "pk")
    )


def my_sessions(*, person_id: int, include_past: bool = True) -> QuerySet[Session]:
    """Sessions the person is enrolled in (not withdrawn), published or cancelled."""
    qs = Session.objects.filter(
        enrollments__person_id=person_id,
        enrollments__status=Enrollment.Status.ENROLLED,
        status__in=[Session.Status.PUBLISHED, Session.Status.CANCELLED],
    ).select_related("project", "presenter", "lead_speaker", "group")
    if not include_past:
        qs = qs.filter(ends_at__gte=timezone.now())
    evaluated = Evaluation.objects.filter(session=OuterRef("pk"), person_id=person_id)
    return qs.annotate(evaluated=Exists(evaluated)).order_by("starts_at", "pk")


def open_school_sessions(*, person_id: int) -> QuerySet[Session]:
    """Published future sessions of the person's school they are not enrolled in (self sign-up)."""
    school_id = access.person_school_id(person_id)
    if school_id is None:
        return Session.objects.none()
    return (
        Session.objects.filter(project__owner_school_id=school_id, status=Session.Status.PUBLISHED, starts_at__gt=timezone.now())
        .exclude(enrollments__person_id=person_id, enrollments__status=Enrollment.Status.ENROLLED)
        .select_related("project")
        .order_by("starts_at")
    )


# --- Leave and absence --------------------------------------------------------


def leave_list(*, user) -> QuerySet[LeaveRequest]:
    """Requests the user may see: their own, their school's, and the bureau's training."""
    s = scopes.scope_of(user)
    qs = LeaveRequest.objects.select_related("session__project", "person", "school")
    if s.superuser:
        return qs
    q = Q(school_id__in=s.admin_schools) | Q(session__project__region_id__in=s.bureau_counties, needs_bureau=True)
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return qs.filter(q)


def leave_decided(*, user) -> QuerySet[LeaveRequest]:
    """Requests the user sees that are no longer pending, newest first."""
    return leave_list(user=user).exclude(status=Decision.PENDING).order_by("-created_at", "-pk")


def my_leave_requests(*, user) -> QuerySet[LeaveRequest]:
    """The user's own leave requests, newest first."""
    person_id = scopes.scope_of(user).person_id
    if person_id is None:
        return LeaveRequest.objects.none()
    return LeaveRequest.objects.filter(person_id=person_id).select_related("session").order_by("-created_at", "-pk")


def leave_awaiting(*, user) -> QuerySet[LeaveRequest]:
    """Requests waiting for this user's decision."""
    s = scopes.scope_of(user)
    qs = LeaveRequest.objects.filter(status=Decision.PENDING).select_related("session__project", "person", "school")
    school_q = Q(school_decision=Decision.PENDING)
    bureau_q = Q(school_decision=Decision.APPROVED, needs_bureau=True, bureau_decision=Decision.PENDING)
    if s.superuser:
        return qs.filter(school_q | bureau_q).order_by("session__starts_at", "created_at")
    q = Q(pk__in=[])
    if s.admin_schools:
        q |= school_q & Q(school_id__in=s.admin_schools)
    if s.bureau_counties:
        q |= bureau_q & Q(session__project__region_id__in=s.bureau_counties)
    return qs.filter(q).order_by("session__starts_at", "created_at")


def has_approved_leave(*, session: Session, person) -> bool:
    return LeaveRequest.objects.filter(session=session, person=person, status=Decision.APPROVED).exists()


def excused_person_ids(*, session: Session) -> set[int]:
    """People on approved leave for the session: not absent (不算缺训)."""
    return set(LeaveRequest.objects.filter(session=session, status=Decision.APPROVED).values_list("person_id", flat=True))


def expected_person_ids(*, session: Session) -> set[int]:
    """People enrolled (not withdrawn) in the session."""
    return set(Enrollment.objects.filter(session=session, status=Enrollment.Status.ENROLLED).values_list("person_id", flat=True))


class AbsenceStatus:
    NOT_EXPECTED = "not_expected"  # not enrolled (or withdrawn)
    LEAVE = "leave"  # approved leave: not an absence
    PRESENT = "present"  # signed in
    PENDING = "pending"  # the session has not ended yet
    ABSENT = "absent"  # 缺训: enrolled, no sign-in, no approved leave, session over


def absence_status(session: Session, person, *, now: dt.datetime | None = None) -> str:
    """Where a person stands for a session; ``ABSENT`` is unexcused absence (缺训).

    缺训 = enrolled, no sign-in (attendance row present), no approved leave,
    and the session has ended.
    """
    person_id = getattr(person, "pk", person)
    if person_id not in expected_person_ids(session=session):
        return AbsenceStatus.NOT_EXPECTED
    if LeaveRequest.objects.filter(session=session, person_id=person_id, status=Decision.APPROVED).exists():
        return AbsenceStatus.LEAVE
    try:
        attendance_model = apps.get_model("attendance", "Attendance")
    except LookupError:
        attendance_model = None
    if attendance_model is not None:
        row = attendance_model.objects.filter(session=session, person_id=person_id).first()
        if row is not None and row.status == "present":
            return AbsenceStatus.PRESENT
        if row is not None and row.status == "leave":
            return AbsenceStatus.LEAVE
    if session.ends_at is None or (now or timezone.now()) < session.ends_at:
        return AbsenceStatus.PENDING
    return AbsenceStatus.ABSENT


# --- Quotas -------------------------------------------------------------------


def quotas_visible_to(user) -> QuerySet[Quota]:
    s = scopes.scope_of(user)
    qs = Quota.objects.select_related("project", "session", "school").annotate(
        named=Count("nominations", filter=Q(nominations__is_active=True), distinct=True)
    )
    if s.superuser:
        return qs
    return qs.filter(Q(project__region_id__in=s.bureau_counties) | Q(school_id__in=s.admin_schools))


def project_quotas(*, user, project: Project) -> QuerySet[Quota]:
    return quotas_visible_to(user).filter(project=project)


def quota_nominations(*, quota: Quota) -> QuerySet[Nomination]:
    """The people named on a quota, the active ones first."""
    return quota.nominations.select_related("person").order_by("-is_active", "id")


def quota_swaps(*, quota: Quota) -> QuerySet[SwapRequest]:
    return quota.swap_requests.select_related("out_person", "in_person").order_by("-created_at", "-pk")


def nominations_visible_to(user) -> QuerySet[Nomination]:
    return Nomination.objects.filter(quota__in=quotas_visible_to(user).values("pk")).select_related("quota")


def quotas_missed_deadline(*, user, now: dt.datetime | None = None) -> QuerySet[Quota]:
    """Quotas whose deadline passed with no submitted list (for the bureau)."""
    s = scopes.scope_of(user)
    qs = quotas_visible_to(user).filter(deadline__lt=now or timezone.now(), submitted_at__isnull=True)
    if not s.superuser:
        qs = qs.filter(project__region_id__in=s.bureau_counties)
    return qs.order_by("deadline", "school__code")


def swaps_awaiting(*, user) -> QuerySet[SwapRequest]:
    s = scopes.scope_of(user)
    qs = SwapRequest.objects.filter(status=SwapRequest.Status.PENDING).select_related(
        "quota__project", "quota__school", "quota__session", "out_person", "in_person"
    )
    if not s.superuser:
        qs = qs.filter(quota__project__region_id__in=s.bureau_counties)
    return qs.order_by("created_at")


# --- Evaluation ---------------------------------------------------------------


def swaps_decided_by(user) -> QuerySet[SwapRequest]:
    """Requests the user decided, newest first."""
    return (
        SwapRequest.objects.filter(decided_by=user)
        .select_related("quota__school", "out_person", "in_person")
        .order_by("-created_at", "-pk")
    )


def _round(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def evaluation_summary(*, session: Session) -> dict:
    agg = Evaluation.objects.filter(session=session).aggregate(
        count=Count("pk"), content=Avg("content_score"), presenter=Avg("presenter_score"), organisation=Avg("organisation_score")
    )
    overall = None
    if agg["count"]:
        overall = (agg["content"] + agg["presenter"] + agg["organisation"]) / 3
    return {
        "count": agg["count"],
        "content": _round(agg["content"]),
        "presenter": _round(agg["presenter"]),
        "organisation": _round(agg["organisation"]),
        "overall": _round(overall),
        "expected": len(expected_person_ids(session=session)),
    }


def evaluated_sessions_for(user) -> QuerySet[Session]:
    """Sessions whose evaluations the user reads: admins and region staff all they see, a group leader those they run."""
    s = scopes.scope_of(user)
    if s.superuser or s.admin_schools or s.region_counties:
        return access.sessions_visible_to(user)
    q = Q(group_id__in=s.led_groups)
    if s.person_id is not None:
        q |= Q(presenter_id=s.person_id)
    return Session.objects.filter(q)


class MappedRows(Sequence):
    """A queryset whose rows are turned into dicts only for the slice read: a list page
    counts it with one COUNT and maps just the page it shows."""

    def __init__(self, queryset: QuerySet, convert):
        self.queryset, self.convert = queryset, convert

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.convert(r) for r in self.queryset[index]]
        return self.convert(self.queryset[index])


def _session_evaluation(r: dict) -> dict:
    return {
        "session_id": r["session_id"],
        "title": r["session__title"],
        "starts_at": r["session__starts_at"],
        "count": r["count"],
        "content": _round(r["content"]),
        "presenter": _round(r["presenter"]),
        "organisation": _round(r["organisation"]),
    }


def evaluation_by_session(*, user) -> MappedRows:
    """Average scores per session the user reads the evaluations of, newest first."""
    rows = (
        Evaluation.objects.filter(session__in=evaluated_sessions_for(user))
        .values("session_id", "session__title", "session__starts_at")
        .annotate(count=Count("pk"), content=Avg("content_score"), presenter=Avg("presenter_score"),
                  organisation=Avg("organisation_score"))
        .order_by("-session__starts_at", "-session_id")
    )
    return MappedRows(rows, _session_evaluation)


def evaluation_by_presenter(*, user) -> list[dict]:
    """Average presenter score per presenter (a person, or an outside expert by name)."""
    rows = (
        Evaluation.objects.filter(session__in=evaluated_sessions_for(user))
        .values("session__presenter_id", "session__presenter__name", "session__presenter_name")
        .annotate(count=Count("pk"), sessions=Count("session", distinct=True), presenter=Avg("presenter_score"),
                  content=Avg("content_score"))
        .order_by("-presenter")
    )
    merged: dict[str, dict] = {}
    for r in rows:
        name = r["session__presenter__name"] or r["session__presenter_name"] or "—"
        key = f"p{r['session__presenter_id']}" if r["session__presenter_id"] else f"n{name}"
        if key in merged:  # same outside expert listed on several sessions
            m = merged[key]
            total = m["count"] + r["count"]
            m["presenter"] = (m["presenter"] * m["count"] + Decimal(str(r["presenter"])) * r["count"]) / total
            m["content"] = (m["content"] * m["count"] + Decimal(str(r["content"])) * r["count"]) / total
            m["count"] = total
            m["sessions"] += r["sessions"]
        else:
            merged[key] = {"name": name, "person_id": r["session__presenter_id"], "count": r["count"],
                           "sessions": r["sessions"], "presenter": Decimal(str(r["presenter"])),
                           "content": Decimal(str(r["content"]))}
    out = list(merged.values())
    for m in out:
        m["presenter"] = _round(m["presenter"])
        m["content"] = _round(m["content"])
    return sorted(out, key=lambda m: (-m["presenter"], m["name"]))


# --- Changes the enrolled teachers are told about ------------------------------------


def _when(start, end) -> str:
    if not start:
        return _("未定")
    start = timezone.localtime(start)
    text = date_format(start, "Y-m-d H:i")
    if end:
        end = timezone.localtime(end)
        text += "–" + (date_format(end, "H:i") if end.date() == start.date() else date_format(end, "Y-m-d H:i"))
    return text


def change_notices(*, sessions, now: dt.datetime | None = None) -> dict[int, str]:
    """For published sessions not yet started whose time or place changed since publication:
    "时间已由 … 改为 …；地点已由 … 改为 …" from the first recorded values to the present ones."""
    now = now or timezone.now()
    sessions = [s for s in sessions if s.status == Session.Status.PUBLISHED and s.starts_at and s.starts_at > now]
    if not sessions:
        return {}
    first: dict[int, SessionChange] = {}
    for change in SessionChange.objects.filter(session_id__in=[s.pk for s in sessions]).order_by("changed_at", "pk"):
        first.setdefault(change.session_id, change)
    notices = {}
    for session in sessions:
        change = first.get(session.pk)
        if change is None:
            continue
        parts = []
        if (change.old_starts_at, change.old_ends_at) != (session.starts_at, session.ends_at):
            parts.append(_("时间已由 %(old)s 改为 %(new)s") % {
                "old": _when(change.old_starts_at, change.old_ends_at), "new": _when(session.starts_at, session.ends_at)})
        if change.old_place != session.place:
            parts.append(_("地点已由“%(old)s”改为“%(new)s”") % {"old": change.old_place or _("未定"), "new": session.place})
        if parts:
            notices[session.pk] = "；".join(parts)
    return notices


def change_notice(*, session: Session, now: dt.datetime | None = None) -> str:
    return change_notices(sessions=[session], now=now).get(session.pk, "")
