"""In the browser, from agreement to assessment: the admin pairs two teachers and
downloads the agreement, the mentor logs an activity, the apprentice confirms it
on a phone, both summarise, the admin assesses 合格 and the ledger shows the hours."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_pair_from_agreement_to_credit(new_page, growth, policy):
    from yanxiu.credits.models import CreditEntry
    from yanxiu.growth.models import MentorActivity, MentorPair
    from yanxiu.growth.services.tiers import terms_set

    roles = growth.roles
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    # Terms to 31 August, so today lies inside the year-long pair whatever the month.
    terms_set(actor=roles.school_admin, school=growth.school, school_year=year,
              spans=[(dt.date(year, 9, 1), dt.date(year + 1, 1, 31)), (dt.date(year + 1, 2, 1), dt.date(year + 1, 8, 31))])

    admin = new_page()
    login(admin, "schooladmin", next_url="/growth/mentors/")
    admin.click("text=新建结对")
    admin.select_option("select[name=mentor]", label="张老师")
    admin.select_option("select[name=apprentice]", label="组员")
    admin.fill("input[name=school_year]", str(year))
    admin.fill("input[name=subject]", "语文")
    admin.fill("textarea[name=goals]", "一学年内徒弟独立上好一节校级公开课")
    admin.fill("textarea[name=mentor_duties]", "每两周听徒弟一节课并评课")
    admin.fill("input[name=ceremony_date]", f"{year}-09-05")
    admin.click("button:has-text('建立结对')")
    admin.locator("text=结对已建立").wait_for()
    pair = MentorPair.objects.get()
    with admin.expect_download() as info:
        admin.click("text=下载结对协议书 PDF")
    with open(info.value.path(), "rb") as fh:
        text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages).split())
    assert "师徒结对协议书" in text and "张老师" in text and "组员" in text

    mentor = new_page()
    login(mentor, "teacher", next_url=f"/growth/mentors/{pair.pk}/")
    mentor.click("text=记录活动")
    mentor.select_option("select[name=kind]", value="apprentice_lesson")
    mentor.fill("textarea[name=content]", "听徒弟《桂林山水》一课，课后评课")
    mentor.click("button:has-text('保存活动')")
    mentor.locator("text=待对方确认").wait_for()
    mentor.click("text=填写总结")
    mentor.fill("textarea[name=text]", "徒弟能独立设计教学，课堂提问更有层次。")
    mentor.click("button:has-text('提交总结')")
    mentor.locator("text=总结已提交").wait_for()

    apprentice = new_page(mobile=True)
    login(apprentice, "member", next_url=f"/growth/mentors/{pair.pk}/")
    apprentice.click("button:has-text('确认')")
    apprentice.locator("text=已确认该活动").wait_for()
    assert MentorActivity.objects.get().confirmed
    apprentice.click("text=填写总结")
    apprentice.fill("textarea[name=text]", "学会了设计课堂提问，完成了校级公开课。")
    apprentice.click("button:has-text('提交总结')")
    apprentice.locator("text=总结已提交").wait_for()

    admin.goto(f"/growth/mentors/{pair.pk}/")
    admin.click("text=考核")
    admin.check("input[name=result][value=pass]")
    admin.fill("textarea[name=assessment]", "完成结对任务")
    admin.click("button:has-text('提交考核')")
    admin.locator("text=考核已保存").wait_for()
    assert "计入学时" in admin.content()
    assert CreditEntry.objects.filter(evidence__mentor_pair_id=pair.pk).count() == 2

    mentor.goto("/credits/me/")
    assert "师徒结对" in mentor.content()
