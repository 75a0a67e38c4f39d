"""What the home page shows each role: the next things to do, with counts.

Each function reads through the apps' own selectors, so the home page shows
exactly what the linked pages will list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from yanxiu.accounts.scopes import Scope


@dataclass(frozen=True)
class Card:
    title: str
    value: int | str
    url: str
    tone: str = "primary"  # Bootstrap contextual colour


def teacher_sessions(user, scope: Scope):
    """The teacher's upcoming sessions and today's sign-ins."""
    if not scope.is_teacher:
        return [], []
    from yanxiu.attendance.selectors import todays_sessions_for
    from yanxiu.training.selectors import my_sessions

    upcoming = list(my_sessions(person_id=scope.person_id, include_past=False)[:5])
    today = list(todays_sessions_for(user))
    return upcoming, today


def admin_cards(user, scope: Scope) -> list[Card]:
    from yanxiu.training import selectors as training

    cards: list[Card] = []
    if scope.superuser or scope.admin_schools or scope.bureau_counties:
        waiting = training.leave_awaiting(user=user).count()
        cards.append(Card(_("待审批请假"), waiting, reverse("training:leave_list"), "warning" if waiting else "secondary"))
    if scope.superuser or scope.centre_counties:
        review = training.projects_awaiting_review(user=user).count()
        cards.append(Card(_("待审核项目"), review, reverse("training:review_list"), "warning" if review else "secondary"))
    if scope.superuser or scope.bureau_counties:
        swaps = training.swaps_awaiting(user=user).count()
        missed = training.quotas_missed_deadline(user=user).count()
        cards.append(Card(_("待审批换人/退出"), swaps, reverse("training:swap_list"), "warning" if swaps else "secondary"))
        cards.append(Card(_("逾期未报名额"), missed, reverse("training:quota_missed"), "danger" if missed else "secondary"))
    if scope.superuser or scope.admin_schools or scope.region_counties:
        upcoming = training.session_list(user=user, status="published", upcoming=True).count()
        cards.append(Card(_("即将开展的研修活动"), upcoming, reverse("training:project_list")))
    if scope.admin_schools:
        from yanxiu.credits.selectors import current_school_year

        from .followup import followups

        missing = sum(1 for r in followups(sorted(scope.admin_schools), current_school_year()) if r.shared_in is None)
        cards.append(Card(_("上级培训返校未分享"), missing, reverse("reports:followups"), "warning" if missing else "secondary"))
    return cards
