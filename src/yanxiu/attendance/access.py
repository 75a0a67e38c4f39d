"""Who may run, read and correct attendance, built on :mod:`yanxiu.org.scopes`.

- The sign-in screen: the session's presenter, the owning school's admin,
  the leader of the session's group, or for bureau training the bureau and
  training-centre staff of the project's region.
- Manual marking: the owning school's admin (and the bureau over the
  school); for bureau training the bureau and training-centre staff of the
  region. Reading the sheet and its export: those, the presenter and the
  leader of the session's group.
- Reviewing notes and reflections: whoever manages the sheet, and the presenter.
"""

from __future__ import annotations

from yanxiu.org import scopes


def _is_presenter(user, session) -> bool:
    """The session's presenter: a teacher named as presenter, or the guest presenter's own account."""
    s = scopes.scope_of(user)
    if s.person_id is not None and session.presenter_id == s.person_id:
        return True
    return session.presenter_account_id is not None and session.presenter_account_id == user.pk


def can_manage_attendance(user, session) -> bool:
    s = scopes.scope_of(user)
    if s.superuser:
        return True
    project = session.project
    if project.owner_school_id is not None:
        if project.owner_school_id in s.admin_schools:
            return True
        return project.owner_school.county_id in s.bureau_counties
    return project.region_id in s.region_counties


def can_run_screen(user, session) -> bool:
    if can_manage_attendance(user, session) or _is_presenter(user, session):
        return True
    s = scopes.scope_of(user)
    return session.group_id is not None and session.group_id in s.led_groups


def can_view_sheet(user, session) -> bool:
    """Read the attendance sheet (and its export): its managers, the presenter, the leader of the session's group."""
    if can_manage_attendance(user, session) or _is_presenter(user, session):
        return True
    s = scopes.scope_of(user)
    return session.group_id is not None and session.group_id in s.led_groups


def can_review_reflections(user, session) -> bool:
    return can_manage_attendance(user, session) or _is_presenter(user, session)


def can_see_author(user, person_id: int) -> bool:
    """May the user see who wrote another reflection (same-school admin or region staff)?"""
    from yanxiu.org.selectors import current_school

    s = scopes.scope_of(user)
    if s.superuser or person_id == s.person_id:
        return True
    school = current_school(person_id)
    if school is None:
        return False
    return school.pk in s.admin_schools or school.county_id in s.region_counties


def links_for(user, session) -> dict[str, bool]:
    """Which of a session's attendance pages the user may open: render only those links."""
    from yanxiu.training.access import can_view_session

    return {
        "page": can_view_session(user, session),
        "screen": can_run_screen(user, session),
        "sheet": can_view_sheet(user, session),
        "mark": can_manage_attendance(user, session),
        "reflections": can_review_reflections(user, session),
    }


def reflection_refusal(session, *, enrolled: bool, on_leave: bool, accepted: bool = False, now=None) -> str | None:
    """Why the teacher may not submit notes and a reflection for ``session`` now, or None when they may.

    One rule for the service that refuses and the pages that offer the 提交 link,
    so a page never offers what the service will refuse.
    """
    from django.utils import timezone
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    if not enrolled:
        return _("您不在本次活动的参训名单中，不能提交反思。")
    if session.status == "cancelled":
        return _("活动已取消，不能提交笔记与反思。")
    if session.starts_at and now < session.starts_at:
        return _("活动尚未开始，暂不能提交笔记与反思。")
    if on_leave:
        return _("您本次活动已请假，无需提交笔记与反思。")
    if accepted:
        return _("您的笔记与反思已审阅通过，不能再修改。")
    return None
