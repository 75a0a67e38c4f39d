"""``rules`` permissions of the archive, built on :mod:`yanxiu.archive.access`."""

import rules

from . import access


@rules.predicate
def manages_materials(user, session):
    return session is not None and access.can_manage_materials(user, session)


@rules.predicate
def views_materials(user, session):
    return session is not None and access.can_view_materials(user, session)


@rules.predicate
def views_library(user, school):
    return school is not None and access.can_view_library(user, school)


rules.add_perm("archive.manage_materials", manages_materials)
rules.add_perm("archive.view_materials", views_materials)
rules.add_perm("archive.view_library", views_library)
