"""Who is told what, for each audited action: ``HANDLERS[event code](audit row) -> [Notice]``.

Every service writes one audit row (``core.audit.record``); when its
transaction commits, :func:`yanxiu.notify.services.deliver_for_event` looks the
row's action up here and writes one inbox message per :class:`Notice`. A
handler reads the row's target as it is now (the commit just happened) and the
row's ``detail`` for what the service said (the previous time of a session, the
reason of a cancellation, the stage a leave request reached).

Who gets what:

- a session published, or teachers invited to a published one, or named on a
  quota of one: the teachers enrolled (once per teacher and session);
  its time or place changed (``detail.notified``): the teachers enrolled, with
  old and new; cancelled: the teachers enrolled, with the reason;
- places allocated or changed on a bureau project (名额): the admins of the school,
  with the deadline;
- a leave request: the admins of the teacher's school, who decide first; approved
  by the school when the bureau must decide too: the bureau admins over the
  project's county (and the teacher hears the school agreed); every decision:
  the teacher;
- a reflection returned or accepted, a growth record returned or accepted: its author;
- a public posting (公示): the teachers with an entry in it, with the end of the
  objection period (once per teacher and posting); an objection answered: the objector;
- a needs survey: the school's current teachers (once); a questionnaire's
  "remind all who have not answered": exactly the people its row lists;
- a growth record filed: the admins of the teacher's current school, who review
  it (the bureau over the school may review too, but is not asked to);
- a mentor-pair activity logged: the other side of the pair, who confirms it.

The person who acted is never told about their own action
(``services.deliver_for_event`` drops them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.accounts.models import Role, RoleAssignment
from yanxiu.core.events import Event
from yanxiu.core.models import AuditEvent
from yanxiu.org.models import Employment, Person, Region

from .models import MessageKind


@dataclass(frozen=True)
class Notice:
    """One message for one user; ``once``: not again to a user who already has one of this kind and topic."""

    user_id: int
    kind: str
    title: str
    body: str
    url: str
    topic: str
    once: bool = False


Handler = Callable[[AuditEvent], list[Notice]]


# --- Who ----------------------------------------------------------------------


def users_of_people(person_ids: Iterable[int]) -> list[int]:
    """The accounts of these people (people without one are not told)."""
    ids = {int(p) for p in person_ids if p}
    if not ids:
        return []
    return list(Person.objects.filter(pk__in=ids, user__isnull=False).order_by("pk").values_list("user_id", flat=True))


def school_admins(school_id: int | None) -> list[int]:
    if not school_id:
        return []
    return list(RoleAssignment.objects.filter(role=Role.SCHOOL_ADMIN, school_id=school_id).order_by("user_id")
                .values_list("user_id", flat=True).distinct())


def bureau_admins(county_id: int | None) -> list[int]:
    """The bureau admins whose region holds the county: the county's, its city's, its province's."""
    if not county_id:
        return []
    regions = Region.objects.filter(pk=county_id).values_list("pk", "parent_id", "parent__parent_id").first()
    if regions is None:
        return []
    ids = [r for r in regions if r]
    return list(RoleAssignment.objects.filter(role=Role.BUREAU_ADMIN, region_id__in=ids).order_by("user_id")
                .values_list("user_id", flat=True).distinct())


def enrolled_users(session, person_ids: Iterable[int] | None = None) -> list[int]:
    from yanxiu.training.models import Enrollment

    rows = Enrollment.objects.filter(session=session, status=Enrollment.Status.ENROLLED)
    if person_ids is not None:
        rows = rows.filter(person_id__in=[int(p) for p in person_ids if str(p).isdigit()])
    return users_of_people(rows.values_list("person_id", flat=True))


def current_teachers(school_id: int) -> list[int]:
    return users_of_people(Employment.objects.current().filter(school_id=school_id).values_list("person_id", flat=True))


# --- Text ---------------------------------------------------------------------


def when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _target(event: AuditEvent, model):
    if event.target_type != model._meta.label_lower or not event.target_id.isdigit():
        return None
    return model._default_manager.filter(pk=int(event.target_id)).first()


def _topic(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _all(user_ids: Iterable[int], **fields) -> list[Notice]:
    return [Notice(user_id=u, **fields) for u in dict.fromkeys(user_ids)]


# --- Sessions -----------------------------------------------------------------


def _session_time(session) -> str:
    return _("时间：%(start)s 至 %(end)s；地点：%(place)s") % {
        "start": when(session.starts_at), "end": when(session.ends_at), "place": session.place or _("待定")}


def session_notices(session, person_ids: Iterable[int] | None = None) -> list[Notice]:
    """The notice of a published session to those enrolled (or to ``person_ids`` among them), once each."""
    from yanxiu.training.models import Session

    if session.status != Session.Status.PUBLISHED or session.has_started():
        return []
    return _all(enrolled_users(session, person_ids), kind=MessageKind.SESSION_PUBLISHED, once=True,
                title=_("培训通知：%(title)s") % {"title": session.title}, body=_session_time(session),
                url=reverse("training:session_detail", args=[session.pk]), topic=_topic(session))


def _session(event: AuditEvent):
    from yanxiu.training.models import Session

    return _target(event, Session)


def on_session_publish(event: AuditEvent) -> list[Notice]:
    session = _session(event)
    return session_notices(session) if session else []


def on_quota_name(event: AuditEvent) -> list[Notice]:
    from yanxiu.training.models import Quota

    quota = _target(event, Quota)
    if quota is None:
        return []
    people = event.detail.get("people") or []
    return [n for session in quota.sessions() for n in session_notices(session, people)]


def on_session_update(event: AuditEvent) -> list[Notice]:
    session = _session(event)
    if session is None or not event.detail.get("notified"):
        return []
    change = session.changes.order_by("-changed_at", "-id").first()
    if change is None:
        return []
    parts = []
    if (change.old_starts_at, change.old_ends_at) != (change.new_starts_at, change.new_ends_at):
        parts.append(_("时间由 %(old_start)s 至 %(old_end)s 改为 %(start)s 至 %(end)s") % {
            "old_start": when(change.old_starts_at), "old_end": when(change.old_ends_at),
            "start": when(change.new_starts_at), "end": when(change.new_ends_at)})
    if change.old_place != change.new_place:
        parts.append(_("地点由“%(old)s”改为“%(new)s”") % {"old": change.old_place, "new": change.new_place})
    if not parts:
        return []
    return _all(enrolled_users(session), kind=MessageKind.SESSION_CHANGED,
                title=_("活动变更：%(title)s") % {"title": session.title}, body="；".join(parts) + "。",
                url=reverse("training:session_detail", args=[session.pk]), topic=_topic(session))


def on_session_cancel(event: AuditEvent) -> list[Notice]:
    session = _session(event)
    if session is None:
        return []
    body = _("原定 %(start)s 的活动已取消。原因：%(reason)s") % {
        "start": when(session.starts_at), "reason": str(event.detail.get("reason") or "")[:500]}
    return _all(enrolled_users(session), kind=MessageKind.SESSION_CANCELLED,
                title=_("活动取消：%(title)s") % {"title": session.title}, body=body,
                url=reverse("training:session_detail", args=[session.pk]), topic=_topic(session))


def on_quota_allocate(event: AuditEvent) -> list[Notice]:
    from yanxiu.training.models import Quota

    quota = _target(event, Quota)
    if quota is None:
        return []
    quota = Quota.objects.select_related("project", "session").get(pk=quota.pk)
    what = quota.session.title if quota.session_id else quota.project.title
    return _all(school_admins(quota.school_id), kind=MessageKind.QUOTA_ALLOCATED,
                title=_("名额分配：%(title)s") % {"title": what},
                body=_("贵校名额 %(places)d 人，请于 %(deadline)s 前报送参训人员。") % {
                    "places": quota.places, "deadline": when(quota.deadline)},
                url=reverse("training:quota_detail", args=[quota.pk]), topic=_topic(quota))


# --- Leave --------------------------------------------------------------------


def _leave(event: AuditEvent):
    from yanxiu.training.models import LeaveRequest

    leave = _target(event, LeaveRequest)
    if leave is None:
        return None
    return LeaveRequest.objects.select_related("session__project", "person").get(pk=leave.pk)


def _leave_to_decide(leave, user_ids) -> list[Notice]:
    return _all(user_ids, kind=MessageKind.LEAVE_TO_DECIDE,
                title=_("请假待审批：%(name)s（%(type)s）") % {"name": leave.person.name, "type": leave.get_leave_type_display()},
                body=_("活动：%(title)s，%(start)s。理由：%(reason)s") % {
                    "title": leave.session.title, "start": when(leave.session.starts_at), "reason": leave.reason[:500]},
                url=reverse("training:leave_list"), topic=_topic(leave))


def on_leave_request(event: AuditEvent) -> list[Notice]:
    leave = _leave(event)
    return _leave_to_decide(leave, school_admins(leave.school_id)) if leave else []


def on_leave_decision(event: AuditEvent) -> list[Notice]:
    from yanxiu.training.models import Decision

    leave = _leave(event)
    if leave is None:
        return []
    notices = []
    status = event.detail.get("status", leave.status)
    if status == Decision.PENDING:  # the school agreed; the bureau decides next
        notices += _leave_to_decide(leave, bureau_admins(leave.session.project.region_id))
        outcome = _("学校已同意，待教育局审批")
    elif status == Decision.APPROVED:
        outcome = _("已批准")
    else:
        outcome = _("未批准")
    comment = str(event.detail.get("comment") or "")[:500]
    body = _("活动：%(title)s，%(start)s。") % {"title": leave.session.title, "start": when(leave.session.starts_at)}
    if comment:
        body += "\n" + _("审批意见：%(comment)s") % {"comment": comment}
    notices += _all(users_of_people([leave.person_id]), kind=MessageKind.LEAVE_DECIDED,
                    title=_("请假申请%(outcome)s：%(title)s") % {"outcome": outcome, "title": leave.session.title},
                    body=body, url=reverse("training:my"), topic=_topic(leave))
    return notices


# --- Reflections, postings, objections, surveys --------------------------------------


def on_reflection_review(event: AuditEvent) -> list[Notice]:
    from yanxiu.attendance.models import Reflection

    reflection = _target(event, Reflection)
    if reflection is None:
        return []
    reflection = Reflection.objects.select_related("session").get(pk=reflection.pk)
    accepted = event.action == Event.REFLECTION_ACCEPT.value
    comment = str(event.detail.get("comment") or "")[:500]
    if accepted:
        title, url = _("研修反思已通过：%(title)s"), reverse("attendance:my")
    else:
        title, url = _("研修反思被退回，请修改后重新提交：%(title)s"), reverse("attendance:reflection_submit", args=[reflection.session_id])
    return _all(users_of_people([reflection.person_id]), kind=MessageKind.REFLECTION_REVIEWED,
                title=title % {"title": reflection.session.title},
                body=_("审阅意见：%(comment)s") % {"comment": comment} if comment else "", url=url, topic=_topic(reflection))


def on_posting_create(event: AuditEvent) -> list[Notice]:
    from yanxiu.credits.models import Posting

    posting = _target(event, Posting)
    if posting is None:
        return []
    people = posting.entries.values_list("person_id", flat=True)
    return _all(users_of_people(people), kind=MessageKind.POSTING_OPENED, once=True,
                title=_("学时公示：%(title)s") % {"title": posting.title},
                body=_("公示期至 %(end)s。请核对本人的学时记录，如有异议请在公示期内提出。") % {"end": when(posting.ends_at)},
                url=reverse("credits:posting_detail", args=[posting.pk]), topic=_topic(posting))


def on_objection_resolve(event: AuditEvent) -> list[Notice]:
    from yanxiu.credits.models import Objection

    objection = _target(event, Objection)
    if objection is None:
        return []
    objection = Objection.objects.select_related("posting").get(pk=objection.pk)
    return _all(users_of_people([objection.person_id]), kind=MessageKind.OBJECTION_ANSWERED,
                title=_("异议已处理：%(status)s") % {"status": objection.get_status_display()},
                body=_("公示：%(title)s。处理意见：%(resolution)s") % {
                    "title": objection.posting.title, "resolution": objection.resolution[:500]},
                url=reverse("credits:posting_detail", args=[objection.posting_id]), topic=_topic(objection))


def on_survey_create(event: AuditEvent) -> list[Notice]:
    from yanxiu.needs.models import NeedsSurvey

    survey = _target(event, NeedsSurvey)
    if survey is None:
        return []
    return _all(current_teachers(survey.school_id), kind=MessageKind.SURVEY_OPENED, once=True,
                title=_("请填写培训需求调研：%(title)s") % {"title": survey.title},
                body=_("截止日期：%(date)s。") % {"date": survey.closes_on.isoformat()},
                url=reverse("needs:respond", args=[survey.pk]), topic=_topic(survey))


def on_questionnaire_remind(event: AuditEvent) -> list[Notice]:
    """"Remind all who have not answered": the people the row lists (those asked who had not answered
    when the manager pressed the button), each a reminder linking to the answer page."""
    from yanxiu.needs.models import Questionnaire

    questionnaire = _target(event, Questionnaire)
    if questionnaire is None:
        return []
    people = [int(p) for p in event.detail.get("people") or [] if str(p).isdigit()]
    return _all(users_of_people(people), kind=MessageKind.REMINDER,
                title=_("请填写问卷：%(title)s") % {"title": questionnaire.title},
                body=_("您还没有填写，截止日期：%(date)s。") % {"date": questionnaire.closes_on.isoformat()},
                url=reverse("needs:answer", args=[questionnaire.pk]), topic=_topic(questionnaire))


def on_questionnaire_publish(event: AuditEvent) -> list[Notice]:
    """A questionnaire published: everyone it asks (its audience today), each a link to the answer page."""
    from yanxiu.needs.models import Questionnaire
    from yanxiu.needs.questionnaires import asked_ids

    questionnaire = _target(event, Questionnaire)
    if questionnaire is None:
        return []
    return _all(users_of_people(asked_ids(questionnaire)), kind=MessageKind.SURVEY_OPENED, once=True,
                title=_("请填写问卷：%(title)s") % {"title": questionnaire.title},
                body=_("截止日期：%(date)s。") % {"date": questionnaire.closes_on.isoformat()},
                url=reverse("needs:answer", args=[questionnaire.pk]), topic=_topic(questionnaire))


# --- Growth -------------------------------------------------------------------


def _record(event: AuditEvent):
    from yanxiu.growth.models import GrowthRecord

    record = _target(event, GrowthRecord)
    return GrowthRecord.objects.select_related("person").get(pk=record.pk) if record else None


def on_record_submit(event: AuditEvent) -> list[Notice]:
    from yanxiu.org.selectors import current_school_id

    record = _record(event)
    if record is None:
        return []
    return _all(school_admins(current_school_id(record.person)), kind=MessageKind.GROWTH_TO_REVIEW,
                title=_("成长记录待审核：%(name)s 的%(kind)s") % {"name": record.person.name, "kind": record.get_kind_display()},
                body=record.title[:200], url=reverse("growth:record_detail", args=[record.pk]), topic=_topic(record))


def on_record_review(event: AuditEvent) -> list[Notice]:
    record = _record(event)
    if record is None:
        return []
    accepted = event.action == Event.GROWTH_RECORD_ACCEPT.value
    title = _("成长记录已通过：%(title)s") if accepted else _("成长记录被退回：%(title)s")
    reason = "" if accepted else str(event.detail.get("reason") or "")[:500]
    return _all(users_of_people([record.person_id]), kind=MessageKind.GROWTH_REVIEWED, title=title % {"title": record.title[:80]},
                body=_("退回理由：%(reason)s") % {"reason": reason} if reason else "",
                url=reverse("growth:record_detail", args=[record.pk]), topic=_topic(record))


def on_mentor_activity(event: AuditEvent) -> list[Notice]:
    from yanxiu.growth.models import MentorActivity

    activity = _target(event, MentorActivity)
    if activity is None:
        return []
    activity = MentorActivity.objects.select_related("pair__mentor", "pair__apprentice").get(pk=activity.pk)
    pair = activity.pair
    other = pair.apprentice if activity.logged_by_id == pair.mentor_id else pair.mentor
    logger = pair.mentor if other.pk == pair.apprentice_id else pair.apprentice
    return _all(users_of_people([other.pk]), kind=MessageKind.MENTOR_ACTIVITY,
                title=_("%(name)s 记录了一次结对活动，请确认") % {"name": logger.name},
                body=_("%(date)s %(kind)s：%(content)s") % {
                    "date": activity.date.isoformat(), "kind": activity.get_kind_display(), "content": activity.content[:300]},
                url=reverse("growth:mentor_detail", args=[pair.pk]), topic=_topic(activity))


HANDLERS: dict[str, Handler] = {
    Event.TRAINING_SESSION_PUBLISH.value: on_session_publish,
    Event.TRAINING_SESSION_INVITE.value: on_session_publish,
    Event.TRAINING_QUOTA_NAME.value: on_quota_name,
    Event.TRAINING_SESSION_UPDATE.value: on_session_update,
    Event.TRAINING_SESSION_CANCEL.value: on_session_cancel,
    Event.TRAINING_QUOTA_ALLOCATE.value: on_quota_allocate,
    Event.TRAINING_QUOTA_UPDATE.value: on_quota_allocate,
    Event.TRAINING_LEAVE_REQUEST.value: on_leave_request,
    Event.TRAINING_LEAVE_SCHOOL_APPROVE.value: on_leave_decision,
    Event.TRAINING_LEAVE_SCHOOL_REJECT.value: on_leave_decision,
    Event.TRAINING_LEAVE_BUREAU_APPROVE.value: on_leave_decision,
    Event.TRAINING_LEAVE_BUREAU_REJECT.value: on_leave_decision,
    Event.REFLECTION_ACCEPT.value: on_reflection_review,
    Event.REFLECTION_RETURN.value: on_reflection_review,
    Event.POSTING_CREATE.value: on_posting_create,
    Event.OBJECTION_RESOLVE.value: on_objection_resolve,
    Event.NEEDS_SURVEY_CREATE.value: on_survey_create,
    Event.QUESTIONNAIRE_REMIND.value: on_questionnaire_remind,
    Event.QUESTIONNAIRE_PUBLISH.value: on_questionnaire_publish,
    Event.GROWTH_RECORD_SUBMIT.value: on_record_submit,
    Event.GROWTH_RECORD_ACCEPT.value: on_record_review,
    Event.GROWTH_RECORD_RETURN.value: on_record_review,
    Event.GROWTH_MENTOR_ACTIVITY_LOG.value: on_mentor_activity,
}


def notices_for(event: AuditEvent) -> list[Notice]:
    handler = HANDLERS.get(event.action)
    return handler(event) if handler else []


__all__ = ["HANDLERS", "Notice", "notices_for"]
