"""Plan pages per role: the teacher's page and forms, the school's review queue, one plan's page and its scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from yanxiu.growth.models import DevelopmentPlan, TermGoal
from yanxiu.growth.services.plans import goal_submit, plan_review, plan_submit

from .conftest import YEAR

pytestmark = pytest.mark.django_db

PLAN = {"start_year": YEAR, "end_year": YEAR + 4, "self_analysis": "课堂组织尚需加强", "goals": "成为县级骨干教师", "measures": "每周听课两节"}


def _as(client, user):
    client.force_login(user)
    return client


def _plan(user, **extra):
    return plan_submit(actor=user, person=user.person, **{**PLAN, **extra})


def _goal(user, year=YEAR, term=1):
    return goal_submit(actor=user, person=user.person, school_year=year, term=term, goal="上好一节研究课")


def _messages(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_teacher_page_shows_plan_goals_and_forms(client, growth):
    teacher = growth.roles.teacher
    plan = _plan(teacher)
    plan_review(actor=growth.roles.school_admin, plan=plan, accept=True)
    _goal(teacher)
    html = _as(client, teacher).get(reverse("growth:plan")).content.decode()
    assert "现行五年发展规划" in html and "成为县级骨干教师" in html and "上好一节研究课" in html
    assert reverse("growth:plan_write") in html and reverse("growth:goal_write") in html
    assert reverse("growth:plan_detail", args=[plan.pk]) in html


@pytest.mark.parametrize("role", ["bureau", "presenter"])
def test_plan_page_is_for_teachers(client, growth, role):
    assert _as(client, getattr(growth.roles, role)).get(reverse("growth:plan")).status_code == 403


def test_anonymous_goes_to_login(client, growth):
    response = client.get(reverse("growth:plan"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_teacher_submits_and_revises_a_plan_through_the_form(client, growth):
    teacher = growth.roles.teacher
    c = _as(client, teacher)
    response = c.post(reverse("growth:plan_write"), PLAN)
    assert response.status_code == 302 and response.url == reverse("growth:plan")
    plan = DevelopmentPlan.objects.get(person=teacher.person)
    plan_review(actor=growth.roles.school_admin, plan=plan, accept=False, reason="措施太少")
    page = c.get(reverse("growth:plan")).content.decode()
    assert "措施太少" in page and "重新提交" in page
    form = c.get(reverse("growth:plan_write")).content.decode()
    assert "课堂组织尚需加强" in form  # the form starts from the returned plan
    c.post(reverse("growth:plan_write"), {**PLAN, "measures": "每周听课两节，每学期上一节研究课"})
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.measures.endswith("研究课") and DevelopmentPlan.objects.count() == 1


def test_bad_plan_input_is_shown_on_the_form_in_chinese(client, growth):
    c = _as(client, growth.roles.teacher)
    response = c.post(reverse("growth:plan_write"), {**PLAN, "end_year": YEAR + 6})
    assert response.status_code == 400
    assert "截止学年：规划最长五年" in response.content.decode()
    response = c.post(reverse("growth:plan_write"), {**PLAN, "goals": "标" * 5001})
    assert response.status_code == 400 and "发展目标" in response.content.decode()
    assert not DevelopmentPlan.objects.exists()


def test_goal_form_prefills_the_term_and_refuses_a_bad_year(client, growth):
    teacher = growth.roles.teacher
    c = _as(client, teacher)
    response = c.post(reverse("growth:goal_write"), {"school_year": YEAR, "term": 2, "goal": "读完一本理论书", "outcome": ""})
    assert response.status_code == 302
    goal = TermGoal.objects.get(person=teacher.person, school_year=YEAR, term=2)
    html = c.get(reverse("growth:goal_write"), {"year": YEAR, "term": 2}).content.decode()
    assert "读完一本理论书" in html
    assert c.get(reverse("growth:goal_write"), {"year": "abc"}).status_code == 400
    response = c.post(reverse("growth:goal_outcome", args=[goal.pk]), {"outcome": "已读完并写了笔记"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.outcome == "已读完并写了笔记"


def test_goal_outcome_of_another_teacher_is_404(client, growth):
    goal = _goal(growth.roles.teacher)
    for role in ("member", "school_admin"):
        c = _as(client, getattr(growth.roles, role))
        assert c.get(reverse("growth:goal_outcome", args=[goal.pk])).status_code == 404
        assert c.post(reverse("growth:goal_outcome", args=[goal.pk]), {"outcome": "代填"}).status_code == 404
    goal.refresh_from_db()
    assert goal.outcome == ""


def test_review_queue_lists_the_schools_waiting_plans_and_goals(client, growth):
    roles = growth.roles
    plan, goal = _plan(roles.teacher), _goal(roles.member)
    _plan(roles.other_teacher)
    html = _as(client, roles.school_admin).get(reverse("growth:plan_reviews")).content.decode()
    assert roles.teacher.person.name in html and roles.member.person.name in html
    assert reverse("growth:plan_review", args=[plan.pk]) in html and reverse("growth:goal_review", args=[goal.pk]) in html
    assert roles.other_teacher.person.name not in html
    other = _as(client, roles.other_admin).get(reverse("growth:plan_reviews")).content.decode()
    assert roles.other_teacher.person.name in other and roles.teacher.person.name not in other


@pytest.mark.parametrize("role", ["teacher", "leader", "member", "presenter", "bureau"])
def test_review_queue_is_for_school_admins(client, growth, role):
    assert _as(client, getattr(growth.roles, role)).get(reverse("growth:plan_reviews")).status_code == 403


def test_admin_accepts_and_returns_from_the_queue(client, growth):
    roles = growth.roles
    plan, goal = _plan(roles.teacher), _goal(roles.teacher)
    c = _as(client, roles.school_admin)
    queue = reverse("growth:plan_reviews")
    response = c.post(reverse("growth:plan_review", args=[plan.pk]), {"accept": "1", "reason": "", "next": queue})
    assert response.status_code == 302 and response.url == queue
    response = c.post(reverse("growth:goal_review", args=[goal.pk]), {"accept": "0", "reason": ""}, follow=True)
    assert any("退回时必须说明理由" in m for m in _messages(response))
    goal.refresh_from_db()
    assert goal.status == "submitted"
    c.post(reverse("growth:goal_review", args=[goal.pk]), {"accept": "0", "reason": "目标太笼统"})
    plan.refresh_from_db(), goal.refresh_from_db()
    assert plan.status == "accepted" and goal.status == "returned" and goal.review_reason == "目标太笼统"
    assert c.get(reverse("growth:plan_review", args=[plan.pk])).status_code == 405


def test_review_buttons_refuse_other_roles(client, growth):
    roles = growth.roles
    plan, goal = _plan(roles.member), _goal(roles.member)  # the member is in the leader's group
    expected = {"leader": 403, "member": 403, "other_admin": 404, "other_teacher": 404, "teacher": 404}
    for role, status in expected.items():
        c = _as(client, getattr(roles, role))
        assert c.post(reverse("growth:plan_review", args=[plan.pk]), {"accept": "1"}).status_code == status, role
        assert c.post(reverse("growth:goal_review", args=[goal.pk]), {"accept": "1"}).status_code == status, role
    plan.refresh_from_db(), goal.refresh_from_db()
    assert plan.status == goal.status == "submitted"


def test_plan_detail_per_role(client, growth):
    roles = growth.roles
    plan = _plan(roles.member)  # the member is in the leader's group, the teacher is not
    _goal(roles.member)
    url = reverse("growth:plan_detail", args=[plan.pk])
    review = reverse("growth:plan_review", args=[plan.pk])
    for role in ("member", "school_admin", "leader", "bureau"):
        response = _as(client, getattr(roles, role)).get(url)
        assert response.status_code == 200, role
        html = response.content.decode()
        assert "成为县级骨干教师" in html and "上好一节研究课" in html
        assert (review in html) == (role in ("school_admin", "bureau")), role
    for role in ("teacher", "other_teacher", "other_admin", "far_bureau", "presenter"):
        assert _as(client, getattr(roles, role)).get(url).status_code == 404, role
    outside_group = _plan(roles.teacher)
    assert _as(client, roles.leader).get(reverse("growth:plan_detail", args=[outside_group.pk])).status_code == 404
    assert _as(client, roles.member).get(reverse("growth:plan_detail", args=[plan.pk + 1000])).status_code == 404


def test_old_school_reads_only_the_plans_made_there(client, growth, school_b):
    from yanxiu.org.services import teacher_transfer

    roles = growth.roles
    old = _plan(roles.teacher)
    plan_review(actor=roles.school_admin, plan=old, accept=True)
    teacher_transfer(actor=roles.bureau, employment=roles.teacher.person.employments.get(), to_school=school_b,
                     date=timezone.localdate(), reason="工作调动")
    new = _plan(roles.teacher, start_year=YEAR + 1, end_year=YEAR + 5)
    c = _as(client, roles.school_admin)
    response = c.get(reverse("growth:plan_detail", args=[old.pk]))
    assert response.status_code == 200 and reverse("growth:plan_review", args=[old.pk]) not in response.content.decode()
    assert c.get(reverse("growth:plan_detail", args=[new.pk])).status_code == 404
    response = _as(client, roles.other_admin).get(reverse("growth:plan_detail", args=[new.pk]))
    assert response.status_code == 200 and reverse("growth:plan_review", args=[new.pk]) in response.content.decode()


def test_page_of_a_teacher_without_a_school_has_no_forms(client, growth):
    import datetime as dt

    teacher = growth.roles.teacher
    teacher.person.employments.update(end_date=dt.date(2024, 7, 31))
    response = _as(client, teacher).get(reverse("growth:plan"))
    html = response.content.decode()
    assert response.status_code == 200 and "当前没有在职学校" in html
    assert reverse("growth:plan_write") not in html and reverse("growth:goal_write") not in html
