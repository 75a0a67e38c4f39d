"""The demo county's growth data (yanxiu.demo.growth).

The whole-county check, :func:`check_growth_demo`, runs on the county that
``tests/demo/test_seed_demo.py::test_seed_demo_small_county`` builds (in both
database passes), so that no test builds a county of its own for it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from yanxiu.demo import growth as demo_growth
from yanxiu.demo.growth import _Staff


def test_the_demo_term_is_the_current_one_once_two_weeks_of_it_are_gone():
    assert demo_growth.demo_term(dt.date(2026, 12, 1)).number == 1
    assert (demo_growth.demo_term(dt.date(2026, 9, 15)).school_year, demo_growth.demo_term(dt.date(2026, 9, 15)).number) == (2026, 1)
    assert (demo_growth.demo_term(dt.date(2026, 9, 10)).school_year, demo_growth.demo_term(dt.date(2026, 9, 10)).number) == (2025, 2)
    assert (demo_growth.demo_term(dt.date(2027, 2, 5)).school_year, demo_growth.demo_term(dt.date(2027, 2, 5)).number) == (2026, 1)
    assert (demo_growth.demo_term(dt.date(2027, 3, 1)).school_year, demo_growth.demo_term(dt.date(2027, 3, 1)).number) == (2026, 2)
    # The summer holiday belongs to the term just ended.
    assert (demo_growth.demo_term(dt.date(2027, 8, 20)).school_year, demo_growth.demo_term(dt.date(2027, 8, 20)).number) == (2026, 2)


def _staff(n: int, tier: str) -> _Staff:
    return _Staff(person_id=n, school_id=1, name=f"教师{n}", user_id=n, position="teacher", tier=tier, subject="语文")


def _pairings(staff):
    seeder = demo_growth._Seeder.__new__(demo_growth._Seeder)
    return [(m.person_id, a.person_id) for m, a in seeder._pairings(staff)]


def test_pairs_take_young_apprentices_and_senior_mentors_and_nobody_is_on_both_sides():
    staff = [_staff(1, "young"), _staff(2, "backbone"), _staff(3, "mature"), _staff(4, "young"), _staff(5, "young")]
    assert _pairings(staff) == [(2, 1), (3, 4)]
    # A small school: its one senior teacher takes two apprentices; two teachers make one pair.
    assert _pairings([_staff(1, "young"), _staff(2, "backbone"), _staff(3, "young")]) == [(2, 1), (2, 3)]
    assert _pairings([_staff(1, "mature"), _staff(2, "backbone")]) == [(2, 1)]
    assert _pairings([_staff(1, "young")]) == []


@pytest.mark.django_db
def test_rows_written_in_one_statement_take_the_models_defaults(roles, school):
    from yanxiu.growth.models import GrowthRecord

    person = roles.teacher.person
    day = dt.date(2025, 10, 9)
    reviewed = dt.datetime(2025, 10, 10, 17, 10, tzinfo=timezone.get_current_timezone())
    written = demo_growth.insert_rows(GrowthRecord, [
        {"person_id": person.pk, "school_id": school.pk, "kind": "observation", "date": day, "title": "《荷花》",
         "subject": "语文", "observed_name": "王老师", "status": "accepted", "reviewed_at": reviewed},
        {"person_id": person.pk, "school_id": school.pk, "kind": "award", "date": day, "title": "优质课",
         "level": "county", "rank": "first", "venue": "县教育局", "student_award": True},
    ])
    assert written == 2
    first, second = GrowthRecord.objects.order_by("id")
    assert (first.date, first.reviewed_at, first.status, first.source, first.critique) == (day, reviewed, "accepted", "entered", "")
    assert first.created_at is not None and first.credit_entry_id is None
    assert (second.status, second.student_award, second.award_rank_label) == ("submitted", True, "一等奖")
    assert demo_growth.insert_rows(GrowthRecord, []) == 0


def check_growth_demo() -> None:
    """Every demo school has its tier rule and tiers, the presets' task lists, a term of records with
    some teachers behind and most on track, records waiting for review, two mentor pairs (as far as
    its staff allows) with confirmed activities, plans and goals; the demo logins have their own."""
    from yanxiu.accounts.models import User
    from yanxiu.core.models import AuditEvent
    from yanxiu.growth.models import (DevelopmentPlan, GrowthRecord, MentorPair, TaskTemplate, TermGoal, TierAssignment,
                                      TierRule)
    from yanxiu.growth.progress import school_progress
    from yanxiu.org.models import Employment, School
    from yanxiu.policy.models import Policy

    today = timezone.localdate()
    term = demo_growth.demo_term(today)
    year = demo_growth.term_of_day(today).school_year
    schools = list(School.objects.filter(county__code="430121").order_by("code"))
    staff = dict(Employment.objects.current().values("school_id").annotate(n=Count("id")).values_list("school_id", "n"))
    assert TierRule.objects.filter(school__in=schools).count() == len(schools)
    tiers = dict(TierAssignment.objects.filter(school_year=year).values("school_id").annotate(n=Count("person", distinct=True))
                 .values_list("school_id", "n"))
    assert all(tiers.get(s.pk, 0) == staff[s.pk] for s in schools)

    presets = {}
    for school_id, key in TaskTemplate.objects.values_list("school_id", "preset_key"):
        presets.setdefault(school_id, set()).add(key)
    assert all(presets[s.pk] >= {"001-1-young", "001-1-backbone", "leaders"} and len(presets[s.pk]) == 4 for s in schools)
    assert sum("001-7" in presets[s.pk] for s in schools) == 1
    assert AuditEvent.objects.filter(action="growth.template_adopt").count() == 4 * len(schools)

    in_term = Q(date__gte=term.start, date__lte=term.end)
    counted = dict(GrowthRecord.objects.filter(in_term, status="accepted").values("school_id").annotate(n=Count("id"))
                   .values_list("school_id", "n"))
    waiting = dict(GrowthRecord.objects.filter(status="submitted").values("school_id").annotate(n=Count("id"))
                   .values_list("school_id", "n"))
    assert all(counted.get(s.pk, 0) > 0 and waiting.get(s.pk, 0) >= 1 for s in schools)
    assert sum(counted.values()) > sum(staff[s.pk] for s in schools)
    returned = GrowthRecord.objects.get(status="returned")
    assert returned.review_reason and returned.person.user.username == "teacher"
    kinds = set(GrowthRecord.objects.values_list("kind", flat=True))
    assert {"observation", "public_lesson", "award"} <= kinds and len(kinds) >= 8
    observation = GrowthRecord.objects.filter(kind="observation", observed__isnull=False).exclude(critique="").first()
    assert observation.observed_id != observation.person_id and observation.observed_name == observation.observed.name

    behind = on_track = 0
    for school in schools:
        rows = school_progress(school, year=term.school_year, term=term.number)
        assert all(r.template is not None for r in rows)
        behind += sum(r.behind for r in rows)
        on_track += sum(not r.behind for r in rows)
    assert 0 < behind < on_track

    pairs = dict(MentorPair.objects.filter(school_year=term.school_year).values("school_id").annotate(
        n=Count("id", filter=Q(activities__confirmed_at__isnull=False), distinct=True)).values_list("school_id", "n"))
    assert all(pairs.get(s.pk, 0) == (2 if staff[s.pk] >= 3 else 1) for s in schools), pairs
    assert AuditEvent.objects.filter(action="growth.mentor_activity_confirm").exists()

    teacher = User.objects.get(username="teacher").person
    lesson = GrowthRecord.objects.get(person=teacher, kind="public_lesson", level="county", status="accepted")
    policy = Policy.objects.get(region__code="430121")
    # Credited within the policy's cap (preset 000 counts public lessons), once the policy is in force.
    assert (lesson.credit_entry_id is not None) == (policy.valid_from_year <= term.school_year)
    assert GrowthRecord.objects.filter(person=teacher, status="submitted").count() == 2
    assert DevelopmentPlan.objects.get(person=teacher).status == "accepted"
    assert TermGoal.objects.get(person=teacher).status == "submitted"
    assert DevelopmentPlan.objects.count() > len(schools) and TermGoal.objects.filter(status="accepted").count() > len(schools)
    # Last school year's file of the demo teacher is assessed and signed off (locked).
    from yanxiu.growth.models import GrowthYear

    last = GrowthYear.objects.get(person=teacher, school_year=year - 1)
    assert last.locked and {"self", "school"} <= set(last.reviews.values_list("role", flat=True))
