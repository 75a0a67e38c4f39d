"""Reads of the ledger, postings and compliance, already scoped to the user."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.org.models import Employment, Person
from yanxiu.org.selectors import current_school, current_school_id
from yanxiu.credits.compliance import compliance_rows
from yanxiu.policy.selectors import school_year_for, spec_in_force

from .models import CertificateClaim, CreditEntry, Objection, Posting


def current_school_year(county=None) -> int:
    today = timezone.localdate()
    if county is None:
        return today.year if today.month >= 9 else today.year - 1
    return school_year_for(county, today)


def can_view_school_credits(user, school) -> bool:
    """School admins of the school and region staff over it (bureau, centre)."""
    s = scopes.scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties


def can_view_county_credits(user, county) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or county.pk in s.region_counties


def can_view_person_credits(user, person) -> bool:
    s = scopes.scope_of(user)
    if s.superuser or person.pk == s.person_id:
        return True
    school = current_school(person)
    return school is not None and can_view_school_credits(user, school)


def entries_for(person: Person, years: tuple[int, int]) -> QuerySet[CreditEntry]:
    return (
        CreditEntry.objects.filter(person=person, school_year__gte=years[0], school_year__lte=years[1])
        .select_related("school", "reverses")
        .annotate(is_reversed=Count("reversed_by"))
        .order_by("school_year", "seq")
    )


def person_compliance(person: Person, year: int, *, cycle: bool = False):
    rows = compliance_rows(Employment.objects.filter(person=person), year, cycle=cycle)
    return rows[0] if rows else None


def school_compliance(school, year: int):
    return compliance_rows(Employment.objects.filter(school=school), year)


def county_compliance(county, year: int):
    return compliance_rows(Employment.objects.filter(school__county=county), year)


def postings_visible_to(user) -> QuerySet[Posting]:
    s = scopes.scope_of(user)
    qs = Posting.objects.select_related("school").annotate(
        entry_count=Count("entries", distinct=True),
        open_objections=Count("objections", filter=Q(objections__status=Objection.Status.OPEN), distinct=True),
    )
    if s.superuser:
        return qs
    q = Q(school__county_id__in=s.region_counties) | Q(school_id__in=s.admin_schools)
    if s.person_id is not None:
        school_id = current_school_id(s.person_id)
        if school_id:
            q |= Q(school_id=school_id)
    return qs.filter(q)


def claims_to_review(user) -> QuerySet[CertificateClaim]:
    s = scopes.scope_of(user)
    qs = CertificateClaim.objects.filter(status=CertificateClaim.Status.PENDING).select_related("person", "school")
    if s.superuser:
        return qs
    return qs.filter(Q(school_id__in=s.admin_schools) | Q(school__county_id__in=s.bureau_counties))


def sessions_to_credit(user, *, school=None):
    """Finished school sessions the user manages with participants not yet credited (of ``school`` when given), latest 50."""
    from yanxiu.training.models import Session

    s = scopes.scope_of(user)
    qs = Session.objects.filter(ends_at__lt=timezone.now(), status="published").select_related("project")
    if school is not None:
        qs = qs.filter(project__owner_school=school)
    if not s.superuser:
        qs = qs.filter(Q(project__owner_school_id__in=s.admin_schools) | Q(project__owner_school__county_id__in=s.bureau_counties))
    credited = CreditEntry.objects.filter(source_type="session").values("source_id")
    return qs.exclude(pk__in=[int(x) for x in credited.values_list("source_id", flat=True).distinct()]).order_by("-ends_at")[:50]


def term_span(county, year: int, term: int) -> tuple[dt.date, dt.date]:
    """Term 1 (上学期) runs from the policy's year start to 31 January, term 2 (下学期) from 1 February to the year's end."""
    spec = spec_in_force(county, year) if county is not None else None
    start, end = (spec.year_start(year), spec.year_end(year)) if spec else (dt.date(year, 9, 1), dt.date(year + 1, 8, 31))
    split = dt.date(year + 1, 2, 1)
    return (start, split - dt.timedelta(days=1)) if term == 1 else (split, end)


def sessions_ready_to_credit(school, start: dt.date, end: dt.date, *, now=None) -> tuple[list, list[tuple]]:
    """The school's ended sessions between ``start`` and ``end`` whose credit is not registered yet: those ready
    (no reflection awaiting review, no leave awaiting a decision, nothing :func:`~yanxiu.credits.services.credit_school_session`
    would refuse the session for: no hours, no policy in force) and the others, each with what it waits for —
    so one session that cannot be registered never blocks the term."""
    from yanxiu.attendance.models import Reflection
    from yanxiu.training.models import Decision, Session

    from .compliance import registered_session_ids
    from .services import session_credit_refusal

    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    sessions = list(
        Session.objects.filter(project__owner_school=school, status=Session.Status.PUBLISHED, ends_at__lt=now,
                               starts_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
                               starts_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
        .exclude(pk__in=[int(pk) for pk in set(registered_session_ids()) if pk.isdigit()])
        .annotate(reviews=Count("reflections", filter=Q(reflections__status=Reflection.Status.SUBMITTED), distinct=True),
                  leaves=Count("leave_requests", filter=Q(leave_requests__status=Decision.PENDING), distinct=True))
        .select_related("project__owner_school__county", "project__region").order_by("starts_at", "pk")
    )
    ready, waiting, specs = [], [], {}
    for session in sessions:
        refusal = session_credit_refusal(session, now=now, specs=specs)
        if refusal:
            waiting.append((session, refusal.rstrip("。")))
        elif session.reviews or session.leaves:
            parts = ([_("%(n)d 篇反思待审阅") % {"n": session.reviews}] if session.reviews else []) + (
                [_("%(n)d 条请假待审批") % {"n": session.leaves}] if session.leaves else [])
            waiting.append((session, "、".join(parts)))
        else:
            ready.append(session)
    return ready, waiting


def credited_projects(school, year: int):
    """The school's projects with credited sessions in the year (for issuing certificates)."""
    from yanxiu.training.models import Project

    session_ids = CreditEntry.objects.filter(source_type="session", school_year=year, school=school).values_list("source_id", flat=True).distinct()
    return Project.objects.filter(owner_school=school, sessions__pk__in=[int(x) for x in session_ids]).distinct().order_by("title")


def transcript_snapshot(*, person, employment, row, entries, years: tuple[int, int], cycle: bool) -> dict:
    """What a transcript certifies, as plain data: the holder, the period, every
    ledger line and the totals in hours and in credits, and the standing."""
    from decimal import Decimal

    from .templatetags.credits_tags import amount

    lines = [
        {
            "year": e.school_year, "title": e.title, "kind": str(e.get_kind_display()), "category": e.category,
            "hours": amount(e.hours), "credits": amount(e.credits), "source": str(e.get_source_type_display()),
            "reversal": e.is_reversal, "reason": e.reason if e.is_reversal else "",
        }
        for e in entries
    ]
    return {
        "name": person.name,
        "school": employment.school.name if employment else "",
        "years": list(years),
        "cycle": cycle,
        "unit": row.unit if row else "",
        "entries": lines,
        "total_hours": amount(sum((e.hours for e in entries), Decimal("0"))),
        "total_credits": amount(sum((e.credits for e in entries), Decimal("0"))),
        "status": row.status_label if row else "",
        "status_code": row.status if row else "",
        "in_progress": bool(row and row.in_progress),
        "reason": row.reason if row else "",
    }


def find_certificate(text: str):
    """The certificate whose verification code the visitor typed (case, spaces and dashes ignored)."""
    from . import codes
    from .models import Certificate

    return codes.find(Certificate.objects.select_related("person", "school"), text)


def find_transcript(text: str):
    from . import codes
    from .models import TranscriptRecord

    return codes.find(TranscriptRecord.objects.all(), text)


def uncredited_sessions(person, start, end, *, now=None) -> list[dict]:
    """The person's ended sessions in [start, end] with no credit in the ledger,
    each ``{"session", "pending", "reason"}``: ``pending`` while the school has not
    registered the session's credit yet (the reason is then what is still
    missing, if anything), otherwise the reason it earned nothing, by the same
    rule that credits a session (``services.session_credit_problem``)."""
    from django.utils.translation import gettext as _

    from yanxiu.attendance.selectors import ended_sessions_of, person_evidence
    from yanxiu.credits.compliance import registered_session_ids
    from yanxiu.policy.selectors import school_year_for, spec_in_force

    from .services import session_credit_problem

    sessions = ended_sessions_of(person, start, end, now=now)
    ids = [s.pk for s in sessions]
    credited = set(
        CreditEntry.objects.active().filter(person=person, source_type="session", source_id__in=[str(i) for i in ids])
        .values_list("source_id", flat=True)
    )
    registered = set(registered_session_ids().filter(target_id__in=[str(i) for i in ids]))
    evidence = person_evidence(person, [s for s in sessions if str(s.pk) not in credited])
    specs: dict = {}
    result = []
    for session in sessions:
        if str(session.pk) in credited:
            continue
        project = session.project
        county = project.owner_school.county if project.owner_school_id else project.region
        key = (county.pk, session.starts_at.date())
        if key not in specs:
            specs[key] = spec_in_force(county, school_year_for(county, timezone.localtime(session.starts_at).date()))
        spec = specs[key]
        e = evidence[session.pk]
        if e.on_approved_leave and (e.attendance is None or not e.attendance.present):
            reason = _("请假，不计学时")
        elif spec is None:
            reason = _("本区域尚未制定学时政策")
        else:
            reason = session_credit_problem(session=session, evidence=e)
        pending = str(session.pk) not in registered
        if pending and not reason:
            reason = _("考勤与反思齐全，待学校登记学时")
        elif not reason:
            reason = _("条件已满足，待学校重新登记学时")
        result.append({"session": session, "pending": pending, "reason": reason})
    return result


POSTING_SEARCH_MAX = 50


def posting_board(posting, *, q: str = "") -> dict:
    """The posting as a public notice: every teacher's entries with hours and
    credits per teacher and in total (names only, never ID numbers), optionally
    narrowed to a name or training title containing ``q``."""
    from decimal import Decimal

    q = (q or "").strip()[:POSTING_SEARCH_MAX]
    entries = posting.entries.select_related("person").order_by("person__name", "person_id", "seq")
    if q:
        entries = entries.filter(Q(person__name__icontains=q) | Q(title__icontains=q))
    people: dict[int, dict] = {}
    for e in entries:
        item = people.setdefault(e.person_id, {"person_id": e.person_id, "name": e.person.name, "entries": [],
                                               "hours": Decimal("0"), "credits": Decimal("0")})
        item["entries"].append(e)
        item["hours"] += e.hours
        item["credits"] += e.credits
    rows = list(people.values())
    return {
        "people": rows, "q": q, "count": sum(len(r["entries"]) for r in rows),
        "hours": sum((r["hours"] for r in rows), Decimal("0")), "credits": sum((r["credits"] for r in rows), Decimal("0")),
    }


def posting_history(posting):
    """The posting's audit trail: its own events and those of its objections (filed, resolved, with the resolution)."""
    from yanxiu.core.models import AuditEvent

    objection_ids = [str(pk) for pk in posting.objections.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(target_type="credits.posting", target_id=str(posting.pk)) | Q(target_type="credits.objection", target_id__in=objection_ids)
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


def session_record(person_id: int, session_ids) -> dict[int, dict]:
    """The person's attendance and reflection per session (for resolving a 补录 objection),
    as attendance records them (``attendance.selectors.person_evidence``)."""
    from yanxiu.attendance.selectors import person_evidence

    evidence = person_evidence(person_id, session_ids)
    return {pk: {"attendance": e.attendance, "reflection": e.reflection, "evidence": e} for pk, e in evidence.items()}


def open_objections_count(user) -> int:
    """Open objections on the postings of the schools the user manages."""
    s = scopes.scope_of(user)
    qs = Objection.objects.filter(status=Objection.Status.OPEN)
    if not s.superuser:
        qs = qs.filter(Q(posting__school_id__in=s.admin_schools) | Q(posting__school__county_id__in=s.region_counties))
    return qs.count()


# --- Objects of the credits pages, scoped to the user ------------------------------
# Pages fetch every record through these, so an id the user may not see is a 404
# whatever their role; a record they may see but not act on is refused (403) by
# the ``can_*`` decision asked afterwards.


def schools_visible_to(user) -> QuerySet:
    """Schools the user may see at all (their credits need ``can_view_school_credits`` besides)."""
    return scopes.schools_visible_to(user).select_related("county")


def counties_visible_to(user) -> QuerySet:
    """Counties of the region staff's regions and of the schools the user may see."""
    from yanxiu.org.models import Region

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county")
    if s.superuser:
        return counties
    return counties.filter(Q(pk__in=s.region_counties) | Q(pk__in=scopes.schools_visible_to(user).values("county_id")))


def people_visible_to(user) -> QuerySet[Person]:
    """People the user may see: themself and those of the staff lists they may read."""
    s = scopes.scope_of(user)
    if s.superuser:
        return Person.objects.all()
    return Person.objects.filter(Q(pk=s.person_id) | Q(pk__in=scopes.people_visible_to(user).values("pk")))


def my_person(user) -> Person | None:
    """The teacher record of the signed-in user, if any."""
    s = scopes.scope_of(user)
    return None if s.person_id is None else Person.objects.filter(pk=s.person_id).first()


def _credit_reader_q(s, prefix: str = "") -> Q:
    """Rows of schools whose credits the scope may read (school admins, region staff)."""
    return Q(**{f"{prefix}school_id__in": s.admin_schools}) | Q(**{f"{prefix}school__county_id__in": s.region_counties})


def _own_or_read(qs: QuerySet, user) -> QuerySet:
    """Rows of ``qs`` (which have a person and a school) that are the user's own or
    belong to a school whose credits the user reads."""
    s = scopes.scope_of(user)
    qs = qs.select_related("school", "person")
    if s.superuser:
        return qs
    return qs.filter(Q(person_id=s.person_id) | _credit_reader_q(s)) if s.person_id else qs.filter(_credit_reader_q(s))


def entries_visible_to(user) -> QuerySet[CreditEntry]:
    """Ledger lines of the user themself, and of the schools whose credits they read."""
    return _own_or_read(CreditEntry.objects.all(), user)


def claims_visible_to(user) -> QuerySet[CertificateClaim]:
    """Certificate claims: the teacher's own, and those of the schools whose credits the user reads."""
    return _own_or_read(CertificateClaim.objects.all(), user)


def activity_records_visible_to(user) -> QuerySet:
    from .models import ActivityRecord

    return _own_or_read(ActivityRecord.objects.all(), user)


def certificates_visible_to(user) -> QuerySet:
    """Certificates of the user themself, and of the schools whose credits they read."""
    from .models import Certificate

    return _own_or_read(Certificate.objects.all(), user)


def objections_visible_to(user) -> QuerySet[Objection]:
    """Objections on the postings the user may see: all of them for the school's managers
    and region staff, a teacher's own otherwise."""
    s = scopes.scope_of(user)
    qs = Objection.objects.select_related("posting", "posting__school")
    if s.superuser:
        return qs
    q = _credit_reader_q(s, "posting__")
    if s.person_id is not None:
        q |= Q(person_id=s.person_id)
    return qs.filter(q, posting__in=postings_visible_to(user).values("pk"))


def sessions_visible_to(user):
    """Training sessions the user may see (to credit them or to name them in an objection)."""
    from yanxiu.training.access import sessions_visible_to as visible

    return visible(user).select_related("project__owner_school", "project__region")


def projects_visible_to(user):
    from yanxiu.training.access import projects_visible_to as visible

    return visible(user).select_related("owner_school", "region")


def can_manage_school_credits(user, school) -> bool:
    """Manage a school's postings and revoke its certificates: the school's admins, the bureau and region staff over it."""
    s = scopes.scope_of(user)
    return s.superuser or scopes.can_manage_school(user, school) or school.county_id in s.region_counties


def can_import_results(user) -> bool:
    """Result lists of upper-level training are imported by region staff."""
    s = scopes.scope_of(user)
    return s.superuser or bool(s.region_counties)


def overview_for(user) -> tuple[QuerySet, QuerySet]:
    """Where each role starts: the counties and the schools whose compliance it reads."""
    from yanxiu.org.models import Region, School

    s = scopes.scope_of(user)
    counties = Region.objects.filter(level="county") if s.superuser else Region.objects.filter(pk__in=s.region_counties)
    return counties.order_by("code"), School.objects.filter(pk__in=s.admin_schools).order_by("code")


def posting_schools(user) -> QuerySet:
    """Schools the user may publish a posting for from the postings page (their own, as school admin)."""
    from yanxiu.org.models import School

    s = scopes.scope_of(user)
    return School.objects.none() if s.superuser else School.objects.filter(pk__in=s.admin_schools).order_by("code")


def open_postings_for(person, school) -> QuerySet[Posting]:
    """The school's open postings that list the person's entries."""
    return Posting.objects.filter(school=school, status=Posting.Status.OPEN, entries__person=person).distinct()


def person_objections(person) -> QuerySet[Objection]:
    return Objection.objects.filter(person=person).select_related("posting", "entry")


def person_claims(person) -> QuerySet[CertificateClaim]:
    return CertificateClaim.objects.filter(person=person)


def person_certificates(person) -> QuerySet:
    from .models import Certificate

    return Certificate.objects.filter(person=person)


def school_certificates(school, year: int) -> QuerySet:
    from .models import Certificate

    return Certificate.objects.filter(school=school, school_year=year).select_related("person")


def posting_objections(user, posting) -> list[Objection]:
    """The posting's objections the user may read: all for its managers, a teacher's own otherwise."""
    qs = posting.objections.select_related("person", "entry", "session__project", "resolution_entry", "resolved_by")
    if not can_manage_school_credits(user, posting.school):
        qs = qs.filter(person_id=scopes.scope_of(user).person_id)
    return list(qs)


def current_staff(school) -> QuerySet[Person]:
    """The school's teachers now, by name (whom an activity can be credited to)."""
    return Person.objects.filter(pk__in=Employment.objects.current().filter(school=school).values("person_id")).order_by("name")


def objection_sessions(person_id, posting) -> list:
    """The teacher's ended sessions of the posting's school year with no credit: what a 补录 objection can name."""
    import datetime as dt

    if person_id is None:
        return []
    county = posting.school.county
    year = school_year_for(county, posting.period_end)
    spec = spec_in_force(county, year)
    start, end = (spec.year_start(year), spec.year_end(year)) if spec else (dt.date(year, 9, 1), dt.date(year + 1, 8, 31))
    person = Person.objects.filter(pk=person_id).first()
    return [u["session"] for u in uncredited_sessions(person, start, end)] if person else []


def policy_preview(region, year: int, current_spec, candidate_spec) -> dict:
    """Status counts of the region's current teachers under the policy in force and under
    an edited one, each as if the year ended today, so that before and after compare like with like."""
    from yanxiu.credits.compliance import status_counts
    from yanxiu.policy.selectors import counties_in

    employments = Employment.objects.current().filter(school__county__in=counties_in(region))
    before = status_counts(compliance_rows(employments, year, spec=current_spec, final=True)) if current_spec else None
    after = status_counts(compliance_rows(employments, year, spec=candidate_spec, final=True))
    return {"before": before, "after": after, "year": year, "teachers": sum(after.values())}


def school_standing(school, year: int, *, status: str = "") -> dict:
    """The school's teachers and their standing in the year: every row (for the
    counts by status), the rows of one status when asked, and whether the year runs.
    A school is small enough to compute whole; pages render only their own rows,
    and a row's reason is worked out only when it is shown."""
    from yanxiu.credits.compliance import Status, status_counts

    rows = school_compliance(school, year)
    shown = [r for r in rows if r.status == status] if status in Status.ALL else rows
    return {"rows": shown, "all": len(rows), "counts": status_counts(rows), "status": status if status in Status.ALL else "",
            "in_progress": bool(rows) and rows[0].in_progress}


def county_standing(county, year: int) -> dict:
    """Per school of the county (by school code): its current teachers and how many
    stand at each status, with the county's counts and whether the year runs."""
    from yanxiu.credits.compliance import Status, status_counts

    rows = county_compliance(county, year)
    by_school: dict[int, dict] = {}
    for r in rows:
        item = by_school.get(r.school_id)
        if item is None:
            item = by_school[r.school_id] = {"id": r.school_id, "code": r.school_code, "name": r.school_name, "total": 0,
                                             **dict.fromkeys(Status.ALL, 0)}
        item[r.status] += 1
        item["total"] += 1
    return {"schools": sorted(by_school.values(), key=lambda x: x["code"]), "counts": status_counts(rows),
            "in_progress": bool(rows) and rows[0].in_progress}


def school_claims_to_review(user, school) -> QuerySet[CertificateClaim]:
    """The school's certificate claims waiting for the user's review."""
    return claims_to_review(user).filter(school=school)
