"""A presenter shows the sign-in screen; a teacher on a phone follows it and is signed in."""

import pytest
from playwright.sync_api import expect

from yanxiu.attendance.models import Attendance

from ..conftest import DEMO_PASSWORD, login

pytestmark = pytest.mark.e2e


def test_teacher_follows_the_qr_link_logs_in_and_is_signed_in(new_page, live_session, roles):
    screen = new_page()
    login(screen, "leader", next_url=f"/attendance/session/{live_session.pk}/screen/")
    expect(screen.locator("h1")).to_contain_text("课例研究")
    expect(screen.locator("#screen-live svg")).to_be_visible()
    expect(screen.locator("#signed-in-count")).to_have_text("0")
    link = screen.locator("#scan-url").get_attribute("href")

    phone = new_page(mobile=True)
    phone.goto(link)  # what the camera app opens
    assert "/accounts/login/" in phone.url
    phone.fill("input[name=username]", "teacher")
    phone.fill("input[name=password]", DEMO_PASSWORD)
    phone.click("button[type=submit]")
    phone.click("#confirm-signin")
    expect(phone.locator("#signin-message")).to_contain_text("签到成功")
    assert Attendance.objects.filter(session=live_session, person=roles.teacher.person).count() == 1

    # The screen refreshes itself at the next window and shows the new count.
    expect(screen.locator("#signed-in-count")).to_have_text("1", timeout=25_000)

    # Scanning the code now on the screen again changes nothing. (The first link
    # may be two windows old by now, and an expired link is refused.)
    link = screen.locator("#scan-url").get_attribute("href")
    phone.goto(link)
    phone.click("#confirm-signin")
    expect(phone.locator("#signin-message")).to_contain_text("您已签到，无需重复签到")
    assert Attendance.objects.filter(session=live_session).count() == 1


def test_teacher_types_the_code_shown_on_the_screen(new_page, live_session, roles):
    screen = new_page()
    login(screen, "schooladmin", next_url=f"/attendance/session/{live_session.pk}/screen/")
    code = screen.locator("#signin-code").inner_text().strip()
    assert len(code) == 6 and code.isdigit()

    phone = new_page(mobile=True)
    login(phone, "teacher", next_url="/attendance/code/")
    phone.check(f"input[name=session][value='{live_session.pk}']")
    phone.fill("input[name=code]", code)
    phone.click("button[type=submit]")
    expect(phone.locator("#signin-message")).to_contain_text("签到成功")
    assert Attendance.objects.get(session=live_session).signin_method == "code"
