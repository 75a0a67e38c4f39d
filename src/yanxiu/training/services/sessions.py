"""Writes to sessions: create, change (with the notice of a change), publish,
cancel, recurring series; evaluations of a session and the calendar feed."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, params
from yanxiu.core.events import Event
from yanxiu.org import scopes

from .. import access
from ..models import CalendarFeed, Enrollment, Evaluation, Project, Session, SessionChange, new_feed_token
from ._common import _actor_person
from .enrolment import _invite, _scope_people_ids
from .projects import hours_policy_for


# --- Sessions -----------------------------------------------------------------

#: A session lasts at most this long (a centralised course of two weeks); longer training is several sessions.
SESSION_MAX_DAYS = 14

_SESSION_FIELDS = {
    "title", "starts_at", "ends_at", "place", "presenter", "presenter_name", "content", "requirements", "theme",
    "lead_speaker", "group", "signin_requires_signout", "late_tolerance_minutes", "early_leave_tolerance_minutes",
    "invite_scope", "presenter_account",
}
# A published session's changes the enrolled teachers are told about.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "place")


def missing_fixed_items(session: Session) -> list[str]:
    """The 四定 (time, place, content, presenter) — and for group sessions 五定
    (theme, lead speaker) — not yet set, as Chinese labels in a fixed order."""
    missing = []
    if not (session.starts_at and session.ends_at):
        missing.append(_("时间"))
    if not session.place.strip():
        missing.append(_("地点"))
    if not session.content.strip():
        missing.append(_("内容"))
    if not (session.presenter_id or session.presenter_name.strip()):
        missing.append(_("主讲人"))
    if session.is_group_session:
        if not session.theme.strip():
            missing.append(_("主题"))
        if not session.lead_speaker_id:
            missing.append(_("中心发言人"))
    return missing


def _check_session_time(session: Session) -> dict[str, str]:
    """Start before end, both inside the window of years, at most SESSION_MAX_DAYS long:
    checked before the hours are computed from them."""
    errors: dict[str, str] = {}
    low, high = params.year_bounds()
    for name in ("starts_at", "ends_at"):
        value = getattr(session, name)
        if value and not low <= value.year <= high:
            errors[name] = _("时间须在 %(low)d 年至 %(high)d 年之间。") % {"low": low, "high": high}
    if errors or not (session.starts_at and session.ends_at):
        return errors
    if session.ends_at <= session.starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    elif session.ends_at - session.starts_at > dt.timedelta(days=SESSION_MAX_DAYS):
        errors["ends_at"] = _("一次活动最长 %(days)d 天，请分成多次活动。") % {"days": SESSION_MAX_DAYS}
    return errors


def _check_session(session: Session) -> None:
    errors = _check_session_time(session)
    if bool(session.starts_at) != bool(session.ends_at):
        errors["ends_at" if session.starts_at else "starts_at"] = _("开始时间和结束时间须同时填写。")
    school_id = session.project.owner_school_id
    if session.group_id is not None:
        if school_id is None or session.group.school_id != school_id:
            errors["group"] = _("教研组必须是承办学校的教研组。")
    if session.presenter_account_id is not None:
        from yanxiu.accounts.models import Role, RoleAssignment

        if not RoleAssignment.objects.filter(user_id=session.presenter_account_id, role=Role.PRESENTER).exists():
            errors["presenter_account"] = _("所选账号不是主讲人账号。")
    if session.invite_scope == Session.InviteScope.GROUP and session.group_id is None:
        errors["group"] = _("参训范围为“教研组”时须选择教研组。")
    if session.status == Session.Status.PUBLISHED:
        missing = missing_fixed_items(session)
        if missing:
            errors["__all__"] = _("已发布的活动须保留四定内容，缺少：%(items)s。") % {"items": "、".join(missing)}
    if errors:
        raise ValidationError(errors)


def _require_group_of_leader(actor, project: Project, group) -> None:
    """A group leader who does not manage the project works only on their own group's sessions."""
    if access.can_manage_project(actor, project):
        return
    if group is None or group.pk not in access.led_groups_of_school(actor, project):
        raise ValidationError({"group": _("教研组长只能安排本组的活动，请选择您负责的教研组。")})


@transaction.atomic
def session_create(*, actor, project: Project, **fields: Any) -> Session:
    scopes.require(access.can_add_session(actor, project))
    _require_group_of_leader(actor, project, fields.get("group"))
    unknown = set(fields) - _SESSION_FIELDS
    if unknown:
        raise ValueError(f"unknown session fields: {sorted(unknown)}")
    session = Session(project=project, created_by=actor, **fields)
    if project.is_bureau_level:
        session.invite_scope = Session.InviteScope.LIST
    _check_session(session)
    session.hours = session.compute_hours(**hours_policy_for(project))
    session.full_clean()
    session.save()
    if project.is_bureau_level:
        # People already named on project-wide places are expected at every new session too.
        for quota in project.quotas.filter(session__isnull=True):
            named = list(quota.nominations.filter(is_active=True).values_list("person_id", flat=True))
            _invite(session=session, people_ids=named, source=Enrollment.Source.NAMED, school_id=quota.school_id)
    audit.record(actor=actor, event=Event.TRAINING_SESSION_CREATE, target=session, school=project.owner_school_id,
                 county=project.region_id, title=session.title,
                 hours=str(session.hours))
    return session


@transaction.atomic
def session_update(*, actor, session: Session, **fields: Any) -> Session:
    session = Session.objects.select_for_update(of=("self",)).select_related("project").get(pk=session.pk)
    scopes.require(access.can_manage_session(actor, session))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("活动“%(title)s”已取消，不能修改。") % {"title": session.title})
    unknown = set(fields) - _SESSION_FIELDS
    if unknown:
        raise ValueError(f"unknown session fields: {sorted(unknown)}")
    changed = {k: str(v) for k, v in fields.items() if getattr(session, k) != v}
    before = {k: getattr(session, k) for k in NOTIFIED_FIELDS}
    for key, value in fields.items():
        setattr(session, key, value)
    _require_group_of_leader(actor, session.project, session.group)
    if session.project.is_bureau_level:
        session.invite_scope = Session.InviteScope.LIST
    _check_session(session)
    session.hours = session.compute_hours(**hours_policy_for(session.project))
    session.full_clean()
    notified = session.status == Session.Status.PUBLISHED and any(before[k] != getattr(session, k) for k in NOTIFIED_FIELDS)
    if notified:
        # Enrolled teachers are shown the change until the session takes place, and calendars pick it up.
        session.ics_sequence += 1
    session.save()
    previous = {}
    if notified:
        SessionChange.objects.create(
            session=session, changed_by=actor, old_starts_at=before["starts_at"], old_ends_at=before["ends_at"],
            old_place=before["place"], new_starts_at=session.starts_at, new_ends_at=session.ends_at, new_place=session.place,
        )
        previous = {k: str(v) for k, v in before.items() if v != getattr(session, k)}
    audit.record(actor=actor, event=Event.TRAINING_SESSION_UPDATE, target=session, school=session.project.owner_school_id, county=session.project.region_id,
                 changed=changed, previous=previous,
                 notified=notified)
    return session


@transaction.atomic
def session_publish(*, actor, session: Session) -> Session:
    """Publish the notice. Refused until the project is approved and 四定/五定 are all set."""
    session = Session.objects.select_for_update(of=("self",)).select_related("project").get(pk=session.pk)
    scopes.require(access.can_manage_session(actor, session))
    if session.status != Session.Status.DRAFT:
        raise ValidationError(
            _("活动“%(title)s”当前状态为“%(status)s”，不能发布。")
            % {"title": session.title, "status": session.get_status_display()}
        )
    if not session.project.is_cleared_to_run:
        raise ValidationError(
            _("项目“%(title)s”尚未通过研训中心审核，活动不能发布。") % {"title": session.project.title}
        )
    missing = missing_fixed_items(session)
    if missing:
        label = _("五定") if session.is_group_session else _("四定")
        raise ValidationError(
            _("活动“%(title)s”%(label)s未落实，不能发布。缺少：%(items)s。")
            % {"title": session.title, "label": label, "items": "、".join(missing)}
        )
    session.status = Session.Status.PUBLISHED
    session.published_at = timezone.now()
    session.save(update_fields=["status", "published_at", "updated_at"])
    invited = 0
    if session.invite_scope in (Session.InviteScope.WHOLE_SCHOOL, Session.InviteScope.GROUP) and not session.project.is_bureau_level:
        invited = _invite(session=session, people_ids=_scope_people_ids(session, session.invite_scope, session.group))
    audit.record(actor=actor, event=Event.TRAINING_SESSION_PUBLISH, target=session, school=session.project.owner_school_id, county=session.project.region_id,
                 invited=invited)
    return session


@transaction.atomic
def session_cancel(*, actor, session: Session, reason: str) -> Session:
    session = Session.objects.select_for_update(of=("self",)).select_related("project").get(pk=session.pk)
    scopes.require(access.can_manage_session(actor, session))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("活动已取消。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写取消原因。")})
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, event=Event.TRAINING_SESSION_CANCEL, target=session, school=session.project.owner_school_id, county=session.project.region_id,
                 reason=reason.strip())
    return session


MAX_RECURRING = 60


@transaction.atomic
def sessions_create_recurring(
    *,
    actor,
    project: Project,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    first_date: dt.date,
    last_date: dt.date,
    skip_dates: Iterable[dt.date] = (),
    **fields: Any,
) -> list[Session]:
    """One session on every ``weekday`` (0 = Monday) between the two dates,
    inclusive, except on ``skip_dates`` (holidays, exam weeks)."""
    scopes.require(access.can_add_session(actor, project))
    _require_group_of_leader(actor, project, fields.get("group"))
    if last_date < first_date:
        raise ValidationError({"last_date": _("结束日期不能早于开始日期。")})
    if end_time <= start_time:
        raise ValidationError({"end_time": _("结束时刻必须晚于开始时刻。")})
    if not 0 <= weekday <= 6:
        raise ValidationError({"weekday": _("星期应为周一至周日。")})
    # Bounded before the dates are walked: at most MAX_RECURRING weeks, inside the window of years.
    low, high = params.year_bounds()
    if not (low <= first_date.year <= high and low <= last_date.year <= high):
        raise ValidationError({"first_date": _("日期须在 %(low)d 年至 %(high)d 年之间。") % {"low": low, "high": high}})
    if (last_date - first_date).days > 7 * 2 * MAX_RECURRING:
        raise ValidationError(
            {"last_date": _("一次最多生成 %(max)d 次活动，请缩短日期范围。") % {"max": MAX_RECURRING}}
        )
    skipped = set(skip_dates)
    day = first_date + dt.timedelta(days=(weekday - first_date.weekday()) % 7)
    dates = []
    while day <= last_date:
        if day not in skipped:
            dates.append(day)
        day += dt.timedelta(days=7)
    if not dates:
        raise ValidationError({"last_date": _("所选日期范围内没有这一天（星期）。")})
    if len(dates) > MAX_RECURRING:
        raise ValidationError(
            {"last_date": _("一次最多生成 %(max)d 次活动，当前为 %(n)d 次，请缩短日期范围。") % {"max": MAX_RECURRING, "n": len(dates)}}
        )
    series = secrets.token_hex(8)
    base_title = fields.pop("title", "") or project.title
    tz = timezone.get_current_timezone()
    created = []
    for index, day in enumerate(dates, start=1):
        session = session_create(
            actor=actor,
            project=project,
            title=f"{base_title}（第{index}次）",
            starts_at=dt.datetime.combine(day, start_time, tzinfo=tz),
            ends_at=dt.datetime.combine(day, end_time, tzinfo=tz),
            **fields,
        )
        session.series = series
        session.save(update_fields=["series"])
        created.append(session)
    audit.record(actor=actor, event=Event.TRAINING_SESSION_CREATE_RECURRING, target=project, school=project.owner_school_id,
                 county=project.region_id, series=series, count=len(created))
    return created


# --- Evaluation ---------------------------------------------------------------


@transaction.atomic
def evaluation_submit(
    *, actor, session: Session, content_score: int, presenter_score: int, organisation_score: int, comment: str = ""
) -> Evaluation:
    person = _actor_person(actor)
    scopes.require(
        Enrollment.objects.filter(session=session, person=person, status=Enrollment.Status.ENROLLED).exists(),
        _("只有参训人员可以评价该活动。"),
    )
    if session.status != Session.Status.PUBLISHED or not session.has_started():
        raise ValidationError(_("活动开始后才能评价。"))
    if Evaluation.objects.filter(session=session, person=person).exists():
        raise ValidationError(_("您已评价过该活动，每人只能评价一次。"))
    errors = {}
    for field, value in (("content_score", content_score), ("presenter_score", presenter_score),
                         ("organisation_score", organisation_score)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[field] = _("评分须为 1 到 5 分。")
    if errors:
        raise ValidationError(errors)
    evaluation = Evaluation(session=session, person=person, content_score=content_score, presenter_score=presenter_score,
                            organisation_score=organisation_score, comment=(comment or "").strip())
    evaluation.full_clean()
    evaluation.save()
    audit.record(actor=actor, event=Event.TRAINING_EVALUATION_SUBMIT, target=evaluation, school=session.project.owner_school_id, county=session.project.region_id,
                 session=session.pk)
    return evaluation


# --- Calendar feed ------------------------------------------------------------


def calendar_feed_for(person) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(person=person)
    return feed


@transaction.atomic
def calendar_feed_reset(*, actor) -> CalendarFeed:
    """Issue a new secret; the old subscription URL stops working."""
    person = _actor_person(actor)
    feed = calendar_feed_for(person)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    audit.record(actor=actor, event=Event.TRAINING_CALENDAR_RESET, target=feed)
    return feed
