"""``rules`` permissions for training pages, built on :mod:`yanxiu.training.access`."""

import rules

from yanxiu.org import scopes

from . import access


@rules.predicate
def manages_project(user, project):
    return project is not None and access.can_manage_project(user, project)


@rules.predicate
def adds_session(user, project):
    return project is not None and access.can_add_session(user, project)


@rules.predicate
def reviews_project(user, project):
    return project is not None and access.can_review_project(user, project)


@rules.predicate
def manages_session(user, session):
    return session is not None and access.can_manage_session(user, session)


@rules.predicate
def views_session(user, session):
    return session is not None and access.can_view_session(user, session)


@rules.predicate
def manages_school(user, school):
    return school is not None and scopes.can_manage_school(user, school)


@rules.predicate
def manages_categories(user, region):
    return access.can_manage_categories(user, region)


@rules.predicate
def creates_bureau_project(user, region):
    return region is not None and access.can_create_bureau_project(user, region)


@rules.predicate
def allocates_quota(user, project):
    return project is not None and access.can_allocate_quota(user, project)


@rules.predicate
def names_on_quota(user, quota):
    return quota is not None and access.can_name_on_quota(user, quota)


# Pages listing the training of a school or county: who has them in their menu.


@rules.predicate
def runs_school_training(user):
    """School admins, region staff and group leaders (who fit their group's sessions into their school's plan)."""
    s = scopes.scope_of(user)
    return s.superuser or bool(s.admin_schools or s.region_counties or s.led_groups)


@rules.predicate
def decides_leave_or_quotas(user):
    """School admins (their teachers' leave, their places) and the bureau (its training's)."""
    s = scopes.scope_of(user)
    return s.superuser or bool(s.admin_schools or s.bureau_counties)


@rules.predicate
def is_bureau(user):
    return scopes.scope_of(user).is_bureau


@rules.predicate
def reviews_projects(user):
    s = scopes.scope_of(user)
    return s.superuser or bool(s.centre_counties)


@rules.predicate
def sees_participants(user, session):
    """A session's enrolment, leave and evaluation summary: its managers, and region staff."""
    return session is not None and (access.can_manage_session(user, session) or scopes.scope_of(user).is_region_staff)


rules.add_perm("training.view_participants", sees_participants)
rules.add_perm("training.view_projects", runs_school_training)
rules.add_perm("training.view_plans", runs_school_training)
rules.add_perm("training.view_evaluations", runs_school_training)
rules.add_perm("training.view_leave_list", decides_leave_or_quotas)
rules.add_perm("training.view_quotas", decides_leave_or_quotas)
rules.add_perm("training.view_missed_quotas", is_bureau)
rules.add_perm("training.view_swaps", is_bureau)
rules.add_perm("training.view_reviews", reviews_projects)

rules.add_perm("training.manage_project", manages_project)
rules.add_perm("training.add_session", adds_session)
rules.add_perm("training.review_project", reviews_project)
rules.add_perm("training.manage_session", manages_session)
rules.add_perm("training.view_session", views_session)
rules.add_perm("training.manage_school_training", manages_school)
rules.add_perm("training.manage_category", manages_categories)
rules.add_perm("training.create_bureau_project", creates_bureau_project)
rules.add_perm("training.allocate_quota", allocates_quota)
rules.add_perm("training.name_on_quota", names_on_quota)
