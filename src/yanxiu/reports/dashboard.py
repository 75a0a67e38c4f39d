"""What the home page shows each role: the next things to do, with counts.

Each function reads through the apps' own selectors, so the home page shows
exactly what the linked pages will list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yanxiu.org.scopes import Scope


@dataclass(frozen=True)
class Card:
    title: str
    value: int | str
    url: str
    tone: str = "primary"  # Bootstrap contextual colour
    note: str = ""  # one line under the value


def teacher_sessions(user, scope: Scope):
    """The teacher's upcoming sessions and today's sign-ins."""
    if not scope.is_teacher:
        return [], []
    from yanxiu.attendance.selectors import todays_sessions_for
    from yanxiu.training.selectors import my_sessions

    from yanxiu.training.selectors import change_notices

    upcoming = list(my_sessions(person_id=scope.person_id, include_past=False)[:5])
    now = timezone.now()
    notices = change_notices(sessions=upcoming, now=now)
    for session in upcoming:
        session.change_notice = notices.get(session.pk, "")
    # Today's card is for signing in: a session that has ended leaves it.
    today = [s for s in todays_sessions_for(user, now=now) if s.ends_at is None or s.ends_at > now]
    return upcoming, today


def presented_sessions(user, scope: Scope, *, now=None) -> tuple[list, list]:
    """The sessions the user presents (as a teacher named presenter, or with a guest presenter's account):
    coming and past, each with the attendance links the user may open and the reflections awaiting review."""
    if not (scope.presenter or scope.person_id):
        return [], []
    from django.db.models import Count, Q

    from yanxiu.attendance import access
    from yanxiu.attendance.models import Reflection
    from yanxiu.training.models import Session

    q = Q(presenter_account_id=user.pk) if scope.presenter else Q(pk__in=[])
    if scope.person_id:
        q |= Q(presenter_id=scope.person_id)
    qs = (
        Session.objects.filter(q).exclude(status=Session.Status.DRAFT).select_related("project__owner_school")
        .annotate(to_review=Count("reflections", filter=Q(reflections__status=Reflection.Status.SUBMITTED)))
    )
    now = now or timezone.now()
    coming = list(qs.filter(ends_at__gte=now).order_by("starts_at", "pk")[:10])
    past = list(qs.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:10])
    for session in coming + past:
        session.links = access.links_for(user, session)
    return coming, past


def admin_cards(user, scope: Scope) -> list[Card]:
    """Counts to keep an eye on; what waits for the user's own action is the to-do list (``todo.py``)."""
    from yanxiu.training import selectors as training

    cards: list[Card] = []
    if scope.superuser or scope.bureau_counties:
        missed = training.quotas_missed_deadline(user=user).count()
        cards.append(Card(_("逾期未报名额"), missed, reverse("training:quota_missed"), "danger" if missed else "secondary"))
    if scope.superuser or scope.admin_schools or scope.region_counties:
        upcoming = training.session_list(user=user, status="published", upcoming=True).count()
        cards.append(Card(_("即将开展的研修活动"), upcoming, reverse("training:project_list")))
    if scope.led_groups and not (scope.superuser or scope.admin_schools or scope.region_counties):
        from yanxiu.training.models import Session

        group_sessions = Session.objects.filter(
            group_id__in=scope.led_groups, status=Session.Status.PUBLISHED, ends_at__gte=timezone.now()
        ).count()
        cards.append(Card(_("本组即将开展的活动"), group_sessions, reverse("attendance:sessions")))
    if scope.admin_schools:
        from yanxiu.credits.selectors import current_school_year

        from .followup import followups

        missing = sum(1 for r in followups(sorted(scope.admin_schools), current_school_year()) if r.shared_in is None)
        cards.append(Card(_("上级培训返校未分享"), missing, reverse("reports:followups"), "warning" if missing else "secondary"))
    return cards


STATUS_TONES = {"met": "success", "in_progress": "info", "at_risk": "warning", "below": "warning", "fail": "danger"}


def credit_cards(user, scope: Scope) -> list[Card]:
    """The teacher's standing this school year."""
    from yanxiu.credits import selectors as credits

    cards: list[Card] = []
    if scope.person_id is not None:
        from yanxiu.org.models import Person
        from yanxiu.credits.templatetags.credits_tags import amount

        person = Person.objects.filter(pk=scope.person_id).first()
        employment = person.current_employment if person else None
        if employment is not None:
            row = credits.person_compliance(person, credits.current_school_year(employment.school.county))
            if row is not None:
                cards.append(Card(
                    _("本学年学时"), f"{amount(row.total)} / {amount(row.minimum)} {row.unit}", reverse("credits:mine"),
                    STATUS_TONES.get(row.status, "primary"), note=row.status_label,
                ))
    return cards


def growth_cards(user, scope: Scope) -> list[Card]:
    """How many teachers are behind on their growth tasks this term: the school admin's school, or a leader's groups."""
    from yanxiu.growth import access, calendar, progress
    from yanxiu.org.models import Employment
    from yanxiu.org.scopes import admin_school

    if scope.admin_schools:
        school = admin_school(user)
        employments = None
    elif scope.led_groups and not (scope.superuser or scope.region_counties):
        from yanxiu.org.models import Group

        first = Group.objects.filter(pk__in=scope.led_groups).select_related("school").order_by("school__code").first()
        school = first.school if first else None
        employments = (Employment.objects.current().filter(school=school, groups__in=access.groups_for_progress(user, school))
                       .distinct() if school else None)
    else:
        return []
    if school is None:
        return []
    term = calendar.term_of(school, timezone.localdate())
    rows = progress.school_progress(school, year=term.school_year, term=term.number, employments=employments)
    behind = sum(1 for r in rows if r.behind)
    days = (term.end - timezone.localdate()).days
    note = _("距学期结束 %(days)d 天") % {"days": days} if days >= 0 else ""
    url = reverse("growth:progress") + ("" if employments is not None else f"?school={school.pk}")
    return [Card(_("成长任务进度落后"), behind, url, "danger" if behind else "secondary", note=note)]


def growth_mine(scope: Scope):
    """The teacher's progress this term at their current school (``None`` without a school or a task list)."""
    if scope.person_id is None:
        return None
    from yanxiu.growth import calendar, progress
    from yanxiu.org.models import Employment

    employment = Employment.objects.current().filter(person_id=scope.person_id).select_related("school", "person").first()
    if employment is None:
        return None
    term = calendar.term_of(employment.school, timezone.localdate())
    rows = progress.school_progress(employment.school, year=term.school_year, term=term.number,
                                    employments=Employment.objects.filter(pk=employment.pk))
    if not rows or rows[0].template is None:
        return None
    return {"row": rows[0], "term": term, "days_left": max(0, (term.end - timezone.localdate()).days)}
