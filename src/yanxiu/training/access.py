"""Who may see and do what in training, built on :mod:`yanxiu.org.scopes`.

- A school project and its sessions are managed by the school's admin (and the
  bureau over the school); a bureau project by the bureau of its region.
- A group leader (教研组长) adds and runs their own group's sessions (集体备课,
  课例研究 …) under an approved project of their school.
- School-chosen projects are reviewed by the training centre (研训员) of the
  school's county.
- Leave is decided first by the admin of the teacher's school, then, for
  bureau-level training, by the bureau of the project's region.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yanxiu.org import scopes
from yanxiu.org.selectors import current_school_id

from .models import Project, Session


def person_school_id(person_id: int | None) -> int | None:
    """The person's current school (``org.selectors.current_school_id``)."""
    return current_school_id(person_id)


def can_manage_project(user, project: Project) -> bool:
    s = scopes.scope_of(user)
    if s.superuser:
        return True
    if project.owner_school_id is not None:
        return scopes.can_manage_school(user, project.owner_school)
    return project.region_id in s.bureau_counties


def can_create_bureau_project(user, region) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or (region is not None and region.pk in s.bureau_counties)


def can_review_project(user, project: Project) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or project.region_id in s.centre_counties


def led_groups_of_school(user, project: Project) -> set[int]:
    """The groups the user leads in the project's school (empty for a bureau project)."""
    from yanxiu.org.models import Group

    s = scopes.scope_of(user)
    if not s.led_groups or project.owner_school_id is None:
        return set()
    return set(Group.objects.filter(pk__in=s.led_groups, school_id=project.owner_school_id).values_list("pk", flat=True))


def can_add_session(user, project: Project) -> bool:
    """Project managers add any session; a group leader adds their group's, once the project may run."""
    if can_manage_project(user, project):
        return True
    runnable = project.status == Project.Status.APPROVED or not project.requires_approval
    return runnable and bool(led_groups_of_school(user, project))


def can_manage_session(user, session: Session) -> bool:
    if can_manage_project(user, session.project):
        return True
    return session.group_id is not None and session.group_id in led_groups_of_school(user, session.project)


def can_manage_categories(user, region) -> bool:
    s = scopes.scope_of(user)
    if s.superuser:
        return True
    return region is not None and region.pk in s.region_counties


def can_allocate_quota(user, project: Project) -> bool:
    return project.is_bureau_level and can_manage_project(user, project)


def can_name_on_quota(user, quota) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or quota.school_id in s.admin_schools


def can_decide_swap(user, swap) -> bool:
    return can_manage_project(user, swap.quota.project)


def can_decide_leave_as_school(user, leave) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or (leave.school_id is not None and leave.school_id in s.admin_schools)


def can_decide_leave_as_bureau(user, leave) -> bool:
    s = scopes.scope_of(user)
    return s.superuser or leave.session.project.region_id in s.bureau_counties


def projects_visible_to(user) -> QuerySet[Project]:
    s = scopes.scope_of(user)
    if s.superuser:
        return Project.objects.all()
    q = Q(region_id__in=s.region_counties) | Q(owner_school_id__in=s.admin_schools)
    school_id = current_school_id(s.person_id)
    if school_id is not None:
        # Teachers see their school's projects and bureau projects they take part in.
        q |= Q(owner_school_id=school_id, status=Project.Status.APPROVED) | Q(
            owner_school_id=school_id, requires_approval=False
        )
    if s.person_id is not None:
        q |= Q(sessions__enrollments__person_id=s.person_id)
    if s.admin_schools:
        q |= Q(quotas__school_id__in=s.admin_schools)
    return Project.objects.filter(pk__in=Project.objects.filter(q).values("pk"))


def sessions_visible_to(user) -> QuerySet[Session]:
    s = scopes.scope_of(user)
    if s.superuser:
        return Session.objects.all()
    q = Q(project__region_id__in=s.region_counties) | Q(project__owner_school_id__in=s.admin_schools)
    if s.admin_schools:
        q |= Q(project__quotas__school_id__in=s.admin_schools)
    if s.led_groups:
        q |= Q(group_id__in=s.led_groups)
    if s.presenter:
        q |= Q(presenter_account_id=user.pk)
    if s.person_id is not None:
        q |= Q(enrollments__person_id=s.person_id) | Q(presenter_id=s.person_id) | Q(lead_speaker_id=s.person_id)
        school_id = current_school_id(s.person_id)
        if school_id is not None:
            q |= Q(project__owner_school_id=school_id, status=Session.Status.PUBLISHED)
    return Session.objects.filter(pk__in=Session.objects.filter(q).values("pk"))


def can_view_session(user, session: Session) -> bool:
    return sessions_visible_to(user).filter(pk=session.pk).exists()
