"""Every change to attendance, notes and reflections goes through these
functions; each validates, saves and writes its audit row in one transaction.

Sign-in and sign-out arrive by QR scan (the view has checked the rotating
token, see :mod:`yanxiu.attendance.tokens`) or by the 6-digit code (checked
here, with failed guesses counted); an admin's manual marking needs a reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.models import Person
from yanxiu.training.models import Decision, Enrollment, LeaveRequest, Session

from . import access, originality, reflection_rules, tokens
from .reflection_rules import visible_length
from .models import Attendance, CodeFailure, DeviceFlag, Method, Reflection, ReflectionRule, SimilarityFlag

MAX_CODE_FAILURES = 10


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def signin_opens_before() -> dt.timedelta:
    return dt.timedelta(minutes=_setting("YANXIU_SIGNIN_OPENS_MINUTES_BEFORE", 30))


def signout_closes_after() -> dt.timedelta:
    return dt.timedelta(minutes=_setting("YANXIU_SIGNOUT_CLOSES_MINUTES_AFTER", 30))


@dataclass
class SigninResult:
    attendance: Attendance
    created: bool  # False: nothing changed (already signed in / out)
    message: str


def person_of(user) -> Person:
    cached = getattr(user, "_yanxiu_scope", None)
    person_id = cached.person_id if cached is not None else (
        Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first() if user.pk else None
    )
    if person_id is None:
        raise ValidationError(_("您的账号没有关联教师档案，无法签到。请联系学校管理员。"))
    return Person(pk=person_id)


def _session_scope(session: Session) -> dict:
    """The school and county a session's audit rows belong to: the school running it, else the project's region."""
    project = session.project
    return {"school": project.owner_school_id, "county": project.region_id}


def _person_scope(session: Session, person_id: int) -> dict:
    """A participant's rows belong to the school they take part from (their enrolment), else the session's."""
    school_id = Enrollment.objects.filter(session_id=session.pk, person_id=person_id).values_list("school_id", flat=True).first()
    return {"school": school_id} if school_id else _session_scope(session)


def _check_session_open(session: Session, purpose: str, now: dt.datetime) -> None:
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("该活动已取消。"))
    if session.status != Session.Status.PUBLISHED:
        raise ValidationError(_("该活动尚未发布，不能签到。"))
    if session.starts_at is None or session.ends_at is None:
        raise ValidationError(_("该活动未定时间，不能签到。"))
    local = timezone.localtime(session.starts_at)
    if purpose == tokens.PURPOSE_IN:
        opens = session.starts_at - signin_opens_before()
        if now < opens:
            raise ValidationError(
                _("签到尚未开始：活动 %(start)s 开始，开始前 %(minutes)s 分钟起可签到。")
                % {"start": f"{local:%m-%d %H:%M}", "minutes": int(signin_opens_before().total_seconds() // 60)}
            )
        if now > session.ends_at:
            raise ValidationError(_("活动已结束，签到已关闭。如确有出席，请联系管理员登记。"))
    else:
        if now < session.starts_at:
            raise ValidationError(_("活动尚未开始，不能签退。"))
        if now > session.ends_at + signout_closes_after():
            raise ValidationError(_("签退已关闭。如确有出席，请联系管理员登记。"))


def _check_enrolled(session: Session, person_id: int) -> None:
    if not Enrollment.objects.filter(
        session_id=session.pk, person_id=person_id, status=Enrollment.Status.ENROLLED
    ).exists():
        raise ValidationError(_("您不在本次活动的参训名单中，不能签到。如有疑问请联系管理员。"))


def _flag_shared_device(session: Session, attendance: Attendance, device: str, field: str) -> bool:
    """Flag every row of this session signed on ``device`` by someone else (代签 suspicion)."""
    if not device:
        return False
    others = list(
        Attendance.objects.filter(session_id=session.pk, **{field: device})
        .exclude(pk=attendance.pk)
        .values_list("pk", flat=True)
    )
    if not others:
        return False
    Attendance.objects.filter(pk__in=[*others, attendance.pk]).update(device_flagged=True)
    attendance.device_flagged = True
    people = Attendance.objects.filter(session_id=session.pk, **{field: device}).count()
    updated = DeviceFlag.objects.filter(session_id=session.pk, device=device).update(
        people_count=people, updated_at=timezone.now()
    )
    if not updated:
        try:
            with transaction.atomic():
                DeviceFlag.objects.create(session_id=session.pk, device=device, people_count=people)
        except IntegrityError:
            DeviceFlag.objects.filter(session_id=session.pk, device=device).update(people_count=people)
    return True


#: The "same address" signal: this many different teachers signing in from one client
#: address with the same browser (User-Agent) within this many seconds. A school's
#: shared Wi-Fi puts many teachers behind one address, but on different phones and
#: browsers, so the browser must match too; and it is shown as its own, weaker flag.
ADDRESS_MIN_PEOPLE = 3
ADDRESS_WINDOW_SECONDS = 60


def agent_key(user_agent: str) -> str:
    """A short hash of the User-Agent: enough to compare, nothing to read back."""
    return hashlib.blake2b((user_agent or "")[:512].encode(), digest_size=8).hexdigest() if user_agent else ""


def _flag_same_address(session: Session, attendance: Attendance, since: dt.datetime) -> None:
    """Mark the recent sign-ins from this address and browser (the current one is marked on insert)."""
    Attendance.objects.filter(
        session_id=session.pk, signin_ip=attendance.signin_ip, signin_agent=attendance.signin_agent,
        signed_in_at__gte=since, address_flagged=False,
    ).update(address_flagged=True)


def attendance_sign_in(
    *, actor, session: Session, method: str, device: str = "", ip: str | None = None, now: dt.datetime | None = None,
    agent: str = "",
) -> SigninResult:
    """Record the actor's sign-in once; a second sign-in changes nothing.

    The unique (session, person) constraint is what makes it once: the usual
    path reads one row (enrolment, and whether this device already signed in
    someone else) and INSERTs, which matters when a whole hall signs in
    within a minute; a duplicate lands in the IntegrityError branch.
    """
    try:
        return _sign_in(actor=actor, session=session, method=method, device=device[:40], ip=ip, now=now, agent=agent_key(agent))
    except IntegrityError:
        pass
    except ValidationError:
        # Refused (window closed, not enrolled…) — unless they had signed in already.
        person = person_of(actor)
        existing = Attendance.objects.filter(session_id=session.pk, person_id=person.pk).first()
        if existing is None:
            raise
        return _already(existing)
    person = person_of(actor)
    return _already(Attendance.objects.get(session_id=session.pk, person_id=person.pk))


def _already(existing: Attendance) -> SigninResult:
    if existing.signed_in_at is not None:
        return SigninResult(existing, False, _("您已签到，无需重复签到。"))
    return SigninResult(
        existing, False, _("管理员已登记您本次活动的考勤（%(status)s），如有疑问请联系管理员。") % {"status": existing.status_label}
    )


def _enrolment_and_device(actor, session: Session, device: str, ip=None, agent: str = "", since=None) -> tuple[int, bool, int, int | None]:
    """(person id, device already used by someone else in this session, how many others
    signed in from the same address and browser since ``since``, the school they enrolled
    from) in one query."""
    cached = getattr(actor, "_yanxiu_scope", None)
    # A scalar subquery, so that the enrolment is one probe of the unique
    # (session, person) index even while the planner's statistics are stale.
    person = (
        cached.person_id if cached is not None
        else Subquery(Person.objects.filter(user_id=actor.pk).order_by().values("pk")[:1])
    )
    who = {"person_id": person}
    shared = (
        Exists(Attendance.objects.filter(session_id=session.pk, signin_device=device).exclude(person_id=OuterRef("person_id")))
        if device
        else Value(False)
    )
    same_address = (
        Subquery(
            Attendance.objects.filter(session_id=session.pk, signin_ip=ip, signin_agent=agent, signed_in_at__gte=since)
            .exclude(person_id=OuterRef("person_id")).order_by().values("session_id").annotate(n=Count("pk")).values("n")[:1]
        )
        if ip and agent and since is not None
        else Value(0)
    )
    rows = (
        Enrollment.objects.filter(session_id=session.pk, status=Enrollment.Status.ENROLLED, **who)
        .annotate(shared=shared, same_address=same_address)
        .values_list("person_id", "shared", "same_address", "school_id")[:1]
    )
    row = next(iter(rows), None)
    if row is None:
        person_of(actor)  # a clearer message when the account has no person at all
        raise ValidationError(_("您不在本次活动的参训名单中，不能签到。如有疑问请联系管理员。"))
    return row


@transaction.atomic
def _sign_in(*, actor, session, method, device, ip, now, agent="") -> SigninResult:
    now = now or timezone.now()
    _check_session_open(session, tokens.PURPOSE_IN, now)
    since = now - dt.timedelta(seconds=ADDRESS_WINDOW_SECONDS)
    person_id, shared, same_address, school_id = _enrolment_and_device(actor, session, device, ip, agent, since)
    address_flagged = (same_address or 0) + 1 >= ADDRESS_MIN_PEOPLE
    late_after = session.starts_at + dt.timedelta(minutes=session.late_tolerance_minutes)
    attendance = Attendance.objects.create(
        session_id=session.pk,
        person_id=person_id,
        status=Attendance.Status.PRESENT,
        signed_in_at=now,
        is_late=now > late_after,
        signin_method=method,
        signin_device=device,
        signin_ip=ip,
        signin_agent=agent,
        address_flagged=address_flagged,
    )
    if address_flagged:
        _flag_same_address(session, attendance, since)
    # Two phones racing on the same device can each miss the other here; the
    # attendance sheet recomputes shared devices from the rows, so none is lost.
    flagged = shared and _flag_shared_device(session, attendance, device, "signin_device")
    audit.record(
        actor=actor, event=Event.ATTENDANCE_SIGN_IN, target=attendance,
        **({"school": school_id} if school_id else _session_scope(session)), session=session.pk, method=method, late=attendance.is_late, device_flagged=flagged, ip=ip,
        address_flagged=address_flagged,
    )
    message = _("签到成功。") if not attendance.is_late else _("签到成功（迟到）。")
    return SigninResult(attendance, True, message)


@transaction.atomic
def attendance_sign_out(
    *, actor, session: Session, method: str, device: str = "", ip: str | None = None, now: dt.datetime | None = None
) -> SigninResult:
    now = now or timezone.now()
    person = person_of(actor)
    attendance = Attendance.objects.select_for_update().filter(session_id=session.pk, person_id=person.pk).first()
    if attendance is None or attendance.signed_in_at is None:
        raise ValidationError(_("您尚未签到，不能签退。"))
    if attendance.signed_out_at is not None:
        return SigninResult(attendance, False, _("您已签退，无需重复签退。"))
    _check_session_open(session, tokens.PURPOSE_OUT, now)
    early_before = session.ends_at - dt.timedelta(minutes=session.early_leave_tolerance_minutes)
    attendance.signed_out_at = now
    attendance.left_early = now < early_before
    attendance.signout_method = method
    attendance.signout_device = device[:40]
    attendance.signout_ip = ip
    attendance.save(update_fields=["signed_out_at", "left_early", "signout_method", "signout_device", "signout_ip", "updated_at"])
    flagged = _flag_shared_device(session, attendance, device[:40], "signout_device")
    audit.record(
        actor=actor, event=Event.ATTENDANCE_SIGN_OUT, target=attendance, **_person_scope(session, person.pk),
        session=session.pk, method=method, early=attendance.left_early, device_flagged=flagged, ip=ip,
    )
    return SigninResult(attendance, True, _("签退成功（早退）。") if attendance.left_early else _("签退成功。"))


def attendance_scan(
    *, actor, session: Session, purpose: str, method: str, device: str = "", ip=None, now=None, agent: str = ""
) -> SigninResult:
    if purpose == tokens.PURPOSE_OUT:
        return attendance_sign_out(actor=actor, session=session, method=method, device=device, ip=ip, now=now)
    return attendance_sign_in(actor=actor, session=session, method=method, device=device, ip=ip, now=now, agent=agent)


def attendance_sign_by_code(
    *, actor, session: Session, code: str, device: str = "", ip=None, now: dt.datetime | None = None, agent: str = ""
) -> SigninResult:
    """Sign in or out with the 6-digit code on the screen; wrong guesses are capped per person and session."""
    person = person_of(actor)
    failures = CodeFailure.objects.filter(session_id=session.pk, person_id=person.pk).values_list("count", flat=True).first() or 0
    if failures >= MAX_CODE_FAILURES:
        raise ValidationError(_("数字码错误次数过多，请扫码签到或联系管理员。"))
    stamp = (now or timezone.now()).timestamp()
    purpose = tokens.purpose_of_code(session.pk, code, now=stamp)
    if purpose is None:
        _record_code_failure(session, person)
        raise ValidationError({"code": _("数字码不正确或已过期，请输入屏幕上当前显示的 6 位数字。")})
    return attendance_scan(
        actor=actor, session=session, purpose=purpose, method=Method.CODE, device=device, ip=ip, now=now, agent=agent
    )


@transaction.atomic
def _record_code_failure(session, person) -> None:
    updated = CodeFailure.objects.filter(session_id=session.pk, person_id=person.pk).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                CodeFailure.objects.create(session_id=session.pk, person_id=person.pk, count=1)
        except IntegrityError:
            CodeFailure.objects.filter(session_id=session.pk, person_id=person.pk).update(count=F("count") + 1)


# --- Manual marking -------------------------------------------------------------

MARK_CHOICES = {
    "normal": (Attendance.Status.PRESENT, False, False),
    "late": (Attendance.Status.PRESENT, True, False),
    "early": (Attendance.Status.PRESENT, False, True),
    "late_early": (Attendance.Status.PRESENT, True, True),
    "leave": (Attendance.Status.LEAVE, False, False),
    "absent": (Attendance.Status.ABSENT, False, False),
}


def mark_choices() -> list[tuple[str, str]]:
    return [
        ("normal", _("正常")), ("late", _("迟到")), ("early", _("早退")),
        ("late_early", _("迟到、早退")), ("leave", _("请假")), ("absent", _("缺训")),
    ]


@transaction.atomic
def attendance_mark(*, actor, session: Session, person: Person, status: str, reason: str) -> Attendance:
    """An admin sets a person's attendance for a session by hand; the reason is required and audited."""
    scopes.require(access.can_manage_attendance(actor, session))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写登记理由。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("登记理由不能超过 200 字。")})
    if status not in MARK_CHOICES:
        raise ValidationError({"status": _("考勤状态“%(value)s”无效。") % {"value": status}})
    if not Enrollment.objects.filter(session_id=session.pk, person_id=person.pk).exists() and not Attendance.objects.filter(
        session_id=session.pk, person_id=person.pk
    ).exists():
        raise ValidationError(_("%(name)s 不在本次活动的参训名单中。") % {"name": person.name})
    new_status, late, early = MARK_CHOICES[status]
    attendance = Attendance.objects.select_for_update().filter(session_id=session.pk, person_id=person.pk).first()
    before = None
    if attendance is None:
        attendance = Attendance(session_id=session.pk, person_id=person.pk, signin_method=Method.MANUAL)
    else:
        before = attendance.status_label
    attendance.status, attendance.is_late, attendance.left_early = new_status, late, early
    attendance.manual_reason = reason
    attendance.marked_by = actor
    attendance.full_clean()
    attendance.save()
    audit.record(
        actor=actor, event=Event.ATTENDANCE_MARK, target=attendance, **_person_scope(session, person.pk),
        session=session.pk, person=person.pk, before=before, after=attendance.status_label, reason=reason,
    )
    return attendance


@transaction.atomic
def attendance_mark_many(*, actor, session: Session, people, status: str, reason: str) -> list[Attendance]:
    """Set the same attendance, with one reason, for several people of a session: all or none, each through
    :func:`attendance_mark` (its checks and audit row)."""
    people = list(people)
    if not people:
        raise ValidationError(_("请先勾选要登记的教师。"))
    return [attendance_mark(actor=actor, session=session, person=person, status=status, reason=reason) for person in people]


# --- Notes and reflections (三查) -------------------------------------------------

#: Notes and reflection each, as typed (rich text): a long reflection is a few thousand characters.
MAX_REFLECTION_CHARS = 50_000

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "blockquote", "h3", "h4"}


# The HTML parser behind nh3 swallows the rest of the text after an unclosed <style>, <script>,
# <textarea>, <template> or comment, and everything inside <math>/<svg>. A reflection is text:
# before cleaning, closed script/style blocks and comments go, other tags lose their markup but
# keep their text, and a "<" that opens no allowed tag is written as text.
_CODE_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG_OR_LT = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>|<")


def _text_first(text: str, allowed: set[str]) -> str:
    def keep(match):
        name = match.group(2)
        if name is None:
            return "&lt;"
        return match.group(0) if name.lower() in allowed else ""

    return _TAG_OR_LT.sub(keep, _CODE_BLOCK.sub("", text))


def sanitise(text: str) -> str:
    return nh3.clean(_text_first(text or "", ALLOWED_TAGS), tags=ALLOWED_TAGS, attributes={})


def plain_text(rich: str) -> str:
    return html.unescape(nh3.clean(_text_first(rich or "", set()), tags=set(), attributes={})).strip()


def rule_for(session: Session) -> ReflectionRule:
    """The session's rule, or an unsaved one holding the minimum that applies to it
    (the county policy's, else the setting: ``reflection_rules.minimum_for``)."""
    rule = ReflectionRule.objects.filter(session_id=session.pk).first()
    if rule is None:
        minimum = reflection_rules.minimum_for(session, rule=None)
        rule = ReflectionRule(session_id=session.pk, min_reflection_chars=minimum.reflection_chars, min_notes_chars=minimum.notes_chars)
    return rule


@transaction.atomic
def reflection_rule_set(*, actor, session: Session, min_reflection_chars: int, min_notes_chars: int = 0) -> ReflectionRule:
    scopes.require(access.can_manage_attendance(actor, session))
    rule, _created = ReflectionRule.objects.get_or_create(session_id=session.pk)
    rule.min_reflection_chars, rule.min_notes_chars = min_reflection_chars, min_notes_chars
    rule.full_clean()
    rule.save()
    audit.record(actor=actor, event=Event.REFLECTION_RULE_SET, target=rule, **_session_scope(session), session=session.pk,
                 min_reflection_chars=min_reflection_chars, min_notes_chars=min_notes_chars)
    return rule


def is_on_leave(*, session: Session, person_id: int) -> bool:
    """Approved leave, or marked 请假 on the sheet."""
    return (
        LeaveRequest.objects.filter(session_id=session.pk, person_id=person_id, status=Decision.APPROVED).exists()
        or Attendance.objects.filter(session_id=session.pk, person_id=person_id, status=Attendance.Status.LEAVE).exists()
    )


@transaction.atomic
def reflection_submit(*, actor, session: Session, notes: str, body: str, now: dt.datetime | None = None) -> Reflection:
    """Submit (or resubmit after return) the actor's notes and reflection; near-copies are flagged."""
    now = now or timezone.now()
    person = person_of(actor)
    refusal = access.reflection_refusal(
        session, now=now,
        enrolled=Enrollment.objects.filter(session_id=session.pk, person_id=person.pk, status=Enrollment.Status.ENROLLED).exists(),
        on_leave=is_on_leave(session=session, person_id=person.pk),
    )
    if refusal:
        raise ValidationError(refusal)
    too_long = {
        name: _("最长 %(max)d 个字符（含格式），目前 %(n)d 个，请删减或分几次记录。") % {"max": MAX_REFLECTION_CHARS, "n": len(value)}
        for name, value in (("notes", notes or ""), ("body", body or "")) if len(value) > MAX_REFLECTION_CHARS
    }
    if too_long:  # before cleaning and comparing: both cost time in the text's length
        raise ValidationError(too_long)
    notes, body = sanitise(notes), sanitise(body)
    text = plain_text(body)
    minimum = reflection_rules.minimum_for(session)
    errors = {}
    if visible_length(text) < minimum.reflection_chars:
        errors["body"] = _("研修反思至少 %(min)s 字，目前 %(count)s 字。") % {"min": minimum.reflection_chars, "count": visible_length(text)}
    if visible_length(plain_text(notes)) < minimum.notes_chars:
        errors["notes"] = _("学习笔记至少 %(min)s 字。") % {"min": minimum.notes_chars}
    if errors:
        raise ValidationError(errors)
    reflection = Reflection.objects.select_for_update().filter(session_id=session.pk, person_id=person.pk).first()
    if reflection is not None and reflection.status == Reflection.Status.ACCEPTED:
        raise ValidationError(_("您的笔记与反思已审阅通过，不能再修改。"))
    if reflection is None:
        reflection = Reflection(session_id=session.pk, person_id=person.pk, revision=1)
    else:
        reflection.revision += 1
    reflection.notes, reflection.body, reflection.plain_text = notes, body, text
    reflection.status = Reflection.Status.SUBMITTED
    reflection.submitted_at = now
    reflection.full_clean()
    reflection.save()
    matches = originality.check(text, exclude_id=reflection.pk)
    SimilarityFlag.objects.filter(reflection=reflection).delete()
    SimilarityFlag.objects.bulk_create(
        [SimilarityFlag(reflection=reflection, other_id=m.reflection_id, containment=m.containment, jaccard=m.jaccard) for m in matches]
    )
    originality.index_reflection(reflection.pk, text)
    audit.record(
        actor=actor, event=Event.REFLECTION_SUBMIT, target=reflection, **_person_scope(session, person.pk), session=session.pk,
        revision=reflection.revision, similar=[m.reflection_id for m in matches],
    )
    return reflection


@transaction.atomic
def reflection_review(*, actor, reflection: Reflection, accept: bool, comment: str = "") -> Reflection:
    scopes.require(access.can_review_reflections(actor, reflection.session))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": _("退回时请填写审阅意见，说明需要修改的地方。")})
    if reflection.status != Reflection.Status.SUBMITTED:
        raise ValidationError(_("该反思当前状态为“%(status)s”，不能审阅。") % {"status": reflection.get_status_display()})
    if accept:
        # The length is judged here, by the rule in force, and once: an accepted
        # reflection keeps its credit even if the session's rule is raised later.
        minimum = reflection_rules.minimum_for(reflection.session).reflection_chars
        chars = reflection_rules.reflection_length(reflection)
        if chars < minimum:
            raise ValidationError(
                _("%(name)s 的研修反思 %(count)s 字，少于本次活动要求的 %(min)s 字，不能通过，请退回并说明。")
                % {"name": reflection.person.name, "count": chars, "min": minimum}
            )
    reflection.status = Reflection.Status.ACCEPTED if accept else Reflection.Status.RETURNED
    reflection.review_comment = comment
    reflection.reviewed_by = actor
    reflection.reviewed_at = timezone.now()
    reflection.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    audit.record(actor=actor, event=Event.REFLECTION_ACCEPT if accept else Event.REFLECTION_RETURN, target=reflection,
                 **_person_scope(reflection.session, reflection.person_id), comment=comment)
    return reflection


BULK_REVIEW_MAX = 500


@transaction.atomic
def reflections_accept(*, actor, reflection_ids, flags_seen: bool = False) -> list[Reflection]:
    """Accept several submitted reflections at once: all or none, one audit row each (through reflection_review).

    Refused as a whole when one of them is not the reviewer's to review or is no longer awaiting review,
    and when one carries an originality flag (疑似雷同) the reviewer has not said they have seen (``flags_seen``).
    """
    ids = sorted({int(i) for i in reflection_ids})
    if not ids:
        raise ValidationError(_("请先勾选要通过的反思。"))
    if len(ids) > BULK_REVIEW_MAX:
        raise ValidationError(_("一次最多批量通过 %(max)s 份反思。") % {"max": BULK_REVIEW_MAX})
    reflections = list(
        Reflection.objects.select_for_update(of=("self",)).filter(pk__in=ids)
        .select_related("person", "session", "session__project", "session__project__owner_school").order_by("pk")
    )
    if len(reflections) != len(ids):
        raise ValidationError(_("所选反思中有 %(n)s 份不存在或已被删除，请刷新页面后重试。") % {"n": len(ids) - len(reflections)})
    forbidden = [r for r in reflections if not access.can_review_reflections(actor, r.session)]
    if forbidden:
        raise PermissionDenied(_("您无权审阅以下反思：%(names)s。未做任何修改。") % {
            "names": "、".join(f"{r.person.name}（{r.session.title}）" for r in forbidden[:10])})
    not_waiting = [r for r in reflections if r.status != Reflection.Status.SUBMITTED]
    if not_waiting:
        raise ValidationError(_("以下反思当前不是待审阅状态，不能批量通过：%(names)s。未做任何修改。") % {
            "names": "、".join(f"{r.person.name}（{r.get_status_display()}）" for r in not_waiting[:10])})
    flagged = set(SimilarityFlag.objects.filter(reflection__in=reflections).values_list("reflection_id", flat=True))
    if flagged and not flags_seen:
        raise ValidationError(_("所选反思中 %(names)s 有疑似雷同提示：请先查看，并勾选“我已查看雷同提示”后再批量通过。未做任何修改。") % {
            "names": "、".join(r.person.name for r in reflections if r.pk in flagged)[:200]})
    return [reflection_review(actor=actor, reflection=r, accept=True) for r in reflections]
