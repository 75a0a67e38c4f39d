"""In the browser: a session is published, the teacher sees the unread count, opens the message,
follows it to the session, and the count is gone."""

import pytest

from tests.conftest import login, open_phone_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_teacher_reads_the_session_notice_from_the_navbar(new_page, roles, ready_session):
    from yanxiu.notify.models import Message
    from yanxiu.training import services

    services.session_publish(actor=roles.school_admin, session=ready_session)  # a real commit: the messages follow it
    assert Message.objects.filter(recipient=roles.teacher, read_at__isnull=True).count() == 1

    page = new_page(mobile=True)
    login(page, "teacher", next_url="/")
    badge = page.locator("nav a[href='/notify/'] .badge")
    open_phone_menu(page)
    assert badge.inner_text() == "1"
    page.click("nav a[href='/notify/']")
    page.click("a:has-text('培训通知：评课专题')")
    page.locator("h1:has-text('培训通知：评课专题')").wait_for()
    assert "三楼会议室" in page.content()
    page.click("a:has-text('查看详情')")
    page.locator("h1:has-text('评课专题')").wait_for()
    assert page.locator("nav a[href='/notify/'] .badge").count() == 0
    assert Message.objects.get(recipient=roles.teacher).read_at is not None
