"""Reminders: schedules as data (:class:`~yanxiu.notify.models.ReminderRule`), sent by a periodic pass.

:func:`reminders_pass` (the task ``tasks.send_reminders``, queued again every
``YANXIU_REMINDER_PASS_SECONDS``; the command ``yanxiu send_reminders [--now ISO]``)
looks, for each kind of reminder, at the things whose moment is near and sends
each reminder to those who have not acted yet:

=====================  ===========================  =====================================================
what                   moment (before / after)      who is reminded
=====================  ===========================  =====================================================
session_start          the session starts (before)  enrolled teachers, except those on approved leave
quota_deadline         the quota's deadline         the school's admins, while the names are not submitted
questionnaire_close    the end of its last day      those asked who have not answered
reflection_due         the session ends (after)     those present without a reflection
objection_deadline     the posting ends             the school's admins, while objections are open
approval_escalation    the request waits (after)    the school's admins (a leave request they have not
                                                    decided), the bureau admins over the project's county
                                                    (one the school agreed to and the bureau has not)
=====================  ===========================  =====================================================

When it is due: a "before" rule from ``moment - offset`` until the moment; an
"after" rule from ``moment + offset`` for :data:`LATE` (a pass that was down for
longer does not send stale reminders). When two rules of the same kind are due
for the same thing (the day before and the hour before, the worker having been
stopped), only the nearer one is sent. A thing announced after the reminder's
time (a session published, a quota allocated an hour before it) needs no reminder.

Rules: the installation's (``county`` empty, created by migration 0003), each of
which a county may override (another offset, or off) for the things of that
county (:func:`rules_for`).

Never twice: each reminder is a :class:`~yanxiu.notify.models.SentReminder` row
unique on (installation rule, object, recipient, occasion), written in the same
transaction as its message; the occasion is the moment it was measured from, so a
session moved to another day is reminded of again, while a second pass, a
concurrent one or a restart sends nothing again (the unique constraint decides,
not the read that came before it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yanxiu.accounts.models import User

from . import recipients
from .models import AFTER, MessageKind, ReminderRule, ReminderWhat, SentReminder

log = logging.getLogger(__name__)

#: An "after" reminder not sent within this time of its due moment is not sent any more.
LATE = dt.timedelta(days=2)


# --- Rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Effective:
    """An installation rule as it applies in one county (its override's offset and switch, if any)."""

    rule: ReminderRule
    offset: dt.timedelta
    enabled: bool
    override: ReminderRule | None = None


@dataclass
class RuleBook:
    """Every rule, read once per pass: the installation's by kind, and the counties' overrides."""

    base: dict[str, list[ReminderRule]] = field(default_factory=lambda: defaultdict(list))
    overrides: dict[tuple[int, int], ReminderRule] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RuleBook:
        book = cls()
        for rule in ReminderRule.objects.order_by("pk"):
            if rule.county_id is None:
                book.base[rule.what].append(rule)
            else:
                book.overrides[(rule.base_id, rule.county_id)] = rule
        return book

    def for_county(self, what: str, county_id: int | None) -> list[Effective]:
        out = []
        for rule in self.base.get(what, []):
            o = self.overrides.get((rule.pk, county_id)) if county_id else None
            src = o or rule
            out.append(Effective(rule, src.offset, src.enabled, o))
        return out

    def widest(self, what: str) -> dt.timedelta | None:
        """The largest offset of an enabled rule of ``what`` anywhere (the window the candidates are read in)."""
        offsets = [r.offset for r in self.base.get(what, []) if r.enabled]
        offsets += [o.offset for (base_id, _c), o in self.overrides.items() if o.enabled and o.what == what]
        return max(offsets) if offsets else None


def rules_for(county_id: int | None) -> list[Effective]:
    """The rules in force in a county (the installation's where ``county_id`` is None), in display order."""
    book = RuleBook.load()
    return [e for what in ReminderWhat.values for e in sorted(book.for_county(what, county_id), key=lambda e: -e.offset)]


def due(what: str, moment: dt.datetime, offset: dt.timedelta, now: dt.datetime) -> bool:
    if what in AFTER:
        return moment + offset <= now < moment + offset + LATE
    return moment - offset <= now < moment


def due_at(what: str, moment: dt.datetime, offset: dt.timedelta) -> dt.datetime:
    return moment + offset if what in AFTER else moment - offset


# --- What may be reminded of ------------------------------------------------------


@dataclass
class Candidate:
    """One thing a reminder may be about, with its moment and the people who have not acted."""

    key: str
    county_id: int | None
    moment: dt.datetime
    title: str
    body: str
    url: str
    #: When it was announced (published, allocated): a reminder due before then is not needed.
    announced_at: dt.datetime | None = None
    #: The occasion part besides the moment (a leave request's stage).
    stage: str = ""
    recipients: Callable[[], list[int]] | None = None

    @property
    def occasion(self) -> str:
        stamp = self.moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"{self.stage}:{stamp}" if self.stage else stamp


def _when(value) -> str:
    return recipients.when(value)


def _window(what: str, now: dt.datetime, widest: dt.timedelta) -> tuple[dt.datetime, dt.datetime]:
    """Moments that may have a reminder due at ``now``: (after, up to and including)."""
    if what in AFTER:
        return now - widest - LATE, now
    return now, now + widest


def _sessions(now, widest) -> Iterator[Candidate]:
    from yanxiu.training.models import Decision, Enrollment, LeaveRequest, Session

    low, high = _window(ReminderWhat.SESSION_START, now, widest)
    rows = (Session.objects.filter(status=Session.Status.PUBLISHED, starts_at__gt=low, starts_at__lte=high)
            .select_related("project").order_by("starts_at", "pk"))
    for s in rows:
        def people(s=s):
            on_leave = LeaveRequest.objects.filter(session=s, status=Decision.APPROVED).values("person_id")
            enrolled = (Enrollment.objects.filter(session=s, status=Enrollment.Status.ENROLLED)
                        .exclude(person_id__in=on_leave).values_list("person_id", flat=True))
            return recipients.users_of_people(enrolled)

        yield Candidate(key=f"training.session:{s.pk}", county_id=s.project.region_id, moment=s.starts_at,
                        title=_("活动提醒：%(title)s") % {"title": s.title},
                        body=_("将于 %(start)s 开始，地点：%(place)s。请准时参加；不能参加的请及时请假。") % {
                            "start": _when(s.starts_at), "place": s.place or _("待定")},
                        url=reverse("training:session_detail", args=[s.pk]), announced_at=s.published_at, recipients=people)


def _quotas(now, widest) -> Iterator[Candidate]:
    from yanxiu.training.models import Quota

    low, high = _window(ReminderWhat.QUOTA_DEADLINE, now, widest)
    rows = (Quota.objects.filter(submitted_at__isnull=True, deadline__gt=low, deadline__lte=high)
            .select_related("school", "project", "session")
            .annotate(named=Count("nominations", filter=Q(nominations__is_active=True))).order_by("deadline", "pk"))
    for q in rows:
        what = q.session.title if q.session_id else q.project.title
        yield Candidate(key=f"training.quota:{q.pk}", county_id=q.school.county_id, moment=q.deadline,
                        title=_("名额报送提醒：%(title)s") % {"title": what},
                        body=_("贵校名额 %(places)d 人，已指派 %(named)d 人，尚未报送。请于 %(deadline)s 前报送参训人员。") % {
                            "places": q.places, "named": q.named, "deadline": _when(q.deadline)},
                        url=reverse("training:quota_detail", args=[q.pk]), announced_at=q.created_at,
                        recipients=lambda q=q: recipients.school_admins(q.school_id))


def _day_end(day: dt.date) -> dt.datetime:
    """The end of a local day: the moment a questionnaire closing that day closes."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=timezone.get_current_timezone())


def _questionnaires(now, widest) -> Iterator[Candidate]:
    from yanxiu.needs import questionnaires as logic
    from yanxiu.needs.models import Questionnaire

    today = timezone.localdate(now)
    last = timezone.localdate(now + widest)
    rows = (Questionnaire.objects.filter(status=Questionnaire.Status.PUBLISHED, opens_on__lte=today,
                                         closes_on__gte=today, closes_on__lte=last)
            .select_related("school").order_by("closes_on", "pk"))
    for q in rows:
        yield Candidate(key=f"needs.questionnaire:{q.pk}", county_id=q.owner_county_id, moment=_day_end(q.closes_on),
                        title=_("问卷即将截止：%(title)s") % {"title": q.title},
                        body=_("截止日期：%(date)s。您还没有填写，请尽快填写。") % {"date": q.closes_on.isoformat()},
                        url=reverse("needs:answer", args=[q.pk]),
                        recipients=lambda q=q: recipients.users_of_people(logic.not_answered(q).values_list("pk", flat=True)))


def _reflections(now, widest) -> Iterator[Candidate]:
    from yanxiu.attendance.models import Attendance, Reflection
    from yanxiu.training.models import Session

    low, high = _window(ReminderWhat.REFLECTION_DUE, now, widest)
    rows = (Session.objects.filter(status=Session.Status.PUBLISHED, ends_at__gt=low, ends_at__lte=high)
            .select_related("project").order_by("ends_at", "pk"))
    for s in rows:
        def people(s=s):
            submitted = Reflection.objects.filter(session=s).values("person_id")
            present = (Attendance.objects.filter(session=s, status=Attendance.Status.PRESENT)
                       .exclude(person_id__in=submitted).values_list("person_id", flat=True))
            return recipients.users_of_people(present)

        yield Candidate(key=f"training.session:{s.pk}", county_id=s.project.region_id, moment=s.ends_at,
                        title=_("请提交研修反思：%(title)s") % {"title": s.title},
                        body=_("您参加了 %(start)s 的活动，还没有提交学习笔记和研修反思。") % {"start": _when(s.starts_at)},
                        url=reverse("attendance:reflection_submit", args=[s.pk]), recipients=people)


def _objections(now, widest) -> Iterator[Candidate]:
    from yanxiu.credits.models import Objection, Posting

    low, high = _window(ReminderWhat.OBJECTION_DEADLINE, now, widest)
    rows = (Posting.objects.filter(status=Posting.Status.OPEN, ends_at__gt=low, ends_at__lte=high)
            .annotate(open_count=Count("objections", filter=Q(objections__status=Objection.Status.OPEN)))
            .filter(open_count__gt=0).select_related("school").order_by("ends_at", "pk"))
    for p in rows:
        yield Candidate(key=f"credits.posting:{p.pk}", county_id=p.school.county_id, moment=p.ends_at,
                        title=_("公示即将结束，还有 %(n)d 条异议待处理：%(title)s") % {"n": p.open_count, "title": p.title},
                        body=_("公示期至 %(end)s。请在公示结束前处理教师提出的异议。") % {"end": _when(p.ends_at)},
                        url=reverse("credits:posting_detail", args=[p.pk]),
                        recipients=lambda p=p: recipients.school_admins(p.school_id))


def _leave_waiting(now, widest) -> Iterator[Candidate]:
    from yanxiu.training.models import Decision, LeaveRequest

    low, high = _window(ReminderWhat.APPROVAL_ESCALATION, now, widest)
    school_stage = Q(school_decision=Decision.PENDING, created_at__gt=low, created_at__lte=high)
    bureau_stage = Q(needs_bureau=True, school_decision=Decision.APPROVED, school_decided_at__gt=low, school_decided_at__lte=high)
    rows = (LeaveRequest.objects.filter(status=Decision.PENDING).filter(school_stage | bureau_stage)
            .select_related("person", "session__project").order_by("created_at", "pk"))
    for leave in rows:
        at_school = leave.school_decision == Decision.PENDING
        moment = leave.created_at if at_school else leave.school_decided_at
        waited = max(1, (now - moment).days)
        if at_school:
            who = lambda leave=leave: recipients.school_admins(leave.school_id)  # noqa: E731
        else:
            who = lambda leave=leave: recipients.bureau_admins(leave.session.project.region_id)  # noqa: E731
        yield Candidate(key=f"training.leaverequest:{leave.pk}", county_id=leave.session.project.region_id, moment=moment,
                        stage="school" if at_school else "bureau",
                        title=_("请假已等待审批 %(days)d 天：%(name)s（%(type)s）") % {
                            "days": waited, "name": leave.person.name, "type": leave.get_leave_type_display()},
                        body=_("活动：%(title)s，%(start)s。理由：%(reason)s") % {
                            "title": leave.session.title, "start": _when(leave.session.starts_at), "reason": leave.reason[:300]},
                        url=reverse("training:leave_list"), recipients=who)


COLLECTORS = {
    ReminderWhat.SESSION_START: _sessions,
    ReminderWhat.QUOTA_DEADLINE: _quotas,
    ReminderWhat.QUESTIONNAIRE_CLOSE: _questionnaires,
    ReminderWhat.REFLECTION_DUE: _reflections,
    ReminderWhat.OBJECTION_DEADLINE: _objections,
    ReminderWhat.APPROVAL_ESCALATION: _leave_waiting,
}


# --- Sending ----------------------------------------------------------------------


def _already(rule: ReminderRule, c: Candidate, user_ids: list[int]) -> set[int]:
    return set(SentReminder.objects.filter(rule=rule, object_key=c.key, occasion=c.occasion, recipient_id__in=user_ids)
               .values_list("recipient_id", flat=True))


def _active(user_ids: list[int]) -> list[int]:
    active = set(User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))
    return [u for u in dict.fromkeys(user_ids) if u in active]


def send(rule: ReminderRule, c: Candidate, user_ids: list[int]) -> int:
    """The reminder to those of ``user_ids`` who have not had it; its messages and SentReminder rows in one
    transaction. A concurrent pass that wrote some of the rows first makes the insert fail: it is read again."""
    from . import services

    for _attempt in range(3):
        fresh = [u for u in _active(user_ids) if u not in _already(rule, c, user_ids)]
        if not fresh:
            return 0
        try:
            with transaction.atomic():
                notices = [recipients.Notice(user_id=u, kind=MessageKind.REMINDER, title=c.title, body=c.body, url=c.url,
                                             topic=c.key) for u in fresh]
                messages = services.write_messages(notices, county_id=c.county_id)
                SentReminder.objects.bulk_create([
                    SentReminder(rule=rule, object_key=c.key, recipient_id=m.recipient_id, occasion=c.occasion, message=m)
                    for m in messages])
            return len(fresh)
        except IntegrityError:
            continue
    log.warning("reminder %s for %s: gave up after concurrent writes", rule.pk, c.key)
    return 0


def reminders_pass(now: dt.datetime | None = None) -> dict[str, int]:
    """Send every reminder due at ``now`` (default: now) not sent before; returns the count sent per kind."""
    now = now or timezone.now()
    book = RuleBook.load()
    counts: dict[str, int] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for what, collect in COLLECTORS.items():
            widest = book.widest(what)
            counts[what] = 0
            if widest is None:
                continue
            for c in collect(now, widest):
                rules = [e for e in book.for_county(what, c.county_id) if e.enabled and due(what, c.moment, e.offset, now)]
                if not rules:
                    continue
                nearest = min(rules, key=lambda e: e.offset) if what not in AFTER else max(rules, key=lambda e: e.offset)
                if c.announced_at and c.announced_at > due_at(what, c.moment, nearest.offset):
                    continue
                counts[what] += send(nearest.rule, c, c.recipients())
    return counts


__all__ = ["AFTER", "LATE", "RuleBook", "reminders_pass", "rules_for", "send"]
