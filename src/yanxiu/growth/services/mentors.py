"""Mentor pairs (师徒结对): the school pairs a mentor with an apprentice for a
term or a school year, both sides log their activities and confirm the other
side's, each writes a summary, and the school assesses the pair. A pair
assessed 优秀 or 合格 credits both sides within the policy's yearly cap for
mentor pairs, with the assessed pair and its confirmed activities as evidence."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school_id
from yanxiu.policy.models import ActivityType

from .. import calendar
from ..choices import AssessmentResult, MentorActivityKind, MentorStatus
from ..models import MentorActivity, MentorPair, MentorSummary
from ._common import try_credit

GOALS_MAX = 2000
DUTIES_MAX = 2000
CONTENT_MAX = 2000
SUMMARY_MAX = 5000
ASSESSMENT_MAX = 1000
REASON_MAX = 300
#: How long before its period a pair's ceremony may be held.
CEREMONY_LEAD_DAYS = 62
CREDITED_RESULTS = (AssessmentResult.EXCELLENT, AssessmentResult.PASS)


def can_run(user, school) -> bool:
    """Pairs are set up, cancelled and assessed by the school's own admin."""
    s = scopes.scope_of(user)
    return school is not None and (s.superuser or school.pk in s.admin_schools)


def _require_admin(actor, school) -> None:
    scopes.require(can_run(actor, school), _("只有本校管理员可以管理师徒结对。"))


def _person_id(actor):
    return scopes.scope_of(actor).person_id


def period_of(pair: MentorPair) -> tuple[dt.date, dt.date]:
    """First and last day of the pair's term, or of its school year."""
    if pair.term:
        span = calendar.term(pair.school, pair.school_year, pair.term)
        return span.start, span.end
    return calendar.year_span(pair.school, pair.school_year)


def period_label(pair: MentorPair) -> str:
    """The pair's term or school year, named by its numbers alone (no read of the school calendar)."""
    if pair.term:
        return calendar.default_term(pair.school_year, pair.term).label
    return _("%(y)s—%(n)s 学年") % {"y": pair.school_year, "n": pair.school_year + 1}


def _text(value, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError({field: _("%(label)s不能超过 %(n)s 字。") % {"label": label, "n": limit}})
    return value


def _locked_pair(pair: MentorPair) -> MentorPair:
    return MentorPair.objects.select_for_update().select_related("school", "mentor", "apprentice").get(pk=pair.pk)


def _require_active(pair: MentorPair) -> None:
    if pair.status != MentorStatus.ACTIVE:
        raise ValidationError(_("该结对%(status)s，不能再修改。") % {"status": pair.get_status_display()})


def _check_people(school, mentor, apprentice) -> None:
    if mentor is None or apprentice is None:
        raise ValidationError({"mentor" if mentor is None else "apprentice": _("请选择师傅和徒弟。")})
    if mentor.pk == apprentice.pk:
        raise ValidationError({"apprentice": _("师傅和徒弟不能是同一个人。")})
    for field, person in (("mentor", mentor), ("apprentice", apprentice)):
        if current_school_id(person) != school.pk:
            raise ValidationError({field: _("%(name)s 不是本校在职教师。") % {"name": person.name}})


def _check_ceremony(pair: MentorPair) -> None:
    if pair.ceremony_date is None:
        return
    start, end = period_of(pair)
    if not start - dt.timedelta(days=CEREMONY_LEAD_DAYS) <= pair.ceremony_date <= end:
        raise ValidationError({"ceremony_date": _("结对仪式日期须在结对期间（%(a)s 至 %(b)s）或开始前两个月内。")
                               % {"a": start, "b": end}})


@transaction.atomic
def pair_create(*, actor, school, mentor, apprentice, school_year, term=None, subject="", goals, mentor_duties="",
                apprentice_duties="", ceremony_date=None) -> MentorPair:
    """Pair two current teachers of ``school`` for a term (1 or 2) or, without a term, the school year."""
    _require_admin(actor, school)
    _check_people(school, mentor, apprentice)
    try:
        calendar.check_year(school_year)
    except ValueError as exc:
        raise ValidationError({"school_year": str(exc)}) from None
    if term not in (None, 1, 2):
        raise ValidationError({"term": _("学期只能是第一或第二学期，或留空表示整学年。")})
    pair = MentorPair(
        school=school, mentor=mentor, apprentice=apprentice, school_year=school_year, term=term,
        subject=(subject or "").strip(),
        goals=_text(goals, field="goals", label=_("结对目标"), limit=GOALS_MAX, required=True),
        mentor_duties=_text(mentor_duties, field="mentor_duties", label=_("师傅职责"), limit=DUTIES_MAX, required=False),
        apprentice_duties=_text(apprentice_duties, field="apprentice_duties", label=_("徒弟职责"), limit=DUTIES_MAX,
                                required=False),
        ceremony_date=ceremony_date, created_by=actor if getattr(actor, "pk", None) else None,
    )
    live = MentorPair.objects.filter(mentor=mentor, apprentice=apprentice, school_year=school_year).exclude(
        status=MentorStatus.CANCELLED)
    if live.exists():
        raise ValidationError({"apprentice": _("%(m)s 与 %(a)s 在 %(y)s 学年已有结对。")
                               % {"m": mentor.name, "a": apprentice.name, "y": school_year}})
    pair.full_clean(exclude=["created_by", "assessed_by"], validate_constraints=False)
    _check_ceremony(pair)
    pair.save()
    audit.record(actor=actor, event=Event.GROWTH_MENTOR_PAIR_CREATE, target=pair, school=school, mentor=mentor.pk,
                 apprentice=apprentice.pk, year=school_year, term=term)
    return pair


@transaction.atomic
def pair_cancel(*, actor, pair: MentorPair, reason) -> MentorPair:
    """End a pair before its assessment (a side left, the pairing did not work), with the reason."""
    pair = _locked_pair(pair)
    _require_admin(actor, pair.school)
    _require_active(pair)
    reason = _text(reason, field="reason", label=_("解除理由"), limit=REASON_MAX, required=True)
    pair.status = MentorStatus.CANCELLED
    pair.save(update_fields=["status"])
    audit.record(actor=actor, event=Event.GROWTH_MENTOR_PAIR_CANCEL, target=pair, school=pair.school, reason=reason)
    return pair


def _require_side(actor, pair: MentorPair) -> str:
    side = pair.side_of(_person_id(actor))
    scopes.require(bool(side), _("只有结对的师傅或徒弟可以执行此操作。"))
    return side


@transaction.atomic
def activity_log(*, actor, pair: MentorPair, kind, date, content, today: dt.date | None = None) -> MentorActivity:
    """Either side logs an activity of the pair; the other side confirms it."""
    today = today or timezone.localdate()
    pair = _locked_pair(pair)
    _require_side(actor, pair)
    _require_active(pair)
    if kind not in MentorActivityKind.values:
        raise ValidationError({"kind": _("请选择活动类型。")})
    if not isinstance(date, dt.date):
        raise ValidationError({"date": _("请填写活动日期。")})
    start, end = period_of(pair)
    if date > today:
        raise ValidationError({"date": _("活动日期不能晚于今天。")})
    if not start <= date <= end:
        raise ValidationError({"date": _("活动日期须在结对期间（%(a)s 至 %(b)s）。") % {"a": start, "b": end}})
    activity = MentorActivity(pair=pair, kind=kind, date=date, logged_by_id=_person_id(actor),
                              content=_text(content, field="content", label=_("活动内容"), limit=CONTENT_MAX, required=True))
    activity.full_clean(exclude=["logged_by", "pair"])
    activity.save()
    audit.record(actor=actor, event=Event.GROWTH_MENTOR_ACTIVITY_LOG, target=activity, school=pair.school, pair=pair.pk,
                 kind=kind)
    return activity


@transaction.atomic
def activity_confirm(*, actor, activity: MentorActivity) -> MentorActivity:
    """The side that did not log the activity confirms it took place."""
    activity = MentorActivity.objects.select_for_update().get(pk=activity.pk)
    pair = _locked_pair(activity.pair)
    _require_side(actor, pair)
    scopes.require(_person_id(actor) != activity.logged_by_id, _("活动须由结对的另一方确认。"))
    _require_active(pair)
    if activity.confirmed_at is not None:
        raise ValidationError(_("该活动已确认。"))
    activity.confirmed_at = timezone.now()
    activity.save(update_fields=["confirmed_at"])
    audit.record(actor=actor, event=Event.GROWTH_MENTOR_ACTIVITY_CONFIRM, target=activity, school=pair.school, pair=pair.pk)
    return activity


@transaction.atomic
def summary_submit(*, actor, pair: MentorPair, text) -> MentorSummary:
    """A side writes (or, until the assessment, rewrites) their summary of the pair."""
    pair = _locked_pair(pair)
    side = _require_side(actor, pair)
    _require_active(pair)
    text = _text(text, field="text", label=_("总结"), limit=SUMMARY_MAX, required=True)
    summary = MentorSummary.objects.filter(pair=pair, author_id=_person_id(actor)).first()
    revised = summary is not None
    if summary is None:
        summary = MentorSummary(pair=pair, author_id=_person_id(actor))
    summary.text = text
    summary.full_clean(exclude=["pair", "author"], validate_unique=False, validate_constraints=False)
    summary.save()
    audit.record(actor=actor, event=Event.GROWTH_MENTOR_SUMMARY, target=summary, school=pair.school, pair=pair.pk,
                 side=side, revised=revised)
    return summary


def _credit_side(*, actor, pair: MentorPair, person, side_label: str, confirmed: int, on: dt.date) -> str:
    """Credit one side; the reason (naming the side) when nothing is credited."""
    if current_school_id(person) != pair.school_id:
        return _("%(side)s %(name)s 已不在本校任职，学时请由其现任职学校登记。") % {"side": side_label, "name": person.name}
    title = _("%(m)s—%(a)s（%(p)s）") % {"m": pair.mentor.name, "a": pair.apprentice.name, "p": period_label(pair)}
    proof = _("师徒结对第 %(id)s 号经学校考核为“%(r)s”，经确认的结对活动 %(n)s 次") % {
        "id": pair.pk, "r": pair.get_result_display(), "n": confirmed}
    entry, why = try_credit(actor=actor, person=person, activity_type=ActivityType.MENTOR_PAIR, title=title[:150], date=on,
                            proof=proof, evidence_extra={"mentor_pair_id": pair.pk, "confirmed_activities": confirmed})
    if entry is None:
        return _("%(side)s %(name)s：%(why)s") % {"side": side_label, "name": person.name, "why": why}
    return ""


def _check_assessment(pair: MentorPair, result, assessment) -> str:
    if result not in AssessmentResult.values:
        raise ValidationError({"result": _("考核结果须为优秀、合格或不合格。")})
    authors = set(pair.summaries.values_list("author_id", flat=True))
    missing = [p.name for p in (pair.mentor, pair.apprentice) if p.pk not in authors]
    if missing:
        raise ValidationError(_("%(names)s 尚未提交结对总结，不能考核。") % {"names": "、".join(missing)})
    return _text(assessment, field="assessment", label=_("学校考核意见"), limit=ASSESSMENT_MAX,
                 required=result == AssessmentResult.FAIL)


@transaction.atomic
def pair_assess(*, actor, pair: MentorPair, result, assessment, today: dt.date | None = None) -> tuple[MentorPair, str]:
    """The school assesses a pair whose sides both summarised it. 优秀 and 合格 credit both
    sides within the policy's cap; returns the pair and why a side got no credit ("" when both did)."""
    today = today or timezone.localdate()
    pair = _locked_pair(pair)
    _require_admin(actor, pair.school)
    _require_active(pair)
    pair.assessment = _check_assessment(pair, result, assessment)
    pair.result, pair.status = result, MentorStatus.ASSESSED
    pair.assessed_by, pair.assessed_at = (actor if getattr(actor, "pk", None) else None), timezone.now()
    pair.save(update_fields=["assessment", "result", "status", "assessed_by", "assessed_at"])
    confirmed = pair.activities.filter(confirmed_at__isnull=False).count()
    reasons = []
    if result in CREDITED_RESULTS and confirmed == 0:
        reasons.append(_("没有经对方确认的结对活动，不计学时。"))
    elif result in CREDITED_RESULTS:
        on = min(period_of(pair)[1], today)
        for person, label in ((pair.mentor, _("师傅")), (pair.apprentice, _("徒弟"))):
            why = _credit_side(actor=actor, pair=pair, person=person, side_label=label, confirmed=confirmed, on=on)
            if why:
                reasons.append(why)
    why = "；".join(reasons)
    audit.record(actor=actor, event=Event.GROWTH_MENTOR_ASSESS, target=pair, school=pair.school, result=result,
                 confirmed_activities=confirmed, no_credit=why[:300])
    return pair, why
