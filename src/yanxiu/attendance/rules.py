"""``rules`` permissions of attendance, built on :mod:`yanxiu.attendance.access`."""

import rules

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


rules.add_perm("attendance.manage_session", manages_attendance)
rules.add_perm("attendance.run_screen", runs_screen)
rules.add_perm("attendance.view_sheet", views_sheet)
rules.add_perm("attendance.review_reflections", reviews_reflections)
