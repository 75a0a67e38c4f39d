"""Development plans and term goals: the rules, bounds, permissions and the lock after sign-off."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yanxiu.core.models import AuditEvent
from yanxiu.growth import progress
from yanxiu.growth.models import DevelopmentPlan, GrowthYear, TermGoal
from yanxiu.growth.plan_selectors import plan_in_force
from yanxiu.growth.services.plans import (
    goal_outcome,
    goal_review,
    goal_submit,
    plan_review,
    plan_submit,
)

from .conftest import YEAR

pytestmark = pytest.mark.django_db

TEXT = {"self_analysis": "教龄三年，课堂组织尚需加强。", "goals": "五年内成为县级骨干教师。", "measures": "每周听课两节。"}


def _plan(user, start=YEAR, end=YEAR + 4, **extra):
    return plan_submit(actor=user, person=user.person, start_year=start, end_year=end, **{**TEXT, **extra})


def _goal(user, year=YEAR, term=1, text="上好一节县级研究课", **extra):
    return goal_submit(actor=user, person=user.person, school_year=year, term=term, goal=text, **extra)


def _sign_off(person, year=YEAR):
    return GrowthYear.objects.create(person=person, school_year=year, signed_off_at=timezone.now())


# --- Plans ------------------------------------------------------------------------------


def test_plan_is_submitted_reviewed_and_in_force(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    plan = _plan(teacher)
    assert plan.status == "submitted" and plan.school == growth.school and plan.measures == "每周听课两节。"
    assert plan_in_force(teacher.person) is None
    plan_review(actor=admin, plan=plan, accept=True)
    plan.refresh_from_db()
    assert plan.status == "accepted" and plan.reviewed_by == admin and plan.reviewed_at is not None
    assert plan_in_force(teacher.person) == plan and plan_in_force(teacher.person, YEAR + 4) == plan
    assert plan_in_force(teacher.person, YEAR + 5) is None
    events = AuditEvent.objects.filter(action__in=["growth.plan_submit", "growth.plan_review"]).values_list("action", "school_id")
    assert sorted(events) == [("growth.plan_review", growth.school.pk), ("growth.plan_submit", growth.school.pk)]


def test_returned_plan_is_revised_by_submitting_again(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    plan = _plan(teacher)
    with pytest.raises(ValidationError) as exc:
        plan_review(actor=admin, plan=plan, accept=False, reason="  ")
    assert "review_reason" in exc.value.message_dict
    plan_review(actor=admin, plan=plan, accept=False, reason="目标不够具体")
    plan.refresh_from_db()
    assert plan.status == "returned" and plan.review_reason == "目标不够具体"
    revised = _plan(teacher, goals="三年内执教县级公开课，五年内成为县级骨干教师。")
    assert revised.pk == plan.pk and DevelopmentPlan.objects.count() == 1
    assert revised.status == "submitted" and revised.review_reason == "" and revised.reviewed_by is None
    assert revised.goals.startswith("三年内")
    assert AuditEvent.objects.filter(action="growth.plan_submit").count() == 2


def test_a_plan_is_reviewed_once(growth):
    plan = _plan(growth.roles.teacher)
    plan_review(actor=growth.roles.school_admin, plan=plan, accept=True)
    with pytest.raises(ValidationError, match="已审核"):
        plan_review(actor=growth.roles.school_admin, plan=plan, accept=False, reason="再看看")


def test_a_new_plan_for_a_later_span_supersedes_the_one_in_force(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    first = _plan(teacher, YEAR - 2, YEAR + 2)
    plan_review(actor=admin, plan=first, accept=True)
    for start in (YEAR - 3, YEAR - 2):
        with pytest.raises(ValidationError) as exc:
            _plan(teacher, start, start + 4)
        assert "start_year" in exc.value.message_dict
    second = _plan(teacher, YEAR, YEAR + 4)
    assert second.pk != first.pk and plan_in_force(teacher.person, YEAR) == first  # waiting: the old one still holds
    plan_review(actor=admin, plan=second, accept=True)
    assert plan_in_force(teacher.person, YEAR) == second and plan_in_force(teacher.person, YEAR - 1) == first
    assert plan_in_force(teacher.person) == second


@pytest.mark.parametrize(
    ("start", "end", "extra", "field"),
    [
        (1949, 1952, {}, "start_year"),
        (2098, 2101, {}, "end_year"),
        (YEAR, YEAR - 1, {}, "end_year"),
        (YEAR, YEAR + 6, {}, "end_year"),
        ("二〇二五", YEAR + 4, {}, "start_year"),
        (YEAR, YEAR + 4, {"self_analysis": "   "}, "self_analysis"),
        (YEAR, YEAR + 4, {"goals": ""}, "goals"),
        (YEAR, YEAR + 4, {"goals": "标" * 5001}, "goals"),
        (YEAR, YEAR + 4, {"measures": "措" * 5001}, "measures"),
    ],
)
def test_plan_bounds_name_the_field(growth, start, end, extra, field):
    with pytest.raises(ValidationError) as exc:
        _plan(growth.roles.teacher, start, end, **extra)
    assert field in exc.value.message_dict
    assert not DevelopmentPlan.objects.exists() and not AuditEvent.objects.filter(action="growth.plan_submit").exists()


def test_a_plan_of_exactly_five_years_beyond_and_of_one_year_are_allowed(growth):
    teacher = growth.roles.teacher
    plan = _plan(teacher, YEAR, YEAR + 5, goals="标" * 5000)
    assert plan.end_year == YEAR + 5 and len(plan.goals) == 5000
    assert _plan(teacher, YEAR, YEAR).pk == plan.pk  # revised while waiting


def test_only_the_teacher_writes_and_only_their_current_school_reviews(growth):
    roles = growth.roles
    person = roles.teacher.person
    for actor in (roles.school_admin, roles.other_teacher, roles.leader, roles.bureau):
        with pytest.raises(PermissionDenied):
            plan_submit(actor=actor, person=person, start_year=YEAR, end_year=YEAR + 4, **TEXT)
    plan = _plan(roles.teacher)
    for actor in (roles.teacher, roles.leader, roles.member, roles.other_admin, roles.far_bureau):
        with pytest.raises(PermissionDenied):
            plan_review(actor=actor, plan=plan, accept=True)
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_after_a_transfer_the_new_school_reviews(growth, school_b):
    from yanxiu.org.services import teacher_transfer

    teacher, roles = growth.roles.teacher, growth.roles
    plan = _plan(teacher)
    teacher_transfer(actor=roles.bureau, employment=teacher.person.employments.get(), to_school=school_b,
                     date=timezone.localdate(), reason="工作调动")
    with pytest.raises(PermissionDenied):
        plan_review(actor=roles.school_admin, plan=plan, accept=True)
    plan_review(actor=roles.other_admin, plan=plan, accept=True)
    assert plan_in_force(teacher.person) == plan


def test_a_signed_off_year_locks_the_plans_that_cover_it(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    waiting = _plan(teacher, YEAR, YEAR + 4)
    _sign_off(teacher.person, YEAR)
    with pytest.raises(ValidationError, match="已签署"):
        plan_review(actor=admin, plan=waiting, accept=True)
    with pytest.raises(ValidationError) as exc:
        _plan(teacher, YEAR + 1, YEAR + 5)  # revising the waiting plan would change the signed year's file
    assert "start_year" in exc.value.message_dict
    waiting.refresh_from_db()
    assert waiting.status == "submitted" and waiting.start_year == YEAR


def test_a_new_plan_after_the_signed_year_is_allowed(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    plan_review(actor=admin, plan=_plan(teacher, YEAR - 1, YEAR + 3), accept=True)
    _sign_off(teacher.person, YEAR)
    with pytest.raises(ValidationError, match="已签署"):
        _plan(teacher, YEAR, YEAR + 4)
    later = _plan(teacher, YEAR + 1, YEAR + 5)
    plan_review(actor=admin, plan=later, accept=True)
    assert plan_in_force(teacher.person, YEAR + 1) == later


# --- Term goals -------------------------------------------------------------------------


def test_goal_is_written_changed_until_accepted_and_its_outcome_filled_after(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    goal = _goal(teacher)
    assert goal.status == "submitted" and goal.school == growth.school
    changed = _goal(teacher, text="上好一节市级研究课", outcome="")
    assert changed.pk == goal.pk and changed.goal == "上好一节市级研究课" and TermGoal.objects.count() == 1
    goal_review(actor=admin, goal=goal, accept=False, reason="请写清课题")
    returned = _goal(teacher, text="上好一节市级研究课《圆的认识》")
    assert returned.pk == goal.pk and returned.status == "submitted" and returned.review_reason == ""
    goal_review(actor=admin, goal=goal, accept=True)
    with pytest.raises(ValidationError) as exc:
        _goal(teacher, text="改一下")
    assert "goal" in exc.value.message_dict
    done = goal_outcome(actor=teacher, goal=goal, outcome="已在县里上研究课，获好评。")
    assert done.status == "accepted" and done.outcome.startswith("已在县里")
    actions = list(AuditEvent.objects.filter(action__startswith="growth.goal").values_list("action", flat=True))
    assert actions.count("growth.goal_submit") == 4 and actions.count("growth.goal_review") == 2


def test_one_goal_per_term(growth):
    teacher = growth.roles.teacher
    first, second = _goal(teacher, term=1), _goal(teacher, term=2)
    assert first.pk != second.pk and _goal(teacher, term=1).pk == first.pk
    assert TermGoal.objects.filter(person=teacher.person).count() == 2


@pytest.mark.parametrize(
    ("year", "term", "text", "extra", "field"),
    [
        (1949, 1, "目标", {}, "school_year"),
        (2101, 1, "目标", {}, "school_year"),
        ("abc", 1, "目标", {}, "school_year"),
        (YEAR, 3, "目标", {}, "term"),
        (YEAR, 0, "目标", {}, "term"),
        (YEAR, 1, " ", {}, "goal"),
        (YEAR, 1, "目" * 5001, {}, "goal"),
        (YEAR, 1, "目标", {"outcome": "完" * 5001}, "outcome"),
    ],
)
def test_goal_bounds_name_the_field(growth, year, term, text, extra, field):
    with pytest.raises(ValidationError) as exc:
        _goal(growth.roles.teacher, year=year, term=term, text=text, **extra)
    assert field in exc.value.message_dict
    assert not TermGoal.objects.exists()


def test_goal_permissions(growth):
    roles = growth.roles
    with pytest.raises(PermissionDenied):
        goal_submit(actor=roles.school_admin, person=roles.teacher.person, school_year=YEAR, term=1, goal="代填")
    goal = _goal(roles.teacher)
    with pytest.raises(PermissionDenied):
        goal_outcome(actor=roles.member, goal=goal, outcome="代填")
    for actor in (roles.teacher, roles.leader, roles.other_admin):
        with pytest.raises(PermissionDenied):
            goal_review(actor=actor, goal=goal, accept=True)
    with pytest.raises(ValidationError) as exc:
        goal_outcome(actor=roles.teacher, goal=goal, outcome="  ")
    assert "outcome" in exc.value.message_dict


def test_a_signed_off_year_locks_its_goals(growth):
    teacher, admin = growth.roles.teacher, growth.roles.school_admin
    goal = _goal(teacher)
    _goal(teacher, year=YEAR + 1)
    _sign_off(teacher.person, YEAR)
    for call in (lambda: _goal(teacher, text="再改"), lambda: goal_outcome(actor=teacher, goal=goal, outcome="完成"),
                 lambda: goal_review(actor=admin, goal=goal, accept=True)):
        with pytest.raises(ValidationError, match="已签署"):
            call()
    goal.refresh_from_db()
    assert goal.status == "submitted" and goal.outcome == ""
    assert _goal(teacher, year=YEAR + 1, text="下一学年的目标").goal == "下一学年的目标"  # another year is open


def test_an_accepted_goal_counts_for_the_goal_task(growth):
    teacher = growth.roles.teacher
    growth.adopt("001-1-young")
    employment = teacher.person.employments.get()
    employment.tier = "young"
    employment.save()

    def done():
        rows = progress.school_progress(growth.school, year=YEAR, term=1, employments=type(employment).objects.filter(pk=employment.pk))
        return {i.kind: i.done for i in rows[0].items}["goal"]

    goal = _goal(teacher)
    assert done() == 0
    goal_review(actor=growth.roles.school_admin, goal=goal, accept=True)
    assert done() == 1


def test_a_teacher_without_a_current_school_cannot_submit(growth):
    import datetime as dt

    teacher = growth.roles.teacher
    teacher.person.employments.update(end_date=dt.date(2024, 7, 31))
    with pytest.raises(ValidationError, match="当前没有在职学校"):
        _plan(teacher)
    with pytest.raises(ValidationError, match="当前没有在职学校"):
        _goal(teacher)
    assert not DevelopmentPlan.objects.exists() and not TermGoal.objects.exists()
