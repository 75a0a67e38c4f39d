"""On a phone: a teacher opens a questionnaire from 我的问卷, is told which required question is missing,
taps options and a score, answers, and later changes the answer; the admin's results count it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_answers_a_questionnaire_on_a_phone(new_page, roles, school):
    from yanxiu.needs import questionnaires as logic
    from yanxiu.needs.models import Answer, Respondent
    from yanxiu.needs.services import questionnaires as services

    today = timezone.localdate()
    q = services.questionnaire_create(actor=roles.school_admin, purpose="other", title="教研活动满意度", school=school)
    services.questionnaire_update(actor=roles.school_admin, questionnaire=q, title=q.title, anonymous=True,
                                  opens_on=today, closes_on=today + dt.timedelta(days=3))
    services.question_save(actor=roles.school_admin, questionnaire=q, kind="single", text="参加频率",
                           options=["每周", "每月", "很少"])
    services.question_save(actor=roles.school_admin, questionnaire=q, kind="multiple", text="收获", min_picks=2,
                           options=["教学设计", "课堂提问", "作业设计", "评价方法"])
    services.question_save(actor=roles.school_admin, questionnaire=q, kind="scale", text="总体满意度", scale_points=10,
                           low_label="很不满意", high_label="非常满意")
    services.question_save(actor=roles.school_admin, questionnaire=q, kind="text", text="建议", required=False, max_length=200)
    services.questionnaire_publish(actor=roles.school_admin, questionnaire=q)

    page = new_page(mobile=True)
    login(page, "teacher", next_url="/needs/mine/")
    page.get_by_role("link", name="填写").click()
    expect(page.locator("h1")).to_have_text("教研活动满意度")
    expect(page.locator("text=匿名问卷：答卷不记录填写人")).to_be_visible()
    # The ten points of the scale fit the phone's width (they wrap, nothing scrolls sideways).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("每月").check()
    page.get_by_label("教学设计").check()
    page.get_by_role("button", name="提交").click()
    expect(page.locator("text=第 2 题：至少选 2 项（现选 1 项）。")).to_be_visible()
    expect(page.locator("text=第 3 题为必答题，请打分。")).to_be_visible()
    # What was ticked is still ticked after the refusal.
    expect(page.get_by_label("每月")).to_be_checked()
    page.get_by_label("课堂提问").check()
    page.locator("label.scale-point", has_text="8").click()
    page.fill("textarea[aria-label=建议]", "希望多一些同课异构")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交")
    assert Respondent.objects.filter(questionnaire=q, person=roles.teacher.person).exists()
    assert list(Answer.objects.filter(question__text="总体满意度").values_list("number", flat=True)) == [8]

    page.get_by_role("link", name="修改").click()
    expect(page.get_by_label("课堂提问")).to_be_checked()
    page.locator("label.scale-point", has_text="9").click()
    page.get_by_role("button", name="修改答卷").click()
    expect(page.locator(".alert-success")).to_be_visible()
    scale = next(r for r in logic.results(q) if r.question.text == "总体满意度")
    assert [t.count for t in scale.tallies] == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0] and scale.average == 9.0

    admin = new_page(mobile=True)
    login(admin, "schooladmin", next_url=f"/needs/q/{q.pk}/")
    expect(admin.locator("#answered-count")).to_have_text("1")
    expect(admin.locator(".texts")).to_contain_text("希望多一些同课异构")
    expect(admin.locator("[data-chart] svg").first).to_be_visible()
