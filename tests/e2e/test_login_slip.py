"""The school admin prints login slips; a new teacher logs in with one on a phone and sets a password."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from ..conftest import login, make_id_number

pytestmark = pytest.mark.e2e


def test_a_new_teacher_logs_in_on_a_phone_with_the_printed_slip(new_page, roles, school):
    from yanxiu.org import services

    services.teacher_register(
        actor=roles.school_admin, school=school, name="王芳", id_number=make_id_number(777), phone="13912345678",
        stage="primary", subject="数学", title="second", education="bachelor", employment_type="established",
        teaching_since=dt.date(2012, 9, 1),
    )
    admin = new_page()
    login(admin, "schooladmin", next_url=f"/org/schools/{school.pk}/")
    admin.click("text=生成初始密码 / 打印登录单")
    row = admin.locator("tr", has_text="王芳")
    expect(row.locator("input[name=person]")).to_be_checked()
    expect(row).to_contain_text("尚未领取登录单")
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.click("button[type=submit]:has-text('生成初始密码并打印登录单')")
    slip = admin.locator(".login-slip", has_text="王芳")
    expect(slip).to_be_visible()
    username = slip.locator("dd.masked").inner_text().strip()
    password = slip.locator("dd.otp").inner_text().strip()
    assert len(password.replace(" ", "")) == 10

    phone = new_page(mobile=True)
    phone.goto("/accounts/login/")
    card = phone.locator("#login-card")
    expect(card).to_be_visible()
    # Styled with the site's Bootstrap: the inputs fill the card on a phone.
    box, field = card.bounding_box(), phone.locator("input[name=username]").bounding_box()
    assert box["width"] <= 390 and field["width"] > box["width"] * 0.8
    assert phone.locator("input[name=username]").evaluate("e => getComputedStyle(e).borderRadius") != "0px"
    phone.fill("input[name=username]", "13912345678")
    phone.fill("input[name=password]", "wrong-one")
    phone.click("button[type=submit]")
    expect(phone.locator(".alert-danger")).to_contain_text("账号或密码不正确")
    phone.fill("input[name=username]", username)
    phone.fill("input[name=password]", password)
    phone.click("button[type=submit]")
    expect(phone.locator("h1")).to_contain_text("请设置自己的密码")
    assert phone.locator("input[name=old_password]").count() == 0
    phone.fill("input[name=new_password1]", "Xingsha-2026")
    phone.fill("input[name=new_password2]", "Xingsha-2026")
    phone.click("button[type=submit]")
    expect(phone.locator(".alert-success")).to_contain_text("密码已修改")
