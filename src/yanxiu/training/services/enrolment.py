"""Writes to enrolment: invitations, self-enrolment and withdrawal; quotas
(名额) of bureau projects, the schools' nominations and swap requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school_id

from .. import access
from ..models import Enrollment, Nomination, Project, Quota, Session, SwapRequest
from ._common import _actor_person, _local


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
    scopes.require(access.can_manage_session(actor, session))
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
    audit.record(actor=actor, event=Event.TRAINING_SESSION_INVITE, target=session, school=session.project.owner_school_id, county=session.project.region_id,
                 scope=scope, invited=count)
    return count


@transaction.atomic
def enrollment_withdraw(*, actor, enrollment: Enrollment) -> Enrollment:
    session = enrollment.session
    is_self = scopes.scope_of(actor).person_id == enrollment.person_id and enrollment.source == Enrollment.Source.SELF
    scopes.require(is_self or access.can_manage_session(actor, session))
    if enrollment.source == Enrollment.Source.NAMED:
        raise ValidationError(_("名额指派的参训人员须通过换人/退出申请，经教育局批准后调整。"))
    if enrollment.status == Enrollment.Status.WITHDRAWN:
        raise ValidationError(_("已退出。"))
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.save(update_fields=["status", "withdrawn_at"])
    audit.record(actor=actor, event=Event.TRAINING_ENROLLMENT_WITHDRAW, target=enrollment, school=enrollment.school_id,
                 county=session.project.region_id, session=session.pk)
    return enrollment


@transaction.atomic
def session_self_enroll(*, actor, session: Session) -> Enrollment:
    """A teacher signs up for a published session of their own school."""
    person = _actor_person(actor)
    school_id = current_school_id(person)
    scopes.require(
        session.status == Session.Status.PUBLISHED and school_id is not None and session.project.owner_school_id == school_id,
        _("只能报名本校已发布的活动。"),
    )
    if session.has_started():
        raise ValidationError(_("活动已开始，不能再报名。"))
    _invite(session=session, people_ids=[person.pk], source=Enrollment.Source.SELF, school_id=school_id)
    enrollment = Enrollment.objects.get(session=session, person=person)
    audit.record(actor=actor, event=Event.TRAINING_ENROLLMENT_SELF, target=enrollment, school=enrollment.school_id,
                 county=session.project.region_id, session=session.pk)
    return enrollment


# --- Quotas (名额) --------------------------------------------------------------


@transaction.atomic
def quota_allocate(*, actor, project: Project, school, places: int, deadline: dt.datetime, session: Session | None = None) -> Quota:
    """Allocate (or change) a school's places on a bureau-level project or one of its sessions."""
    scopes.require(access.can_allocate_quota(actor, project), _("只有组织培训的教育局可以分配名额。"))
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
    audit.record(actor=actor, event=Event.TRAINING_QUOTA_ALLOCATE if creating else Event.TRAINING_QUOTA_UPDATE, target=quota,
                 school=school.pk, county=project.region_id, places=places, deadline=deadline.isoformat())
    return quota


def _lock_quota(quota: Quota) -> Quota:
    return Quota.objects.select_for_update(of=("self",)).select_related("project", "school", "session").get(pk=quota.pk)


@transaction.atomic
def quota_name(*, actor, quota: Quota, people: Iterable) -> list[Nomination]:
    """The school names participants on its places (before it submits)."""
    from yanxiu.org.models import Employment, Person

    quota = _lock_quota(quota)
    scopes.require(access.can_name_on_quota(actor, quota))
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
    audit.record(actor=actor, event=Event.TRAINING_QUOTA_NAME, target=quota, school=quota.school_id,
                 county=quota.project.region_id, people=[p.pk for p in new])
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
    scopes.require(access.can_name_on_quota(actor, quota))
    if quota.is_submitted:
        raise ValidationError(_("名单已提交，换人或退出须提出申请，经教育局批准。"))
    if not nomination.is_active:
        raise ValidationError(_("该人员已不在名单中。"))
    _end_nomination(nomination)
    audit.record(actor=actor, event=Event.TRAINING_QUOTA_UNNAME, target=quota, school=quota.school_id,
                 county=quota.project.region_id, person=nomination.person_id)


@transaction.atomic
def quota_submit(*, actor, quota: Quota) -> Quota:
    quota = _lock_quota(quota)
    scopes.require(access.can_name_on_quota(actor, quota))
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
    audit.record(actor=actor, event=Event.TRAINING_QUOTA_SUBMIT, target=quota, school=quota.school_id,
                 county=quota.project.region_id, named=named)
    return quota


@transaction.atomic
def swap_request_create(*, actor, quota: Quota, kind: str, out_person, reason: str, in_person=None) -> SwapRequest:
    from yanxiu.org.models import Employment

    quota = _lock_quota(quota)
    scopes.require(access.can_name_on_quota(actor, quota))
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
    audit.record(actor=actor, event=Event.TRAINING_SWAP_REQUEST, target=swap, school=quota.school_id,
                 county=quota.project.region_id, kind=kind, out=out_person.pk,
                 into=getattr(in_person, "pk", None))
    return swap


@transaction.atomic
def swap_request_decide(*, actor, swap: SwapRequest, approve: bool, comment: str = "") -> SwapRequest:
    swap = SwapRequest.objects.select_for_update(of=("self",)).select_related("quota__project").get(pk=swap.pk)
    scopes.require(access.can_decide_swap(actor, swap), _("只有组织培训的教育局可以审批换人/退出。"))
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
    audit.record(actor=actor, event=Event.TRAINING_SWAP_APPROVE if approve else Event.TRAINING_SWAP_REJECT, target=swap,
                 school=quota.school_id, county=swap.quota.project.region_id,
                 comment=swap.decision_comment)
    return swap
