"""``rules`` permissions of attendance, built on :mod:`yanxiu.attendance.access`."""

import rules

from yanxiu.org import scopes

from . import access


@rules.predicate
def manages_attendance(user, session):
    return session is not None and access.can_manage_attendance(user, session)


@rules.predicate
def runs_screen(user, session):
    return session is not None and access.can_run_screen(user, session)


@rules.predicate
def views_sheet(user, session):
    return session is not None and access.can_view_sheet(user, session)


@rules.predicate
def reviews_reflections(user, session):
    return session is not None and access.can_review_reflections(user, session)


@rules.predicate
def lists_absences(user):
    """School admins and region staff list the unexcused absences for a notice."""
    s = scopes.scope_of(user)
    return s.superuser or bool(s.admin_schools or s.region_counties)


@rules.predicate
def lists_run_sessions(user):
    """Admins, region staff, group leaders and presenters have the list of sessions they run in
    their menu even before their first session; anyone else once they run one."""
    from . import selectors

    s = scopes.scope_of(user)
    if s.superuser or s.admin_schools or s.region_counties or s.led_groups or s.presenter:
        return True
    return selectors.sessions_run_by(user).exists()


rules.add_perm("attendance.view_absences", lists_absences)
rules.add_perm("attendance.view_session_list", lists_run_sessions)
rules.add_perm("attendance.manage_session", manages_attendance)
rules.add_perm("attendance.run_screen", runs_screen)
rules.add_perm("attendance.view_sheet", views_sheet)
rules.add_perm("attendance.review_reflections", reviews_reflections)
