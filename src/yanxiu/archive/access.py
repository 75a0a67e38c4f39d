"""Who may file, read and remove session materials and see a school's library,
built on :mod:`yanxiu.org.scopes` and the attendance app's decisions.

- Upload and delete: whoever manages the session's attendance or presents it
  (:func:`yanxiu.attendance.access.can_review_reflections`), and the leader
  of the session's group.
- See and download: those, everyone enrolled in the session, and region
  staff (bureau and training centre) over the school or the bureau project.
- A school's resource library: the school's admins and region staff over it.
"""

from __future__ import annotations

from yanxiu.org import scopes
from yanxiu.attendance import access as attendance_access


def can_manage_materials(user, session) -> bool:
    if attendance_access.can_review_reflections(user, session):
        return True
    s = scopes.scope_of(user)
    return session.group_id is not None and session.group_id in s.led_groups


def _region_staff_over(user, session) -> bool:
    s = scopes.scope_of(user)
    if not s.region_counties:
        return False
    project = session.project
    if project.owner_school_id is not None:
        return project.owner_school.county_id in s.region_counties
    return project.region_id in s.region_counties


def is_enrolled(user, session) -> bool:
    from yanxiu.training.models import Enrollment

    s = scopes.scope_of(user)
    return s.person_id is not None and Enrollment.objects.filter(
        session_id=session.pk, person_id=s.person_id, status=Enrollment.Status.ENROLLED
    ).exists()


def can_view_materials(user, session) -> bool:
    return can_manage_materials(user, session) or _region_staff_over(user, session) or is_enrolled(user, session)


def can_view_library(user, school) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties
