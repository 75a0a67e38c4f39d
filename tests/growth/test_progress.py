"""Progress against each preset, counted on constructed teachers."""

from __future__ import annotations

import datetime as dt

import pytest

from yanxiu.growth import progress
from yanxiu.growth.presets import PRESETS

from .conftest import YEAR

pytestmark = pytest.mark.django_db

TERM_END = dt.date(YEAR + 1, 1, 31)


def _row(growth, user, key, *, today=TERM_END, tier=None):
    template = growth.adopt(key)
    employment = user.person.employments.get()
    employment.tier = tier or template.tier or "young"
    employment.position = "principal" if template.for_leaders else "teacher"
    employment.save()
    rows = progress.school_progress(growth.school, year=YEAR, term=1, today=today,
                                    employments=type(employment).objects.filter(pk=employment.pk))
    return rows[0]


def test_backbone_five_ones_counts_the_year_and_twenty_observations_a_term(growth):
    person = growth.roles.teacher.person
    for day in range(19):
        growth.record(person, "observation", dt.date(YEAR, 10, 1) + dt.timedelta(days=day))
    growth.record(person, "observation", dt.date(YEAR, 8, 20))  # before the term: not counted
    growth.record(person, "research_topic", dt.date(YEAR, 11, 1), role="lead", topic_status="ongoing")
    growth.record(person, "research_lesson", dt.date(YEAR, 12, 1))  # counts as the public activity
    growth.record(person, "article", dt.date(YEAR, 12, 2), venue="湖南教育", accepted=False)  # not accepted yet
    row = _row(growth, growth.roles.teacher, "001-1-backbone")
    items = {i.kind: i for i in row.items}
    assert items["observation"].target == 20 and items["observation"].done == 19 and items["observation"].behind
    assert items["research_topic"].done == 1
    assert items["public_lesson"].done == 1
    assert items["article"].done == 0
    assert row.as_json()["template"] == "骨干教师“五个一”"
    # A year item is due by the end of the school year: at the end of term 1 half of one is not yet due.
    assert not items["article"].behind


def test_young_and_mature_observation_quotas(growth):
    person = growth.roles.teacher.person
    for day in range(17):
        growth.record(person, "observation", dt.date(YEAR, 9, 2) + dt.timedelta(days=day))
    young = _row(growth, growth.roles.teacher, "001-1-young")
    assert {i.kind: (i.target, i.done, i.behind) for i in young.items}["observation"] == (17, 17, False)


def test_eight_ones_scale_weekly_and_fortnightly_targets_to_the_term(growth):
    person = growth.roles.teacher.person
    growth.record(person, "question", dt.date(YEAR, 10, 8))  # a question counts for the case item
    row = _row(growth, growth.roles.teacher, "001-7", tier="mature")
    items = {i.kind: i for i in row.items}
    days = (TERM_END - dt.date(YEAR, 9, 1)).days + 1
    assert items["observation"].target == days // 7
    assert items["reading_note"].target == days // 14
    assert items["case"].done == 1 and not items["case"].behind
    assert items["test_paper"].behind


def test_behind_is_prorated_during_the_term(growth):
    row = _row(growth, growth.roles.teacher, "001-1-mature", today=dt.date(YEAR, 9, 1))
    assert not row.behind  # first day: nothing is due yet
    row = _row(growth, growth.roles.teacher, "001-1-mature", today=dt.date(YEAR, 11, 15))
    observation = {i.kind: i for i in row.items}["observation"]
    assert observation.expected == 16 * 76 // 153 and observation.behind


def test_leaders_observe_twice_a_week(growth):
    row = _row(growth, growth.roles.school_admin, "leaders")
    (item,) = row.items
    assert item.target == 2 * (153 // 7)


def test_three_ones_monthly_articles(growth):
    person = growth.roles.teacher.person
    for month in (9, 10, 11, 12):
        growth.record(person, "reading_note", dt.date(YEAR, month, 10))
    row = _row(growth, growth.roles.teacher, "001-2", tier="young")
    items = {i.kind: i for i in row.items}
    assert items["article"].target == 5 and items["article"].done == 4 and items["article"].behind


def test_every_preset_is_counted(growth):
    for preset in PRESETS:
        row = _row(growth, growth.roles.teacher, preset["key"], tier=preset["tier"] or "young")
        assert len(row.items) == len(preset["items"])


def test_apprentices_and_goals_are_counted_from_their_own_records(growth):
    from yanxiu.growth.models import MentorPair, TermGoal

    mentor, apprentice = growth.roles.teacher.person, growth.roles.member.person
    MentorPair.objects.create(school=growth.school, mentor=mentor, apprentice=apprentice, school_year=YEAR, goals="一年内站稳讲台")
    TermGoal.objects.create(person=mentor, school=growth.school, school_year=YEAR, term=1, goal="上好研究课", status="accepted")
    backbone = {i.kind: i.done for i in _row(growth, growth.roles.teacher, "001-1-backbone").items}
    assert backbone["apprentice"] == 1
    young = {i.kind: i.done for i in _row(growth, growth.roles.teacher, "001-1-young").items}
    assert young["goal"] == 1


def test_query_count_does_not_grow_with_the_staff(growth):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    growth.adopt("001-1-young")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = progress.school_progress(growth.school, year=YEAR, term=1, today=TERM_END)
        return len(ctx.captured_queries), len(rows)

    small, staff_before = count()
    for n in range(8):
        user = growth.people.teacher(growth.school, tier="young")
        growth.record(user.person, "observation", dt.date(YEAR, 10, 1 + n))
    large, staff_after = count()
    assert staff_after == staff_before + 8
    assert large == small <= 12
