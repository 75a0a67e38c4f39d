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
