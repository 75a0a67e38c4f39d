"""Writes to training: each function checks permission, validates, saves and
audits in one transaction. Views, the API and commands call these, never
``Model.save``."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from yanxiu.org import scopes
from yanxiu.core import audit, params, uploads

from . import access
from .models import (
    BUREAU_LEVELS,
    CalendarFeed,
    ContentCategory,
    Decision,
    Enrollment,
    Evaluation,
    LeaveRequest,
    LeaveType,
    Nomination,
    Project,
    Quota,
    SchoolPlan,
    Session,
    SessionChange,
    SwapRequest,
    TrainingLevel,
    new_feed_token,
    school_year_of,
)


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("您没有权限执行此操作。"))


def _local(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def _actor_person(actor):
    from yanxiu.org.models import Person

    person_id = scopes.scope_of(actor).person_id
    if person_id is None:
        raise PermissionDenied(_("您的账号未关联教师档案。"))
    return Person.objects.get(pk=person_id)


def validate_school_year(value: str) -> None:
    parts = (value or "").split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts) or int(parts[1]) != int(parts[0]) + 1:
        raise ValidationError({"school_year": _("学年格式应为“2026-2027”（前后相差一年）。")})


# --- Hours policy -------------------------------------------------------------


def hours_policy_for(project: Project) -> dict[str, Any]:
    """The 学时 conversion of the policy in force for the project's county and
    school year (``minutes_per_hour``, ``max_per_day``); empty means the
    defaults (45 minutes, 8 a day)."""
    from yanxiu.policy.selectors import spec_in_force

    county = project.owner_school.county if project.owner_school_id else project.region
    try:
        year = int(project.school_year[:4])
    except (TypeError, ValueError):
        return {}
    spec = spec_in_force(county, year)
    if spec is None:
        return {}
    return {"minutes_per_hour": spec.minutes_per_hour, "max_per_day": spec.max_hours_per_day}


# --- Catalogue ----------------------------------------------------------------


@transaction.atomic
def category_save(*, actor, category: ContentCategory | None = None, **fields: Any) -> ContentCategory:
    creating = category is None
    category = category or ContentCategory()
    for key, value in fields.items():
        setattr(category, key, value)
    _require(access.can_manage_categories(actor, category.region))
    category.full_clean()
    category.save()
    audit.record(
        actor=actor,
        action="training.category.create" if creating else "training.category.update",
        target=category,
        code=category.code,
        compulsory=category.compulsory,
        mandated=category.mandated,
    )
    return category


# --- Plans and projects -------------------------------------------------------


@transaction.atomic
def plan_save(*, actor, school, plan: SchoolPlan | None = None, **fields: Any) -> SchoolPlan:
    _require(scopes.can_manage_school(actor, school))
    creating = plan is None
    plan = plan or SchoolPlan(school=school, created_by=actor)
    if plan.school_id != school.pk:
        raise PermissionDenied(_("该计划不属于本校。"))
    for key, value in fields.items():
        setattr(plan, key, value)
    validate_school_year(plan.school_year)
    if SchoolPlan.objects.filter(school=school, school_year=plan.school_year).exclude(pk=plan.pk).exists():
        raise ValidationError({"school_year": _("本校 %(year)s 学年的计划已存在。") % {"year": plan.school_year}})
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, action="training.plan.create" if creating else "training.plan.update", target=plan,
                 school_year=plan.school_year)
    return plan


_PROJECT_FIELDS = {"title", "description", "level", "kind", "category", "school_year", "plan"}


def _check_project(project: Project) -> None:
    validate_school_year(project.school_year)
    if project.owner_school_id is not None and project.level in BUREAU_LEVELS:
        raise ValidationError({"level": _("学校项目的级别只能是“校培”。")})
    if project.owner_school_id is None and project.level == TrainingLevel.SCHOOL:
        raise ValidationError({"level": _("教育局组织的培训不能选“校培”。")})
    if project.plan_id is not None:
        if project.plan.school_id != project.owner_school_id:
            raise ValidationError({"plan": _("所属计划必须是本校的计划。")})
        if project.plan.school_year != project.school_year:
            raise ValidationError({"plan": _("所属计划的学年与项目学年不一致。")})
    if project.category_id is not None and project.category.region_id not in (None, *_region_chain_ids(project.region)):
        raise ValidationError({"category": _("内容类别不属于本地区目录。")})


def _region_chain_ids(region) -> list[int]:
    return [r.pk for r in region.ancestors_and_self()] if region is not None else []


@transaction.atomic
def project_create(*, actor, owner_school=None, region=None, **fields: Any) -> Project:
    """A school project (owner_school set) or a bureau project (region set, no school).

    School projects need the training centre's approval unless their content
    is mandated (规定内容) by the region's catalogue.
    """
    unknown = set(fields) - _PROJECT_FIELDS
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    if owner_school is not None:
        _require(scopes.can_manage_school(actor, owner_school))
        project = Project(owner_school=owner_school, region=owner_school.county, created_by=actor, **fields)
        project.level = TrainingLevel.SCHOOL
        category = project.category if project.category_id else None
        project.requires_approval = not (category is not None and category.mandated)
        project.status = Project.Status.DRAFT if project.requires_approval else Project.Status.APPROVED
    else:
        _require(access.can_create_bureau_project(actor, region))
        project = Project(region=region, created_by=actor, requires_approval=False, status=Project.Status.APPROVED, **fields)
        if project.level == TrainingLevel.SCHOOL:
            project.level = TrainingLevel.COUNTY
    if not project.school_year:
        project.school_year = school_year_of(timezone.localdate())
    _check_project(project)
    project.full_clean()
    project.save()
    audit.record(actor=actor, action="training.project.create", target=project, title=project.title,
                 level=project.level, requires_approval=project.requires_approval)
    return project


@transaction.atomic
def project_update(*, actor, project: Project, **fields: Any) -> Project:
    _require(access.can_manage_project(actor, project))
    if project.requires_approval and project.status in (Project.Status.SUBMITTED, Project.Status.APPROVED):
        raise ValidationError(
            _("项目“%(title)s”已提交审核或已通过，不能再修改；如需调整请联系研训中心退回。") % {"title": project.title}
        )
    unknown = set(fields) - _PROJECT_FIELDS
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    changed = {k: str(v) for k, v in fields.items() if getattr(project, k) != v}
    for key, value in fields.items():
        setattr(project, key, value)
    if project.owner_school_id is not None:
        project.level = TrainingLevel.SCHOOL
    _check_project(project)
    project.full_clean()
    project.save()
    audit.record(actor=actor, action="training.project.update", target=project, changed=changed)
    return project


@transaction.atomic
def project_submit(*, actor, project: Project) -> Project:
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    _require(access.can_manage_project(actor, project))
    if not project.requires_approval:
        raise ValidationError(_("该项目无需研训中心审核。"))
    if project.status not in (Project.Status.DRAFT, Project.Status.RETURNED):
        raise ValidationError(
            _("项目当前状态为“%(status)s”，不能提交审核。") % {"status": project.get_status_display()}
        )
    project.status = Project.Status.SUBMITTED
    project.submitted_at = timezone.now()
    project.save(update_fields=["status", "submitted_at"])
    audit.record(actor=actor, action="training.project.submit", target=project)
    return project


def _review(*, actor, project: Project, approve: bool, comment: str) -> Project:
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    _require(access.can_review_project(actor, project), _("只有本区县研训中心可以审核学校项目。"))
    if project.status != Project.Status.SUBMITTED:
        raise ValidationError(
            _("项目当前状态为“%(status)s”，不是待审核状态。") % {"status": project.get_status_display()}
        )
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("退回项目时必须填写审核意见，说明需要修改的地方。")})
    project.status = Project.Status.APPROVED if approve else Project.Status.RETURNED
    project.review_comment = comment
    project.reviewer = actor
    project.reviewed_at = timezone.now()
    project.save(update_fields=["status", "review_comment", "reviewer", "reviewed_at"])
    audit.record(actor=actor, action="training.project.approve" if approve else "training.project.return",
                 target=project, comment=comment)
    return project


@transaction.atomic
def project_approve(*, actor, project: Project, comment: str = "") -> Project:
    return _review(actor=actor, project=project, approve=True, comment=comment)


@transaction.atomic
def project_return(*, actor, project: Project, comment: str) -> Project:
    return _review(actor=actor, project=project, approve=False, comment=comment)


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
    _require(access.can_add_session(actor, project))
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
    audit.record(actor=actor, action="training.session.create", target=session, title=session.title,
                 hours=str(session.hours))
    return session


@transaction.atomic
def session_update(*, actor, session: Session, **fields: Any) -> Session:
    session = Session.objects.select_for_update(of=("self",)).select_related("project").get(pk=session.pk)
    _require(access.can_manage_session(actor, session))
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
    audit.record(actor=actor, action="training.session.update", target=session, changed=changed, previous=previous,
                 notified=notified)
    return session


@transaction.atomic
def session_publish(*, actor, session: Session) -> Session:
    """Publish the notice. Refused until the project is approved and 四定/五定 are all set."""
    session = Session.objects.select_for_update(of=("self",)).select_related("project").get(pk=session.pk)
    _require(access.can_manage_session(actor, session))
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
    audit.record(actor=actor, action="training.session.publish", target=session, invited=invited)
    return session


@transaction.atomic
def session_cancel(*, actor, session: Session, reason: str) -> Session:
    session = Session.objects.select_for_update(of=("self",)).select_related("project").get(pk=session.pk)
    _require(access.can_manage_session(actor, session))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("活动已取消。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写取消原因。")})
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="training.session.cancel", target=session, reason=reason.strip())
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
    _require(access.can_add_session(actor, project))
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
    audit.record(actor=actor, action="training.session.create_recurring", target=project, series=series, count=len(created))
    return created


# --- Enrolment ----------------------------------------------------------------


def _scope_people_ids(session: Session, scope: str, group=None, people: Iterable = ()) -> list[int]:
    from yanxiu.org.models import Employment

    school_id = session.project.owner_school_id
    current = Employment.objects.current().filter(school_id=school_id)
    if scope == Session.InviteScope.WHOLE_SCHOOL:
        return list(current.values_list("person_id", flat=True))
    if scope == Session.InviteScope.GROUP:
        return list(current.filter(groups=group).values_list("person_id", flat=True).distinct())
    ids = [getattr(p, "pk", p) for p in people]
    valid = set(current.filter(person_id__in=ids).values_list("person_id", flat=True))
    bad = [i for i in ids if i not in valid]
    if bad:
        # Only the numbers the caller sent: naming them would tell who works at other schools.
        shown = "、".join(str(i) for i in bad[:10]) + ("……" if len(bad) > 10 else "")
        raise ValidationError({"people": _("以下人员编号不是本校在职教师：%(ids)s。") % {"ids": shown}})
    return ids


def _invite(*, session: Session, people_ids: Iterable[int], source: str = Enrollment.Source.INVITED, school_id=None) -> int:
    """Create or re-activate enrolments; returns how many became active."""
    people_ids = list(dict.fromkeys(people_ids))
    existing = {e.person_id: e for e in Enrollment.objects.filter(session=session, person_id__in=people_ids)}
    school_id = school_id or session.project.owner_school_id
    count = 0
    new_rows = []
    for person_id in people_ids:
        row = existing.get(person_id)
        if row is None:
            new_rows.append(Enrollment(session=session, person_id=person_id, source=source, school_id=school_id))
        elif row.status == Enrollment.Status.WITHDRAWN:
            row.status = Enrollment.Status.ENROLLED
            row.withdrawn_at = None
            row.source = source
            row.save(update_fields=["status", "withdrawn_at", "source"])
        else:
            continue
        count += 1
    Enrollment.objects.bulk_create(new_rows)
    return count


@transaction.atomic
def session_invite(*, actor, session: Session, scope: str, group=None, people: Iterable = ()) -> int:
    """Invite the whole school, a group or a list of its teachers to a school session."""
    _require(access.can_manage_session(actor, session))
    if session.project.is_bureau_level:
        raise ValidationError(_("教育局组织的培训按名额由学校指派参训人员，不能直接邀请。"))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("活动已取消，不能邀请。"))
    if scope == Session.InviteScope.GROUP:
        if group is None or group.school_id != session.project.owner_school_id:
            raise ValidationError({"group": _("请选择本校的教研组。")})
    ids = _scope_people_ids(session, scope, group, people)
    if not ids:
        raise ValidationError(_("所选范围内没有在职教师。"))
    count = _invite(session=session, people_ids=ids)
    audit.record(actor=actor, action="training.session.invite", target=session, scope=scope, invited=count)
    return count


@transaction.atomic
def enrollment_withdraw(*, actor, enrollment: Enrollment) -> Enrollment:
    session = enrollment.session
    is_self = scopes.scope_of(actor).person_id == enrollment.person_id and enrollment.source == Enrollment.Source.SELF
    _require(is_self or access.can_manage_session(actor, session))
    if enrollment.source == Enrollment.Source.NAMED:
        raise ValidationError(_("名额指派的参训人员须通过换人/退出申请，经教育局批准后调整。"))
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise ValidationError(_("已退出。"))
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.save(update_fields=["status", "withdrawn_at"])
    audit.record(actor=actor, action="training.enrollment.withdraw", target=enrollment, session=session.pk)
    return enrollment


@transaction.atomic
def session_self_enroll(*, actor, session: Session) -> Enrollment:
    """A teacher signs up for a published session of their own school."""
    person = _actor_person(actor)
    school_id = access.person_school_id(person.pk)
    if session.status != Session.Status.PUBLISHED or session.project.owner_school_id != school_id or school_id is None:
        raise PermissionDenied(_("只能报名本校已发布的活动。"))
    if session.has_started():
        raise ValidationError(_("活动已开始，不能再报名。"))
    _invite(session=session, people_ids=[person.pk], source=Enrollment.Source.SELF, school_id=school_id)
    enrollment = Enrollment.objects.get(session=session, person=person)
    audit.record(actor=actor, action="training.enrollment.self", target=enrollment, session=session.pk)
    return enrollment


# --- Quotas (名额) --------------------------------------------------------------


@transaction.atomic
def quota_allocate(*, actor, project: Project, school, places: int, deadline: dt.datetime, session: Session | None = None) -> Quota:
    """Allocate (or change) a school's places on a bureau-level project or one of its sessions."""
    _require(access.can_allocate_quota(actor, project), _("只有组织培训的教育局可以分配名额。"))
    if not project.is_bureau_level:
        raise ValidationError(_("学校自办项目不分配名额。"))
    if session is not None and session.project_id != project.pk:
        raise ValidationError({"session": _("该活动不属于此项目。")})
    if not access.can_create_bureau_project(actor, school.county):
        raise ValidationError({"school": _("只能给本辖区的学校分配名额。")})
    if places is None or places < 1:
        raise ValidationError({"places": _("名额至少为 1 人。")})
    quota = Quota.objects.select_for_update(of=("self",)).filter(project=project, session=session, school=school).first()
    creating = quota is None
    if quota is None:
        quota = Quota(project=project, session=session, school=school)
    named = quota.nominations.filter(is_active=True).count() if quota.pk else 0
    if places < named:
        raise ValidationError(
            {"places": _("%(school)s 已报 %(named)d 人，名额不能少于已报人数。") % {"school": school.name, "named": named}}
        )
    quota.places = places
    quota.deadline = deadline
    quota.full_clean()
    quota.save()
    audit.record(actor=actor, action="training.quota.allocate" if creating else "training.quota.update", target=quota,
                 school=school.pk, places=places, deadline=deadline.isoformat())
    return quota


def _lock_quota(quota: Quota) -> Quota:
    return Quota.objects.select_for_update(of=("self",)).select_related("project", "school", "session").get(pk=quota.pk)


@transaction.atomic
def quota_name(*, actor, quota: Quota, people: Iterable) -> list[Nomination]:
    """The school names participants on its places (before it submits)."""
    from yanxiu.org.models import Employment, Person

    quota = _lock_quota(quota)
    _require(access.can_name_on_quota(actor, quota))
    if quota.is_submitted:
        raise ValidationError(_("名单已提交，换人或退出须提出申请，经教育局批准。"))
    if timezone.now() > quota.deadline:
        raise ValidationError(_("报名已于 %(deadline)s 截止。") % {"deadline": _local(quota.deadline)})
    people = [p if isinstance(p, Person) else Person.objects.get(pk=p) for p in people]
    active = set(quota.nominations.filter(is_active=True).values_list("person_id", flat=True))
    new = [p for p in dict.fromkeys(people) if p.pk not in active]
    if not new:
        raise ValidationError(_("所选人员已在名单中。"))
    employed = set(
        Employment.objects.current().filter(school=quota.school, person__in=new).values_list("person_id", flat=True)
    )
    strangers = [p.name for p in new if p.pk not in employed]
    if strangers:
        raise ValidationError(_("以下人员不是本校在职教师：%(names)s。") % {"names": "、".join(strangers)})
    if len(active) + len(new) > quota.places:
        raise ValidationError(
            _("名额已满：本校名额 %(places)d 人，已报 %(named)d 人。") % {"places": quota.places, "named": len(active)}
        )
    rows = [Nomination.objects.create(quota=quota, person=p) for p in new]
    for session in quota.sessions():
        _invite(session=session, people_ids=[p.pk for p in new], source=Enrollment.Source.NAMED, school_id=quota.school_id)
    audit.record(actor=actor, action="training.quota.name", target=quota, people=[p.pk for p in new])
    return rows


def _end_nomination(nomination: Nomination) -> None:
    nomination.is_active = False
    nomination.ended_at = timezone.now()
    nomination.save(update_fields=["is_active", "ended_at"])
    now = timezone.now()
    session_ids = nomination.quota.sessions().filter(starts_at__gt=now).values("pk")
    Enrollment.objects.filter(
        session_id__in=session_ids, person_id=nomination.person_id, status=Enrollment.Status.ENROLLED
    ).update(status=Enrollment.Status.WITHDRAWN, withdrawn_at=now)


@transaction.atomic
def quota_unname(*, actor, nomination: Nomination) -> None:
    quota = _lock_quota(nomination.quota)
    _require(access.can_name_on_quota(actor, quota))
    if quota.is_submitted:
        raise ValidationError(_("名单已提交，换人或退出须提出申请，经教育局批准。"))
    if not nomination.is_active:
        raise ValidationError(_("该人员已不在名单中。"))
    _end_nomination(nomination)
    audit.record(actor=actor, action="training.quota.unname", target=quota, person=nomination.person_id)


@transaction.atomic
def quota_submit(*, actor, quota: Quota) -> Quota:
    quota = _lock_quota(quota)
    _require(access.can_name_on_quota(actor, quota))
    if quota.is_submitted:
        raise ValidationError(_("名单已提交。"))
    if timezone.now() > quota.deadline:
        raise ValidationError(_("报名已于 %(deadline)s 截止，请联系教育局。") % {"deadline": _local(quota.deadline)})
    named = quota.nominations.filter(is_active=True).count()
    if named == 0:
        raise ValidationError(_("尚未指派任何参训人员，不能提交。"))
    quota.submitted_at = timezone.now()
    quota.submitted_by = actor
    quota.save(update_fields=["submitted_at", "submitted_by"])
    audit.record(actor=actor, action="training.quota.submit", target=quota, named=named)
    return quota


@transaction.atomic
def swap_request_create(*, actor, quota: Quota, kind: str, out_person, reason: str, in_person=None) -> SwapRequest:
    from yanxiu.org.models import Employment

    quota = _lock_quota(quota)
    _require(access.can_name_on_quota(actor, quota))
    if not quota.is_submitted:
        raise ValidationError(_("名单尚未提交，可直接修改名单，无需申请。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写换人或退出的理由。")})
    if not quota.nominations.filter(is_active=True, person=out_person).exists():
        raise ValidationError({"out_person": _("%(name)s 不在本校名单中。") % {"name": out_person.name}})
    if SwapRequest.objects.filter(quota=quota, out_person=out_person, status=SwapRequest.Status.PENDING).exists():
        raise ValidationError({"out_person": _("%(name)s 已有待审批的申请。") % {"name": out_person.name}})
    if kind == SwapRequest.Kind.SWAP:
        if in_person is None:
            raise ValidationError({"in_person": _("换人须选择替换人。")})
        if not Employment.objects.current().filter(school=quota.school, person=in_person).exists():
            raise ValidationError({"in_person": _("%(name)s 不是本校在职教师。") % {"name": in_person.name}})
        if quota.nominations.filter(is_active=True, person=in_person).exists():
            raise ValidationError({"in_person": _("%(name)s 已在名单中。") % {"name": in_person.name}})
    elif kind == SwapRequest.Kind.WITHDRAW:
        in_person = None
    else:
        raise ValidationError({"kind": _("申请类型无效。")})
    swap = SwapRequest(quota=quota, kind=kind, out_person=out_person, in_person=in_person, reason=reason.strip(),
                       requested_by=actor)
    swap.full_clean()
    swap.save()
    audit.record(actor=actor, action="training.swap.request", target=swap, kind=kind, out=out_person.pk,
                 into=getattr(in_person, "pk", None))
    return swap


@transaction.atomic
def swap_request_decide(*, actor, swap: SwapRequest, approve: bool, comment: str = "") -> SwapRequest:
    swap = SwapRequest.objects.select_for_update(of=("self",)).select_related("quota__project").get(pk=swap.pk)
    _require(access.can_decide_swap(actor, swap), _("只有组织培训的教育局可以审批换人/退出。"))
    if swap.status != SwapRequest.Status.PENDING:
        raise ValidationError(_("该申请已审批。"))
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": _("驳回时请填写理由。")})
    quota = _lock_quota(swap.quota)
    if approve:
        nomination = quota.nominations.filter(is_active=True, person=swap.out_person).first()
        if nomination is None:
            raise ValidationError(_("%(name)s 已不在名单中。") % {"name": swap.out_person.name})
        _end_nomination(nomination)
        if swap.kind == SwapRequest.Kind.SWAP:
            if quota.nominations.filter(is_active=True, person=swap.in_person).exists():
                raise ValidationError(_("%(name)s 已在名单中。") % {"name": swap.in_person.name})
            Nomination.objects.create(quota=quota, person=swap.in_person)
            now = timezone.now()
            for session in quota.sessions().filter(starts_at__gt=now):
                _invite(session=session, people_ids=[swap.in_person_id], source=Enrollment.Source.NAMED,
                        school_id=quota.school_id)
    swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REJECTED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.decision_comment = (comment or "").strip()
    swap.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    audit.record(actor=actor, action="training.swap.approve" if approve else "training.swap.reject", target=swap,
                 comment=swap.decision_comment)
    return swap


# --- Leave --------------------------------------------------------------------


@transaction.atomic
def leave_request_create(*, actor, session: Session, leave_type: str, reason: str, attachment=None) -> LeaveRequest:
    """A teacher asks for leave from a session they are enrolled in, before it starts."""
    person = _actor_person(actor)
    session = Session.objects.select_related("project").get(pk=session.pk)
    if not Enrollment.objects.filter(session=session, person=person, status=Enrollment.Status.ENROLLED).exists():
        raise ValidationError(_("您不在活动“%(title)s”的参训名单中，无需请假。") % {"title": session.title})
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("活动“%(title)s”已取消，无需请假。") % {"title": session.title})
    if session.has_started():
        raise ValidationError(
            _("活动“%(title)s”已于 %(start)s 开始，不能再请假；如有特殊情况请联系学校管理员。")
            % {"title": session.title, "start": _local(session.starts_at)}
        )
    errors = {}
    if leave_type not in LeaveType.values:
        errors["leave_type"] = _("请选择请假类型（公假、事假或病假）。")
    if not (reason or "").strip():
        errors["reason"] = _("请填写请假理由。")
    if leave_type == LeaveType.SICK and not attachment:
        errors["attachment"] = _("请病假须上传病假证明（医院证明或病历照片）。")
    elif attachment:
        try:
            uploads.check_evidence(attachment, field="attachment", label=_("证明材料"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if LeaveRequest.objects.filter(
        session=session, person=person, status__in=[Decision.PENDING, Decision.APPROVED]
    ).exists():
        raise ValidationError(_("您已就该活动提交过请假申请。"))
    leave = LeaveRequest(
        session=session,
        person=person,
        school_id=access.person_school_id(person.pk),
        leave_type=leave_type,
        reason=reason.strip(),
        needs_bureau=session.project.is_bureau_level,
    )
    if attachment:
        leave.attachment = attachment
    leave.full_clean()
    leave.save()
    audit.record(actor=actor, action="training.leave.request", target=leave, session=session.pk, leave_type=leave_type)
    return leave


@transaction.atomic
def leave_decide(*, actor, leave: LeaveRequest, approve: bool, comment: str = "") -> LeaveRequest:
    """The next decision on a leave request: the school first, then the bureau when needed."""
    leave = LeaveRequest.objects.select_for_update(of=("self",)).select_related("session__project").get(pk=leave.pk)
    if leave.status != Decision.PENDING:
        raise ValidationError(_("该请假申请已审批完毕。"))
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("驳回请假时请填写理由。")})
    now = timezone.now()
    verdict = Decision.APPROVED if approve else Decision.REJECTED
    if leave.school_decision == Decision.PENDING:
        _require(access.can_decide_leave_as_school(actor, leave), _("只有本校管理员可以审批该请假。"))
        leave.school_decision = verdict
        leave.school_decided_by = actor
        leave.school_decided_at = now
        leave.school_comment = comment
        stage = "school"
        if not approve:
            leave.status = Decision.REJECTED
        elif leave.needs_bureau:
            leave.bureau_decision = Decision.PENDING
        else:
            leave.status = Decision.APPROVED
    else:
        _require(access.can_decide_leave_as_bureau(actor, leave), _("该请假须由组织培训的教育局审批。"))
        leave.bureau_decision = verdict
        leave.bureau_decided_by = actor
        leave.bureau_decided_at = now
        leave.bureau_comment = comment
        leave.status = verdict
        stage = "bureau"
    leave.save()
    audit.record(actor=actor, action=f"training.leave.{stage}_{'approve' if approve else 'reject'}", target=leave,
                 comment=comment, status=leave.status)
    return leave


@transaction.atomic
def leave_cancel(*, actor, leave: LeaveRequest) -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update(of=("self",)).get(pk=leave.pk)
    _require(scopes.scope_of(actor).person_id == leave.person_id)
    if leave.status != Decision.PENDING:
        raise ValidationError(_("只能撤回待审批的请假申请。"))
    leave.status = Decision.REJECTED
    leave.school_comment = leave.school_comment or _("本人撤回")
    leave.save(update_fields=["status", "school_comment"])
    audit.record(actor=actor, action="training.leave.cancel", target=leave)
    return leave


# --- Evaluation ---------------------------------------------------------------


@transaction.atomic
def evaluation_submit(
    *, actor, session: Session, content_score: int, presenter_score: int, organisation_score: int, comment: str = ""
) -> Evaluation:
    person = _actor_person(actor)
    if not Enrollment.objects.filter(session=session, person=person, status=Enrollment.Status.ENROLLED).exists():
        raise PermissionDenied(_("只有参训人员可以评价该活动。"))
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
    audit.record(actor=actor, action="training.evaluation.submit", target=evaluation, session=session.pk)
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
    audit.record(actor=actor, action="training.calendar.reset", target=feed)
    return feed

