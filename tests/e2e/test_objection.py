"""A teacher objects to an entry of a public posting; the school admin resolves it by a reversal."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import login
from tests.credits.factories import adopt, credit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_objects_and_the_admin_reverses_the_entry(new_page, roles, school):
    from yanxiu.credits.models import CreditEntry, Objection
    from yanxiu.credits.services import posting_create

    adopt("000", school.county)
    entry = credit(roles.teacher.person, 3, title="十月读书会")
    today = timezone.localdate()
    posting = posting_create(actor=roles.school_admin, school=school, title="十月学时公示", period_start=today - dt.timedelta(days=7), period_end=today)

    teacher = new_page(mobile=True)
    login(teacher, "teacher", next_url="/credits/me/")
    teacher.click("text=十月学时公示")
    form = teacher.locator("form.objection-form").first
    form.locator("input[name=reason]").fill("那天我在外校监考，没有参加读书会")
    form.locator("button").click()
    teacher.locator(".objection[data-status=open]").wait_for()
    assert "异议已提交" in teacher.content()

    admin = new_page()
    login(admin, "schooladmin", next_url=f"/credits/postings/{posting.pk}/")
    card = admin.locator(".objection[data-status=open]")
    assert "没有参加读书会" in card.inner_text()
    card.locator("select[name=decision]").select_option("reverse")
    card.locator("input[name=resolution]").fill("经核对签到表，情况属实，予以冲正")
    card.locator("button:has-text('处理')").click()
    admin.locator(".objection[data-status=reversed]").wait_for()

    objection = Objection.objects.get()
    assert objection.status == "reversed"
    assert CreditEntry.objects.get(reverses=entry).hours == -3

    teacher.goto("/credits/me/")
    assert "已冲正" in teacher.content()
