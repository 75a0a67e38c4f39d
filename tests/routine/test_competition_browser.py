"""In the browser: a judge scores two entries on a phone (390×844), the admin publishes,
and a visitor without an account sees the award on the school's public result page."""

from __future__ import annotations

import pytest

from tests.conftest import login

from .conftest_competitions import *  # noqa: F403
from .conftest_competitions import score_all

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_judge_scores_on_a_phone_and_the_award_is_announced(new_page, roles, school, contest, award_policy):
    from yanxiu.growth.models import GrowthRecord
    from yanxiu.routine.models import Score

    c = contest(judges=3, teachers=2)
    competition = c.competition
    # The other two judges have scored already: (totals) 90/80 and 85/80.
    score_all(c, [[(36, 54), (30, 50)], [(34, 51), (30, 50)]], judges=c.judge_users[1:])

    phone = new_page(mobile=True)
    login(phone, "judge1", next_url=f"/routine/competitions/{competition.pk}/")
    phone.click("text=开始评分")
    phone.locator("h1", has_text="选手1").wait_for()
    assert phone.locator("text=满分 40").count() == 1 and phone.locator("text=满分 60").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    inputs = phone.locator("input[inputmode=decimal]")
    inputs.nth(0).fill("35")
    inputs.nth(1).fill("53")
    phone.click("button:has-text('保存并评下一位')")
    phone.locator("h1", has_text="选手2").wait_for()
    phone.locator("text=已保存 选手1 的评分").wait_for()
    inputs = phone.locator("input[inputmode=decimal]")
    inputs.nth(0).fill("61")  # above the item's max of 40
    inputs.nth(1).fill("50")
    phone.click("button:has-text('保存')")
    phone.locator("text=确保该值小于或等于40").or_(phone.locator("text=得分须在 0 到 40 之间")).first.wait_for()
    inputs = phone.locator("input[inputmode=decimal]")
    inputs.nth(0).fill("30")
    inputs.nth(1).fill("50")
    phone.click("button:has-text('保存')")
    phone.locator("text=已保存 选手2 的评分").wait_for()
    phone.click("text=上一位")
    phone.locator("h1", has_text="选手1").wait_for()
    assert phone.locator("text=88.00").count() == 1  # my total for 选手1
    assert Score.objects.filter(judge=c.judges[0]).count() == 4

    admin = new_page()
    login(admin, "schooladmin", next_url=f"/routine/competitions/{competition.pk}/")
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.click("button:has-text('公布结果')")
    admin.locator("text=结果已公布").wait_for()
    assert GrowthRecord.objects.filter(kind="award", status="accepted").count() == 2

    visitor = new_page(mobile=True)
    visitor.goto(f"/routine/results/school/{school.pk}/")
    visitor.click("text=青年教师教学比武")
    visitor.locator("td", has_text="选手1").wait_for()
    row = visitor.locator("tr", has_text="选手1")
    assert "一等奖" in row.inner_text() and "88.000" in row.inner_text()
    assert "二等奖" in visitor.locator("tr", has_text="选手2").inner_text()
    assert c.teachers[0].person.phone not in visitor.content()
