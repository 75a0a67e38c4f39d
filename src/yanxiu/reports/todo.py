"""The to-do list on the home page: what waits for this person, each a link to the action.

Every item is read through the owning app's own selector, so the count is
exactly what the linked page lists ("approve 3 leave requests" opens the
three). An item appears only when something waits; a deadline, when there is
one, is part of the sentence ("name 2 participants by Friday 12-04"). The
list is computed per request with a bounded number of queries (one or two
per item, never per row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yanxiu.org.scopes import Scope

#: Items of one kind listed one by one (quotas, surveys) before the rest are summed up.
MAX_LISTED = 5
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    tone: str = "warning"  # Bootstrap colour: warning = waits for you, danger = late
    due: dt.datetime | None = None


def _due_text(due: dt.datetime, now: dt.datetime) -> str:
    local, today = timezone.localtime(due), timezone.localdate(now)
    days = (local.date() - today).days
    if days == 0:
        return _("今天 %(time)s 前") % {"time": local.strftime("%H:%M")}
    if 0 < days < 7:
        return _("%(weekday)s（%(date)s）前") % {"weekday": _(WEEKDAYS[local.weekday()]), "date": local.strftime("%m-%d")}
    return _("%(date)s 前") % {"date": local.strftime("%Y-%m-%d")}


def _approver_items(user, scope: Scope) -> list[Todo]:
    from yanxiu.credits import selectors as credits
    from yanxiu.training import selectors as training

    items: list[Todo] = []
    if scope.superuser or scope.admin_schools or scope.bureau_counties:
        n = training.leave_awaiting(user=user).count()
        if n:
            items.append(Todo(ngettext("审批 %(n)d 条请假申请", "审批 %(n)d 条请假申请", n) % {"n": n}, reverse("training:leave_list")))
    if scope.superuser or scope.bureau_counties:
        n = training.swaps_awaiting(user=user).count()
        if n:
            items.append(Todo(ngettext("审批 %(n)d 条换人/退出申请", "审批 %(n)d 条换人/退出申请", n) % {"n": n}, reverse("training:swap_list")))
    if scope.superuser or scope.centre_counties:
        n = training.projects_awaiting_review(user=user).count()
        if n:
            items.append(Todo(ngettext("审核 %(n)d 个研修项目", "审核 %(n)d 个研修项目", n) % {"n": n}, reverse("training:review_list")))
    if scope.superuser or scope.admin_schools or scope.region_counties:
        n = credits.open_objections_count(user)
        if n:
            items.append(Todo(ngettext("处理 %(n)d 条公示异议", "处理 %(n)d 条公示异议", n) % {"n": n}, reverse("credits:postings")))
    if scope.superuser or scope.admin_schools or scope.bureau_counties:
        claims = credits.claims_to_review(user).order_by("created_at", "pk")
        n = claims.count()
        if n:
            items.append(Todo(ngettext("审核 %(n)d 份证书认定申请", "审核 %(n)d 份证书认定申请", n) % {"n": n},
                              reverse("credits:claim_review", args=[claims.values_list("pk", flat=True).first()])))
        items += _credit_items(user, scope)
    return items


def _credit_items(user, scope: Scope) -> list[Todo]:
    """Ended sessions to credit, one item per school, each linking to that school's credit page.

    The count is of the query of ``credits.selectors.sessions_to_credit`` without its display cap
    (the page lists at most 50; the item says how many really wait). A school admin gets their own
    schools; the bureau the schools of its county with the most waiting first.
    """
    from yanxiu.credits import selectors as credits
    from yanxiu.org.models import School

    sessions = _unsliced(credits.sessions_to_credit(user)).order_by()
    counts = dict(sessions.values("project__owner_school_id").annotate(n=Count("pk")).values_list("project__owner_school_id", "n"))
    counts.pop(None, None)
    own = [pk for pk in counts if pk in scope.admin_schools]
    listed = own if own else sorted(counts, key=lambda pk: (-counts[pk], pk))[:MAX_LISTED]
    names = dict(School.objects.filter(pk__in=listed).values_list("pk", "name"))
    items = []
    for pk in sorted(listed, key=lambda pk: (-counts[pk], names.get(pk, ""), pk)):
        n = counts[pk]
        text = ngettext("为 %(n)d 次已结束的活动登记学时", "为 %(n)d 次已结束的活动登记学时", n) % {"n": n}
        if len(scope.admin_schools) != 1 or pk not in scope.admin_schools:
            text += _("：%(school)s") % {"school": names.get(pk, "")}
        items.append(Todo(text, reverse("credits:school", args=[pk])))
    return items


def _unsliced(queryset):
    """``queryset`` without its slice: the same query, every row."""
    queryset = queryset._chain()
    queryset.query.clear_limits()
    return queryset


def _quota_items(scope: Scope, now: dt.datetime) -> list[Todo]:
    """Quotas of the admin's schools still open for names: one line each, with its deadline."""
    if not scope.admin_schools:
        return []
    from yanxiu.training.models import Quota

    quotas = list(
        Quota.objects.filter(school_id__in=scope.admin_schools, submitted_at__isnull=True, deadline__gte=now)
        .annotate(named=Count("nominations", filter=Q(nominations__is_active=True)))
        .filter(named__lt=F("places")).select_related("project", "session").order_by("deadline", "pk")[:MAX_LISTED]
    )
    items = []
    for quota in quotas:
        missing = quota.places - quota.named
        items.append(Todo(
            ngettext("%(due)s报送 %(n)d 名参训人员：%(title)s", "%(due)s报送 %(n)d 名参训人员：%(title)s", missing)
            % {"due": _due_text(quota.deadline, now), "n": missing, "title": quota.session or quota.project},
            reverse("training:quota_detail", args=[quota.pk]), "danger" if quota.deadline - now < dt.timedelta(days=2) else "warning",
            quota.deadline,
        ))
    return items


def _reviewer_items(user, scope: Scope) -> list[Todo]:
    from yanxiu.attendance.models import Reflection
    from yanxiu.attendance.selectors import sessions_managed_by
    from yanxiu.growth.selectors import records_to_review

    items: list[Todo] = []
    # The reflections of the sessions the user manages or presents (attendance.access.can_review_reflections):
    # a school admin's school sessions, region staff only the sessions of their own (bureau-level) projects —
    # a county's school sessions are reviewed by the schools.
    reviewed = Q(pk__in=[])
    if scope.superuser:
        reviewed = Q(session__in=sessions_managed_by(user))
    else:
        if scope.admin_schools:
            reviewed |= Q(session__project__owner_school_id__in=scope.admin_schools)
        if scope.region_counties:
            reviewed |= Q(session__project__owner_school__isnull=True, session__project__region_id__in=scope.region_counties)
    if scope.person_id:
        reviewed |= Q(session__presenter_id=scope.person_id)
    if scope.presenter:
        reviewed |= Q(session__presenter_account_id=user.pk)
    if reviewed != Q(pk__in=[]):
        n = Reflection.objects.filter(reviewed, status=Reflection.Status.SUBMITTED).count()
        if n:
            items.append(Todo(ngettext("审阅 %(n)d 篇研修反思", "审阅 %(n)d 篇研修反思", n) % {"n": n}, reverse("attendance:sessions")))
    if scope.admin_schools or scope.led_groups:
        n = records_to_review(user).count()
        if n:
            items.append(Todo(ngettext("审核 %(n)d 条成长记录", "审核 %(n)d 条成长记录", n) % {"n": n}, reverse("growth:review_list")))
    if scope.admin_schools:
        from yanxiu.growth.plan_selectors import waiting_for_review
        from yanxiu.org.models import School

        n = 0
        for school in School.objects.filter(pk__in=scope.admin_schools):
            plans, goals = waiting_for_review(school)
            n += plans.count() + goals.count()
        if n:
            items.append(Todo(ngettext("审核 %(n)d 份发展规划或学期目标", "审核 %(n)d 份发展规划或学期目标", n) % {"n": n},
                              reverse("growth:plan_reviews")))
    return items


def _teacher_items(scope: Scope, now: dt.datetime) -> list[Todo]:
    if scope.person_id is None:
        return []
    from yanxiu.attendance.models import Reflection
    from yanxiu.credits.models import Posting
    from yanxiu.growth.choices import ReviewStatus
    from yanxiu.growth.models import GrowthRecord, MentorActivity
    from yanxiu.needs.questionnaires import open_questionnaires_for
    from yanxiu.needs.selectors import open_surveys_for

    person_id, items = scope.person_id, []
    to_answer = [(q, reverse("needs:answer", args=[q.pk])) for q in open_questionnaires_for(person_id) if not q.answered]
    to_answer += [(s, reverse("needs:respond", args=[s.pk])) for s in open_surveys_for(person_id) if not s.answered]
    for survey, url in sorted(to_answer, key=lambda pair: pair[0].closes_on)[:MAX_LISTED]:
        items.append(Todo(_("%(date)s 前填写问卷：%(title)s") % {"date": survey.closes_on.strftime("%m-%d"), "title": survey.title}, url))
    returned = Reflection.objects.filter(person_id=person_id, status=Reflection.Status.RETURNED).order_by("session_id")
    n = returned.count()
    if n:
        items.append(Todo(ngettext("修改 %(n)d 篇被退回的反思", "修改 %(n)d 篇被退回的反思", n) % {"n": n},
                          reverse("attendance:reflection_submit", args=[returned.values_list("session_id", flat=True).first()])))
    n = GrowthRecord.objects.filter(person_id=person_id, status=ReviewStatus.RETURNED).count()
    if n:
        items.append(Todo(ngettext("修改 %(n)d 条被退回的成长记录", "修改 %(n)d 条被退回的成长记录", n) % {"n": n}, reverse("growth:my")))
    to_confirm = (MentorActivity.objects.filter(confirmed_at__isnull=True)
                  .filter(Q(pair__mentor_id=person_id) | Q(pair__apprentice_id=person_id)).exclude(logged_by_id=person_id))
    n = to_confirm.count()
    if n:
        pairs = list(to_confirm.order_by("pair_id").values_list("pair_id", flat=True).distinct()[:2])
        # One pair: its page lists the activities; several: the list of pairs.
        url = reverse("growth:mentor_detail", args=[pairs[0]]) if len(pairs) == 1 else reverse("growth:mentor_list")
        items.append(Todo(ngettext("确认 %(n)d 条师徒结对活动", "确认 %(n)d 条师徒结对活动", n) % {"n": n}, url))
    for posting in (Posting.objects.filter(status=Posting.Status.OPEN, entries__person_id=person_id, ends_at__gte=now)
                    .distinct().order_by("ends_at")[:MAX_LISTED]):
        items.append(Todo(_("%(due)s核对公示的学时，如有异议可提出：%(title)s") % {"due": _due_text(posting.ends_at, now), "title": posting.title},
                          reverse("credits:posting_detail", args=[posting.pk]), "info", posting.ends_at))
    return items


def todo_for(user, scope: Scope, *, now: dt.datetime | None = None) -> list[Todo]:
    """What waits for ``user``: approvals, reviews, names to send, surveys to answer, things to fix."""
    now = now or timezone.now()
    items = _approver_items(user, scope) + _quota_items(scope, now) + _reviewer_items(user, scope) + _teacher_items(scope, now)
    # Late and soon-due first, then the rest in the order above.
    return sorted(items, key=lambda t: (t.tone != "danger", t.due is None, t.due or now))
