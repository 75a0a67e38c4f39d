"""Writes to leave requests: a teacher asks, the school and then (for bureau
training) the bureau decide; the teacher may withdraw a pending request."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.core import audit, uploads
from yanxiu.core.events import Event
from yanxiu.org import scopes
from yanxiu.org.selectors import current_school_id

from .. import access
from ..models import Decision, Enrollment, LeaveRequest, LeaveType, Session
from ._common import _actor_person, _local


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
        school_id=current_school_id(person),
        leave_type=leave_type,
        reason=reason.strip(),
        needs_bureau=session.project.is_bureau_level,
    )
    if attachment:
        leave.attachment = attachment
    leave.full_clean()
    leave.save()
    audit.record(actor=actor, event=Event.TRAINING_LEAVE_REQUEST, target=leave, school=leave.school_id,
                 county=session.project.region_id, session=session.pk, leave_type=leave_type)
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
        scopes.require(access.can_decide_leave_as_school(actor, leave), _("只有本校管理员可以审批该请假。"))
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
        scopes.require(access.can_decide_leave_as_bureau(actor, leave), _("该请假须由组织培训的教育局审批。"))
        leave.bureau_decision = verdict
        leave.bureau_decided_by = actor
        leave.bureau_decided_at = now
        leave.bureau_comment = comment
        leave.status = verdict
        stage = "bureau"
    leave.save()
    audit.record(
        actor=actor,
        event=(
            (Event.TRAINING_LEAVE_SCHOOL_APPROVE if approve else Event.TRAINING_LEAVE_SCHOOL_REJECT) if stage == "school"
            else (Event.TRAINING_LEAVE_BUREAU_APPROVE if approve else Event.TRAINING_LEAVE_BUREAU_REJECT)
        ),
        target=leave, school=leave.school_id, county=leave.session.project.region_id, comment=comment, status=leave.status,
    )
    return leave


@transaction.atomic
def leave_decide_many(*, actor, leaves, approve: bool, comment: str = "") -> list[LeaveRequest]:
    """Decide several leave requests at once with one comment: all or none, each through :func:`leave_decide`
    (its own check and audit row). Refused as a whole, naming the requests, when one cannot be decided."""
    problems, decided = [], []
    for leave in leaves:
        try:
            with transaction.atomic():
                decided.append(leave_decide(actor=actor, leave=leave, approve=approve, comment=comment))
        except ValidationError as exc:
            if getattr(exc, "error_dict", None) and "comment" in exc.error_dict:
                raise
            problems.append(f"{leave.person.name}（{leave.session.title}）：{'；'.join(exc.messages)}")
        except PermissionDenied as exc:
            problems.append(f"{leave.person.name}（{leave.session.title}）：{exc}")
    if problems:
        raise ValidationError(_("以下请假不能批量审批，未做任何修改：%(items)s") % {"items": "；".join(problems[:10])})
    return decided


@transaction.atomic
def leave_cancel(*, actor, leave: LeaveRequest) -> LeaveRequest:
    leave = LeaveRequest.objects.select_for_update(of=("self",)).get(pk=leave.pk)
    scopes.require(scopes.scope_of(actor).person_id == leave.person_id)
    if leave.status != Decision.PENDING:
        raise ValidationError(_("只能撤回待审批的请假申请。"))
    leave.status = Decision.REJECTED
    leave.school_comment = leave.school_comment or _("本人撤回")
    leave.save(update_fields=["status", "school_comment"])
    audit.record(actor=actor, event=Event.TRAINING_LEAVE_CANCEL, target=leave, school=leave.school_id,
                 county=leave.session.project.region_id)
    return leave
