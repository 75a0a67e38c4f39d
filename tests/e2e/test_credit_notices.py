"""On a phone: anyone checks a certificate code typed by hand; a teacher reads the
school's whole posting with every colleague's hours and the totals."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import login
from tests.credits.factories import YEAR, adopt, credit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_types_a_certificate_code_on_a_phone(new_page, roles, school):
    from yanxiu.credits import codes
    from yanxiu.credits.services import certificate_issue

    cert = certificate_issue(actor=None, person=roles.teacher.person, title="新课标校本研修", organiser=school.name, hours=12,
                             school_year=YEAR, source_key="project:1")
    page = new_page(mobile=True)
    page.goto("/credits/verify/")
    page.fill("input[name=code]", codes.display(cert.code).lower().replace("-", " "))
    page.click("button:has-text('验证')")
    result = page.locator("#verify-result")
    result.wait_for()
    text = result.inner_text()
    assert "证书有效" in text and "张老师" in text and "新课标校本研修" in text and codes.display(cert.code) in text
    box = result.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1  # fits the phone's width


def test_a_teacher_reads_the_whole_posting_on_a_phone(new_page, roles, school):
    from yanxiu.credits.services import posting_create

    adopt("000", school.county)
    credit(roles.teacher.person, 3, title="十月读书会")
    credit(roles.member.person, 2.5, title="同课异构")
    today = timezone.localdate()
    posting = posting_create(actor=roles.school_admin, school=school, title="十月学时公示", period_start=today - dt.timedelta(days=7),
                             period_end=today)
    page = new_page(mobile=True)
    login(page, "teacher", next_url=f"/credits/postings/{posting.pk}/")
    board = page.locator("#posting-board")
    board.wait_for()
    text = board.inner_text()
    assert "张老师" in text and "组员" in text and "同课异构" in text and "5.5" in text
    assert roles.member.person.id_number not in page.content()
    page.fill("input[name=q]", "组员")
    page.click("button:has-text('查找')")
    page.wait_for_url("**q=*")
    text = page.locator("#posting-board").inner_text()
    assert "同课异构" in text and "十月读书会" not in text
