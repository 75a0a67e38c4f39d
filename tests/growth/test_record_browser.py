"""In the browser, on a phone: a teacher files an observation with an attachment,
the school admin accepts it, the teacher sees it accepted and their count go up."""

import pytest
from django.utils import timezone

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _observation_count(page) -> str:
    return page.locator("#growth-progress tr[data-kind=observation] .progress-done").inner_text()


def test_teacher_files_an_observation_admin_accepts_the_count_goes_up(new_page, growth, tmp_path):
    from yanxiu.growth.models import GrowthRecord
    from yanxiu.org.models import Employment

    Employment.objects.filter(person=growth.roles.teacher.person).update(tier="young")
    growth.adopt("001-1-young")
    notes = tmp_path / "听课笔记.pdf"
    notes.write_bytes(PDF)

    teacher = new_page(mobile=True)
    login(teacher, "teacher", next_url="/growth/")
    assert _observation_count(teacher) == "0"
    teacher.click("a:has-text('听课')")
    teacher.fill("input[name=date]", timezone.localdate().isoformat())
    teacher.fill("input[name=class_name]", "四(1)班")
    teacher.fill("input[name=subject]", "数学")
    teacher.fill("input[name=title]", "《平行与垂直》")
    teacher.fill("input[name=observed_name]", "外校刘老师")
    teacher.fill("textarea[name=content]", "以折纸导入，学生动手操作充分。")
    teacher.fill("textarea[name=critique]", "概念辨析清楚，练习层次分明。")
    teacher.set_input_files("input[name=attachments]", str(notes))
    teacher.click("button:has-text('提交审核')")
    teacher.locator("h1:has-text('《平行与垂直》')").wait_for()
    assert "已提交，等待学校审核" in teacher.content() and "听课笔记.pdf" in teacher.content()
    record = GrowthRecord.objects.get()
    assert record.status == "submitted" and record.attachments.count() == 1

    admin = new_page(mobile=True)
    login(admin, "schooladmin", next_url="/growth/review/")
    row = admin.locator("#review-table tr", has_text="《平行与垂直》")
    row.locator("button:has-text('通过')").click()
    admin.locator(".alert", has_text="已通过").wait_for()
    assert "《平行与垂直》" not in admin.locator("#review-table").inner_text()

    teacher.goto("/growth/")
    assert _observation_count(teacher) == "1"
    assert "已通过" in teacher.locator("#my-records").inner_text()
    record.refresh_from_db()
    assert record.status == "accepted"
