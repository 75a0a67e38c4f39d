"""Sources of credit and the public posting (公示). Each function validates,
checks permission through the scopes, writes through the ledger and records
an audit row, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school, current_school_id
from yanxiu.core import audit, uploads
from yanxiu.policy.selectors import school_year_for, spec_in_force
from yanxiu.policy.models import ActivityType, credit_kind_for_training

from .ledger import credit_record, credit_reverse
from .models import ActivityRecord, Certificate, CertificateClaim, CreditEntry, Objection, Posting, SourceType


def _school_or_current(school, person):
    """The school a person's credit document concerns: the one named, else where they work now."""
    if school is not None:
        return school
    from yanxiu.org.selectors import current_school

    return current_school(person)


def _spec_or_error(school, school_year: int):
    spec = spec_in_force(school.county, school_year)
    if spec is None:
        raise ValidationError(_("%(county)s %(year)d 学年尚未制定学时政策，不能登记学时。") % {"county": school.county.name, "year": school_year})
    return spec


# --- (a) School sessions ---------------------------------------------------------


@dataclass
class SessionCreditResult:
    credited: list[CreditEntry] = field(default_factory=list)
    skipped: list[tuple[object, str]] = field(default_factory=list)  # (person, reason)



CENT = Decimal("0.01")


def _hours(entries) -> Decimal:
    """Sum of ``hours``, exact to the ledger's two places on every database
    (SQLite sums decimals as floats: 0.1 + 0.2 would be 0.300000000000000)."""
    total = entries.aggregate(s=Sum("hours"))["s"]
    return Decimal("0") if total is None else total.quantize(CENT)

def manual_attendance_evidence(attendance) -> dict:
    """What an admin's hand correction of the attendance adds to the evidence: who and why
    (``attendance`` is the ``AttendanceFacts`` of ``attendance.selectors`` evidence)."""
    if attendance is None or not attendance.by_hand:
        return {}
    return {"manual": {"by": attendance.marked_by or _("系统"), "reason": attendance.manual_reason, "status": attendance.status_label,
                       "no_scan": attendance.signed_in_at is None}}


def session_credit_problem(*, session, evidence) -> str:
    """Why a participant's session earns no credit (empty when it does): the one rule
    used to credit a session and to tell the teacher why a session was not credited.
    ``evidence`` is what attendance records (``attendance.selectors.session_evidence``);
    the reflection's length was judged by the rule in force when it was accepted."""
    a, r = evidence.attendance, evidence.reflection
    manual = ""
    if a is not None and a.manual_reason:
        manual = _("（%(who)s 登记：%(reason)s）") % {"who": a.marked_by or _("系统"), "reason": a.manual_reason}
    marked_present = a is not None and a.marked_present
    if a is None or a.absent or a.signed_in_at is None and not a.leave and not marked_present:
        return _("缺训，无签到记录") + manual
    if a.leave:
        return _("请假，不计学时") + manual
    if a.is_late:
        if a.signed_in_at is None:
            return _("迟到超过容许时间") + manual
        return _("签到 %(t)s，迟到超过容许时间") % {"t": timezone.localtime(a.signed_in_at).strftime("%H:%M")} + manual
    if session.signin_requires_signout and a.signed_out_at is None and not marked_present:
        return _("未签退") + manual
    if a.left_early:
        return _("早退超过容许时间") + manual
    if r is None:
        return _("未提交研修反思")
    if r.returned:
        return _("研修反思被退回") + (_("：%(c)s") % {"c": r.review_comment} if r.review_comment else "")
    if not r.accepted:
        return _("研修反思待审阅")
    # Its length was judged when it was accepted (attendance.services.reflection_review).
    return ""


@dataclass(frozen=True)
class SessionCreditTerms:
    """What a session's credit is registered under: the county, the school year, its policy and the hours."""

    county: object
    school_year: int
    spec: object
    hours: Decimal


def session_credit_terms(session, *, now=None, specs: dict | None = None) -> SessionCreditTerms:
    """The session-level checks of :func:`credit_school_session` (not the participants'): ended, not
    cancelled, a policy in force for its school year, hours above zero. Raises ``ValidationError``
    with the reason. ``specs`` caches the policy per (county, school year) over a list of sessions."""
    project = session.project
    school = project.owner_school
    if session.ends_at is None or session.ends_at > (now or timezone.now()):
        raise ValidationError(_("培训活动尚未结束，不能登记学时。"))
    if session.status == "cancelled":
        raise ValidationError(_("培训活动已取消，不能登记学时。"))
    county = school.county if school is not None else project.region
    local_day = timezone.localtime(session.starts_at).date()
    school_year = school_year_for(county, local_day)
    key = (county.pk, school_year)
    if specs is not None and key in specs:
        spec = specs[key]
    else:
        spec = spec_in_force(county, school_year)
        if specs is not None:
            specs[key] = spec
    if spec is None:
        raise ValidationError(_("%(county)s 尚未制定学时政策，不能登记学时。") % {"county": county.name})
    hours = min(Decimal(session.hours or 0), spec.max_hours_per_day)
    if hours <= 0:
        raise ValidationError(_("该培训活动没有设置学时。"))
    return SessionCreditTerms(county=county, school_year=school_year, spec=spec, hours=hours)


def session_credit_refusal(session, *, now=None, specs: dict | None = None) -> str:
    """Why :func:`credit_school_session` would refuse ``session`` as a whole (empty when it would not)."""
    try:
        session_credit_terms(session, now=now, specs=specs)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


#: Sessions registered by one click of a term's button; the rest wait for the next click.
TERM_BATCH_MAX = 200


@transaction.atomic
def credit_school_session(*, actor, session) -> SessionCreditResult:
    """Credit every participant of a finished session whose evidence is complete:
    signed in on time (and out, where required, not early) and an accepted
    reflection of the session's minimum length (``attendance.reflection_rules``: the
    session's rule, else this policy's, else the setting). Absentees, unapproved leave
    and incomplete evidence get nothing, each with the reason."""
    from yanxiu.attendance.selectors import session_evidence

    project = session.project
    school = project.owner_school
    if school is not None:
        scopes.require(scopes.can_manage_school(actor, school))
    else:
        s = scopes.scope_of(actor)
        scopes.require(s.superuser or project.region_id in s.region_counties)
    terms = session_credit_terms(session)
    school_year, spec, hours = terms.school_year, terms.spec, terms.hours
    kind = credit_kind_for_training(level=project.level, kind=project.kind)
    category = project.category.name if project.category_id else ""
    result = SessionCreditResult()
    key = f"session:{session.pk}"
    for evidence in session_evidence(session, spec=spec).values():
        person = evidence.person
        a, r = evidence.attendance, evidence.reflection
        reason = session_credit_problem(session=session, evidence=evidence)
        if reason:
            result.skipped.append((person, reason))
            continue
        if CreditEntry.objects.active().filter(person=person, source_key=key).exists():
            result.skipped.append((person, _("已登记")))
            continue
        entry = credit_record(
            actor=actor,
            person=person,
            school=evidence.school or current_school(person) or school,
            school_year=school_year,
            kind=kind,
            category=category,
            title=f"{project.title}·{session.title}" if session.title != project.title else project.title,
            hours=hours,
            source_type=SourceType.SESSION,
            source_id=str(session.pk),
            source_key=key,
            evidence={
                "session_id": session.pk,
                # Marked present by hand with no scan: the time of the correction stands in.
                "signed_in_at": (a.signed_in_at or a.updated_at).isoformat() if (a.signed_in_at or a.updated_at) else "",
                "signed_out_at": a.signed_out_at.isoformat() if a.signed_out_at else "",
                "reflection_id": r.pk,
                "reflection_chars": r.chars,
                **manual_attendance_evidence(a),
            },
            spec=spec,
        )
        result.credited.append(entry)
    audit.record(actor=actor, event=Event.CREDIT_SESSION, target=session, school=school, county=project.region_id, credited=len(result.credited), skipped=len(result.skipped))
    return result


@transaction.atomic
def credit_school_sessions(*, actor, sessions) -> list[SessionCreditResult]:
    """Register the credit of several ended sessions at once (a term's ready sessions): all or none, each through
    :func:`credit_school_session` (its checks and audit row)."""
    sessions = list(sessions)
    if not sessions:
        raise ValidationError(_("没有可以登记学时的活动。"))
    if len(sessions) > TERM_BATCH_MAX:
        raise ValidationError(_("一次最多登记 %(n)d 次活动的学时，请分批登记。") % {"n": TERM_BATCH_MAX})
    return [credit_school_session(actor=actor, session=session) for session in sessions]


# --- (c) Certificates uploaded by teachers ----------------------------------------


@transaction.atomic
def claim_submit(*, actor, **fields) -> CertificateClaim:
    scope = scopes.scope_of(actor)
    scopes.require(scope.person_id is not None, _("只有教师本人可以提交证书。"))
    from yanxiu.org.models import Person

    person = Person.objects.get(pk=scope.person_id)
    school = current_school(person)
    if school is None:
        raise ValidationError(_("您当前没有在职学校，无法提交。"))
    if fields.get("file"):
        uploads.check_evidence(fields["file"], field="file", label=_("证书扫描件"))
    claim = CertificateClaim(person=person, school=school, **fields)
    claim.full_clean()
    claim.save()
    audit.record(actor=actor, event=Event.CLAIM_SUBMIT, target=claim, school=claim.school, title=claim.title)
    return claim


@transaction.atomic
def claim_verify(*, actor, claim: CertificateClaim, comment: str = "") -> CertificateClaim:
    claim = CertificateClaim.objects.select_for_update().select_related("school__county", "person").get(pk=claim.pk)
    scopes.require(scopes.can_manage_school(actor, claim.school))
    if claim.status != CertificateClaim.Status.PENDING:
        raise ValidationError(_("该申请已处理。"))
    year = school_year_for(claim.school.county, claim.end_date)
    spec = _spec_or_error(claim.school, year)
    days = (claim.end_date - claim.start_date).days + 1
    cap = spec.max_hours_per_day * days
    if claim.hours > cap:
        raise ValidationError(_("证书学时 %(h)s 超过 %(d)d 天的上限 %(cap)s 学时。") % {"h": claim.hours, "d": days, "cap": cap})
    entry = credit_record(
        actor=actor, person=claim.person, school=claim.school, school_year=year, kind=claim.kind, category=claim.category,
        title=claim.title, hours=claim.hours, source_type=SourceType.CERTIFICATE, source_id=str(claim.pk),
        source_key=f"cert:{claim.organiser}|{claim.title}|{claim.start_date}", spec=spec,
        evidence={"claim_id": claim.pk, "certificate_no": claim.certificate_no, "organiser": claim.organiser,
                  "file": claim.file.name, "verified_by": actor.pk},
    )
    claim.status, claim.entry = CertificateClaim.Status.VERIFIED, entry
    claim.reviewed_by, claim.reviewed_at, claim.review_comment = actor, timezone.now(), comment
    claim.save()
    audit.record(actor=actor, event=Event.CLAIM_VERIFY, target=claim, school=claim.school, entry=entry.pk)
    return claim


@transaction.atomic
def claim_reject(*, actor, claim: CertificateClaim, comment: str) -> CertificateClaim:
    claim = CertificateClaim.objects.select_for_update().select_related("school").get(pk=claim.pk)
    scopes.require(scopes.can_manage_school(actor, claim.school))
    if claim.status != CertificateClaim.Status.PENDING:
        raise ValidationError(_("该申请已处理。"))
    if not (comment or "").strip():
        raise ValidationError({"review_comment": _("退回必须说明理由。")})
    claim.status, claim.review_comment = CertificateClaim.Status.REJECTED, comment.strip()
    claim.reviewed_by, claim.reviewed_at = actor, timezone.now()
    claim.save()
    audit.record(actor=actor, event=Event.CLAIM_REJECT, target=claim, school=claim.school, comment=claim.review_comment)
    return claim


# --- (d) Activities within the policy's caps ------------------------------------------


@transaction.atomic
def activity_credit(*, actor, person, activity_type: str, title: str, date: dt.date, proof: str, proof_file=None,
                    evidence_extra: dict | None = None) -> ActivityRecord:
    """Record the proof of an activity and credit it, within the policy's cap for the year.

    ``evidence_extra`` adds to the entry's evidence what the caller's own record
    proves (the accepted growth record, the assessed mentor pair)."""
    school = current_school(person)
    if school is None:
        raise ValidationError(_("%(name)s 当前没有在职学校。") % {"name": person.name})
    scopes.require(scopes.can_manage_school(actor, school))
    if not (proof or "").strip():
        raise ValidationError({"proof": _("必须说明证明材料。")})
    year = school_year_for(school.county, date)
    spec = _spec_or_error(school, year)
    cap = spec.caps.get(activity_type)
    label = ActivityType(activity_type).label
    if cap is None:
        raise ValidationError({"activity_type": _("本区域政策不把“%(type)s”计入学时。") % {"type": label}})
    per_item, per_year, kind = cap
    record = ActivityRecord(person=person, school=school, activity_type=activity_type, title=title, date=date, proof=proof.strip(),
                            created_by=actor)
    if proof_file:
        uploads.check_evidence(proof_file, field="proof_file", label=_("证明文件"))
        record.proof_file = proof_file
    record.full_clean(exclude=["entry"])
    used = _hours(CreditEntry.objects.filter(person=person, school_year=year, source_type__in=[SourceType.ACTIVITY, SourceType.REVERSAL],
                                             source_key__startswith=f"activity:{activity_type}:"))
    # Reversals of activity entries carry no source key; subtract them explicitly.
    reversed_hours = _hours(CreditEntry.objects.filter(person=person, school_year=year, reverses__source_key__startswith=f"activity:{activity_type}:"))
    used += reversed_hours
    room = per_year - used
    if room <= 0:
        raise ValidationError(
            {"activity_type": _("%(name)s 本学年“%(type)s”已计 %(used)s 学时，达到上限 %(cap)s 学时。")
             % {"name": person.name, "type": label, "used": used, "cap": per_year}}
        )
    record.save()
    hours = min(per_item, room)
    entry = credit_record(
        actor=actor, person=person, school=school, school_year=year, kind=kind, title=f"{label}：{title}", hours=hours,
        source_type=SourceType.ACTIVITY, source_id=str(record.pk), source_key=f"activity:{activity_type}:{record.pk}", spec=spec,
        evidence={**(evidence_extra or {}), "activity_id": record.pk, "proof": record.proof, "file": record.proof_file.name if record.proof_file else ""},
        reason=_("按政策上限计 %(h)s 学时") % {"h": hours} if hours < per_item else "",
    )
    record.entry = entry
    ActivityRecord.objects.filter(pk=record.pk).update(entry=entry)
    audit.record(actor=actor, event=Event.ACTIVITY_CREDIT, target=record, school=school, entry=entry.pk, hours=str(hours))
    return record


# --- Public posting (公示) -------------------------------------------------------------


def posting_entries_query(*, school, period_start: dt.date, period_end: dt.date):
    return CreditEntry.objects.filter(school=school, created_at__date__gte=period_start, created_at__date__lte=period_end)


@transaction.atomic
def posting_create(*, actor, school, title: str, period_start: dt.date, period_end: dt.date, days: int = 5, now=None) -> Posting:
    scopes.require(scopes.can_manage_school(actor, school))
    if period_end < period_start:
        raise ValidationError({"period_end": _("截止日期不能早于开始日期。")})
    if not 1 <= days <= 30:
        raise ValidationError({"days": _("公示天数应在 1 到 30 天之间。")})
    entries = list(posting_entries_query(school=school, period_start=period_start, period_end=period_end).values_list("pk", flat=True))
    if not entries:
        raise ValidationError(_("该时段内本校没有学时记录可公示。"))
    now = now or timezone.now()
    posting = Posting(school=school, title=title, period_start=period_start, period_end=period_end, days=days, starts_at=now,
                      ends_at=now + dt.timedelta(days=days), created_by=actor)
    posting.full_clean()
    posting.save()
    posting.entries.set(entries)
    audit.record(actor=actor, event=Event.POSTING_CREATE, target=posting, school=school, entries=len(entries), days=days)
    return posting


@transaction.atomic
def objection_file(*, actor, posting: Posting, reason: str, entry: CreditEntry | None = None, session=None, now=None) -> Objection:
    """A teacher objects to one of their own entries in the posting (or to a missing
    one, with no entry, naming the session if they can)."""
    scope = scopes.scope_of(actor)
    scopes.require(scope.person_id is not None, _("只有教师本人可以提出异议。"))
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    now = now or timezone.now()
    if posting.status != Posting.Status.OPEN or now >= posting.ends_at:
        raise ValidationError(_("公示期已结束，不能再提出异议。"))
    if entry is not None:
        scopes.require(
            entry.person_id == scope.person_id and posting.entries.filter(pk=entry.pk).exists(),
            _("只能对本人在本次公示中的记录提出异议。"),
        )
    else:
        scopes.require(current_school_id(scope.person_id) == posting.school_id, _("只能对本校的公示提出异议。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写异议理由。")})
    if len(reason.strip()) > 500:
        raise ValidationError({"reason": _("异议理由不能超过 500 字。")})
    if session is not None:
        from yanxiu.attendance.selectors import listed_in

        if entry is not None or not listed_in(session, scope.person_id):
            raise ValidationError({"session": _("只能选择本人参加的培训活动。")})
    if Objection.objects.filter(posting=posting, person_id=scope.person_id, entry=entry, session=session, status=Objection.Status.OPEN).exists():
        raise ValidationError(_("您对该记录已有待处理的异议。"))
    objection = Objection(posting=posting, person_id=scope.person_id, entry=entry, session=session, reason=reason.strip())
    objection.save()
    audit.record(actor=actor, event=Event.OBJECTION_FILE, target=objection, school=posting.school, posting=posting.pk, entry=entry.pk if entry else None,
                 session=session.pk if session else None, reason=objection.reason)
    return objection


@transaction.atomic
def objection_resolve(
    *, actor, objection: Objection, decision: str, resolution: str, hours: Decimal | None = None, kind: str = "", title: str = "",
) -> Objection:
    """Resolve an objection: ``reverse`` the contested entry, ``add`` a missing
    entry (hours, kind, title), or ``reject`` with a reason."""
    objection = Objection.objects.select_for_update(of=("self",)).select_related("posting__school__county", "entry", "person").get(pk=objection.pk)
    posting = objection.posting
    scopes.require(scopes.can_manage_school(actor, posting.school))
    if objection.status != Objection.Status.OPEN:
        raise ValidationError(_("该异议已处理。"))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("请填写处理意见。")})
    if decision == "reverse":
        if objection.entry is None:
            raise ValidationError(_("该异议没有指向具体记录，不能冲正。"))
        objection.resolution_entry = credit_reverse(actor=actor, entry=objection.entry, reason=_("公示异议：%(r)s") % {"r": resolution})
        objection.status = Objection.Status.REVERSED
    elif decision == "add":
        if not hours or Decimal(hours) <= 0 or not kind or not (title or "").strip():
            raise ValidationError(_("补录须填写培训名称、类别和学时。"))
        year = school_year_for(posting.school.county, posting.period_end)
        objection.resolution_entry = credit_record(
            actor=actor, person=objection.person, school=posting.school, school_year=year, kind=kind, title=title.strip(),
            hours=Decimal(hours), source_type=SourceType.OBJECTION, source_id=str(objection.pk),
            evidence={"objection_id": objection.pk, "decision": resolution, "posting_id": posting.pk,
                      **({"session_id": objection.session_id} if objection.session_id else {})},
        )
        objection.status = Objection.Status.ADDED
    elif decision == "reject":
        objection.status = Objection.Status.REJECTED
    else:
        raise ValidationError({"decision": _("未知的处理方式。")})
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution, actor, timezone.now()
    objection.save()
    audit.record(actor=actor, event=Event.OBJECTION_RESOLVE, target=objection, school=posting.school, decision=decision, resolution=resolution,
                 posting=posting.pk, person=objection.person.name,
                 entry=objection.resolution_entry_id, hours=str(hours) if decision == "add" else None)
    return objection


@transaction.atomic
def posting_finalize_due(*, actor=None, now=None) -> list[Posting]:
    """Make final every open posting whose period is over with no open objection;
    its entries are locked from then on."""
    now = now or timezone.now()
    done = []
    due = Posting.objects.select_for_update().filter(status=Posting.Status.OPEN, ends_at__lte=now)
    for posting in due:
        if posting.objections.filter(status=Objection.Status.OPEN).exists():
            continue
        posting.status, posting.finalized_at = Posting.Status.FINAL, now
        posting.save(update_fields=["status", "finalized_at"])
        audit.record(actor=actor, event=Event.POSTING_FINALIZE, target=posting, school=posting.school, entries=posting.entries.count())
        done.append(posting)
    return done


# --- Certificates of completed trainings --------------------------------------------


@transaction.atomic
def certificate_issue(*, actor, person, title: str, organiser: str, hours: Decimal, school_year: int, source_key: str, school=None, issued_on=None) -> Certificate:
    existing = Certificate.objects.filter(person=person, source_key=source_key).first()
    if existing is not None:
        return existing
    cert = Certificate(person=person, holder_name=person.name, school=school or current_school(person), title=title, organiser=organiser, hours=hours,
                       school_year=school_year, source_key=source_key, issued_on=issued_on or timezone.localdate(),
                       created_by=actor if getattr(actor, "pk", None) else None)
    cert.full_clean()
    cert.save()
    audit.record(actor=actor, event=Event.CERTIFICATE_ISSUE, target=cert, school=cert.school, source=source_key)
    return cert


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    s = scopes.scope_of(actor)
    school = certificate.school
    scopes.require(s.superuser or (school is not None and school.county_id in s.region_counties) or (school is not None and scopes.can_manage_school(actor, school)))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("撤销必须说明原因。")})
    certificate.revoked, certificate.revoked_reason = True, reason.strip()
    certificate.save(update_fields=["revoked", "revoked_reason"])
    audit.record(actor=actor, event=Event.CERTIFICATE_REVOKE, target=certificate, school=_school_or_current(certificate.school, certificate.person), reason=reason)
    return certificate


@transaction.atomic
def certificates_for_session_project(*, actor, project) -> list[Certificate]:
    """One certificate per participant of a school project with credited hours."""
    school = project.owner_school
    if school is not None:
        scopes.require(scopes.can_manage_school(actor, school))
    rows = (
        CreditEntry.objects.active().filter(source_type=SourceType.SESSION)
        .filter(source_id__in=[str(pk) for pk in project.sessions.values_list("pk", flat=True)])
        .order_by().values("person_id", "school_year").annotate(h=Sum("hours"))
    )
    from yanxiu.org.models import Person

    certs = []
    for r in rows:
        if r["h"]:
            r["h"] = r["h"].quantize(CENT)  # SQLite sums decimals as floats
        if r["h"] and r["h"] > 0:
            person = Person.objects.get(pk=r["person_id"])
            certs.append(certificate_issue(actor=actor, person=person, title=project.title, organiser=school.name if school else project.region.name,
                                           hours=r["h"], school_year=r["school_year"], source_key=f"project:{project.pk}", school=school))
    return certs


# --- Transcripts (学时证明) ---------------------------------------------------------


@transaction.atomic
def transcript_issue(*, actor, person, years: tuple[int, int], cycle: bool, snapshot: dict, school=None, issued_on=None):
    """The verification record of a transcript: its code and what it certifies.
    Issuing the same content on the same day again returns the same record."""
    import hashlib
    import json

    from .models import TranscriptRecord
    from .selectors import can_view_person_credits

    scopes.require(can_view_person_credits(actor, person))
    issued_on = issued_on or timezone.localdate()
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    existing = TranscriptRecord.objects.filter(person=person, digest=digest, issued_on=issued_on).first()
    if existing is not None:
        return existing
    issuer = school.name if school is not None else _("教师继续教育管理部门")
    record = TranscriptRecord(
        person=person, holder_name=person.name, school=school, issuer=issuer, year_from=years[0], year_to=years[1], cycle=cycle,
        snapshot=snapshot, digest=digest, issued_on=issued_on, created_by=actor if getattr(actor, "pk", None) else None,
    )
    record.full_clean()
    record.save()
    audit.record(actor=actor, event=Event.TRANSCRIPT_ISSUE, target=record, school=_school_or_current(school, person), person=person.pk, years=list(years), cycle=cycle)
    return record
