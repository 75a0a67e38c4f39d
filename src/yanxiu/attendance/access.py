"""Who may run, read and correct attendance, built on :mod:`yanxiu.accounts.scopes`.

- The sign-in screen: the session's presenter, the owning school's admin,
  the leader of the session's group, or for bureau training the bureau and
  training-centre staff of the project's region.
- The attendance sheet, manual marking and the export: the owning school's
  admin (and the bureau over the school); for bureau training the bureau and
  training-centre staff of the region.
- Reviewing notes and reflections: whoever manages the sheet, and the presenter.
"""

from __future__ import annotations

from yanxiu.accounts import scopes


def _is_presenter(user, session) -> bool:
    s = scopes.scope_of(user)
    return s.person_id is not None and session.presenter_id == s.person_id


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


def can_review_reflections(user, session) -> bool:
    return can_manage_attendance(user, session) or _is_presenter(user, session)


def can_see_author(user, person_id: int) -> bool:
    """May the user see who wrote another reflection (same-school admin or region staff)?"""
    from yanxiu.org.models import Employment

    s = scopes.scope_of(user)
    if s.superuser or person_id == s.person_id:
        return True
    row = (
        Employment.objects.filter(person_id=person_id, end_date__isnull=True)
        .values_list("school_id", "school__county_id")
        .first()
    )
    if row is None:
        return False
    school_id, county_id = row
    return school_id in s.admin_schools or county_id in s.region_counties
