"""``rules`` predicates and permissions, built on :mod:`yanxiu.org.scopes`."""

import rules

from . import scopes


@rules.predicate
def is_bureau(user):
    return scopes.scope_of(user).is_bureau


@rules.predicate
def is_region_staff(user):
    return scopes.scope_of(user).is_region_staff


@rules.predicate
def is_school_admin(user):
    return scopes.scope_of(user).is_school_admin


@rules.predicate
def manages_school(user, school):
    return school is not None and scopes.can_manage_school(user, school)


@rules.predicate
def issues_login_slips(user, school):
    return school is not None and scopes.can_issue_login_slips(user, school)


@rules.predicate
def views_school(user, school):
    return school is not None and scopes.can_view_school(user, school)


@rules.predicate
def views_person(user, person):
    return person is not None and scopes.can_view_person(user, person)


@rules.predicate
def sees_full_personal_data(user, person):
    return person is not None and scopes.can_see_full_personal_data(user, person)


@rules.predicate
def may_transfer(user, employment):
    return employment is not None and scopes.can_transfer(user, employment)


@rules.predicate
def exports_full_personal_data(user, school):
    return school is not None and scopes.can_export_full_personal_data(user, school)


rules.add_perm("org.add_school", is_bureau)
rules.add_perm("org.view_school", views_school)
rules.add_perm("org.change_school", manages_school)
rules.add_perm("org.manage_staff", manages_school)
rules.add_perm("org.import_roster", manages_school)
rules.add_perm("org.view_staff_list", is_region_staff | is_school_admin | manages_school)
rules.add_perm("org.export_full_personal_data", exports_full_personal_data)
rules.add_perm("org.view_person", views_person)
rules.add_perm("org.view_person_full", sees_full_personal_data)
rules.add_perm("org.transfer_employment", may_transfer)
rules.add_perm("accounts.issue_login_slips", issues_login_slips)
