"""A person's current employment and school: one definition, read through org.selectors."""

import datetime as dt

import pytest

from yanxiu.org import selectors, services
from yanxiu.org.models import Employment

pytestmark = pytest.mark.django_db


def test_current_employment_and_school_follow_a_transfer(roles, school, school_b):
    person = roles.teacher.person
    assert selectors.current_employment(person).school == school
    assert selectors.current_school(person) == school
    assert selectors.current_school(person.pk) == school  # an id works as well as the person
    assert selectors.current_school_id(person) == school.pk

    services.teacher_transfer(actor=roles.school_admin, employment=person.employments.get(), to_school=school_b, date=dt.date(2026, 9, 1), reason="工作需要")

    assert selectors.current_school(person) == school_b
    assert selectors.current_school_id(person.pk) == school_b.pk
    assert person.current_employment.school == school_b
    assert selectors.current_school_ids([person.pk, roles.other_teacher.person.pk]) == {person.pk: school_b.pk, roles.other_teacher.person.pk: school_b.pk}


def test_nobody_between_schools_has_a_current_school(roles):
    person = roles.teacher.person
    Employment.objects.filter(person=person).update(end_date=dt.date(2026, 7, 1))
    assert selectors.current_employment(person) is None
    assert selectors.current_school(person) is None
    assert selectors.current_school_id(person) is None
    assert selectors.current_school_ids([person.pk]) == {}
    assert person.current_employment is None
    assert selectors.current_school(None) is None and selectors.current_school_ids([]) == {}


def test_the_current_school_comes_with_its_county_in_one_query(roles, county, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.current_school(roles.teacher.person).county == county


def test_current_school_ids_is_one_query_for_many_people(roles, django_assert_num_queries):
    ids = [roles.teacher.person.pk, roles.member.person.pk, roles.other_teacher.person.pk]
    with django_assert_num_queries(1):
        found = selectors.current_school_ids(ids)
    assert set(found) == set(ids)


def test_current_staff_are_the_people_working_at_the_school_now(roles, school, school_b):
    before = set(selectors.current_staff(school).values_list("pk", flat=True))
    assert roles.teacher.person.pk in before and roles.other_teacher.person.pk not in before
    services.teacher_transfer(actor=roles.school_admin, employment=roles.teacher.person.employments.get(), to_school=school_b, date=dt.date(2026, 9, 1), reason="工作需要")
    assert roles.teacher.person.pk not in set(selectors.current_staff(school).values_list("pk", flat=True))
    assert roles.teacher.person.pk in set(selectors.current_staff(school_b).values_list("pk", flat=True))
    assert selectors.current_staff(school_b).count() == len(set(selectors.current_staff(school_b)))  # no person twice
