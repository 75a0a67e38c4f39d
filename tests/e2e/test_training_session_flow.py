"""A school admin schedules a session, is told which of the 四定 are missing,
fixes them and publishes; a teacher on a phone sees the notice, asks for
leave, and the admin approves it."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_publish_after_fixing_missing_items_then_teacher_leave_on_phone(new_page, roles, school, county):
    from yanxiu.training import services
    from yanxiu.training.models import ContentCategory, LeaveRequest, Session

    category = ContentCategory.objects.create(region=county, code="A01", name="师德师风", compulsory=True, mandated=True)
    project = services.project_create(actor=roles.school_admin, owner_school=school, title="师德专题研修",
                                      category=category, school_year="2026-2027")
    day = timezone.localdate() + dt.timedelta(days=4)

    admin = new_page()
    login(admin, "schooladmin", next_url=f"/training/projects/{project.pk}/sessions/new/")
    admin.fill("input[name=title]", "师德报告会")
    admin.fill("input[name=starts_at]", f"{day:%Y-%m-%d}T15:10")
    admin.fill("input[name=ends_at]", f"{day:%Y-%m-%d}T16:40")
    admin.click("button[type=submit]")
    admin.locator("#missing").wait_for()
    assert "地点、内容、主讲人" in admin.locator("#missing").inner_text()
    admin.click("text=发布通知")
    assert "缺少：地点、内容、主讲人" in admin.locator(".alert-danger").first.inner_text()

    admin.click("text=编辑")
    admin.fill("input[name=place]", "学校报告厅")
    admin.fill("input[name=presenter_name]", "赵校长")
    admin.fill("textarea[name=content]", "新时代教师职业行为十项准则")
    admin.click("button[type=submit]")
    admin.click("text=发布通知")
    admin.locator(".alert-success").wait_for()
    session = Session.objects.get(title="师德报告会")
    assert session.status == Session.Status.PUBLISHED

    phone = new_page(mobile=True)
    login(phone, "teacher", next_url="/training/")
    card = phone.locator(".session-card", has_text="师德报告会")
    assert "学校报告厅" in card.inner_text() and "赵校长" in card.inner_text()
    card.locator("text=请假").click()
    phone.select_option("select[name=leave_type]", "personal")
    phone.fill("textarea[name=reason]", "带学生参加县运动会")
    phone.click("button[type=submit]")
    phone.locator(".alert-success").wait_for()
    assert "待审批" in phone.content()

    admin.goto("/training/leave/")
    leave_card = admin.locator(".leave-card", has_text="带学生参加县运动会")
    leave_card.locator("button[value=approve]").click()
    admin.locator(".alert-success").wait_for()
    assert LeaveRequest.objects.get(session=session).status == "approved"
