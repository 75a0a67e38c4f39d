"""In the browser: a school admin ticks two leave requests on the leave list and approves them at once;
the teacher, on a phone, finds the decision in the inbox from the navbar's unread count."""

import pytest

from tests.conftest import login, open_phone_menu

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_bulk_approval_reaches_the_teachers_inbox_on_a_phone(new_page, roles, ready_session):
    from yanxiu.notify.models import Message, MessageKind
    from yanxiu.training import services
    from yanxiu.training.models import Decision, LeaveRequest

    services.session_publish(actor=roles.school_admin, session=ready_session)
    mine = services.leave_request_create(actor=roles.teacher, session=ready_session, leave_type="official", reason="区里监考")
    other = services.leave_request_create(actor=roles.member, session=ready_session, leave_type="personal", reason="家中有事")

    admin = new_page()
    login(admin, "schooladmin", next_url="/training/leave/")
    admin.check(f"input[name=ids][value='{mine.pk}']")
    admin.check(f"input[name=ids][value='{other.pk}']")
    admin.fill("#leave-bulk input[name=comment]", "同意，请补看录像")
    admin.click("#leave-bulk button:has-text('批准所选')")
    admin.locator(".alert-success").wait_for()
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {Decision.APPROVED}
    decided = Message.objects.filter(kind=MessageKind.LEAVE_DECIDED)
    assert set(decided.values_list("recipient__username", flat=True)) == {"teacher", "member"}

    phone = new_page(mobile=True)
    login(phone, "teacher", next_url="/")
    open_phone_menu(phone)
    badge = phone.locator("nav a[href='/notify/'] .badge")
    assert badge.inner_text() == "2"  # the session's notice and the decision
    phone.click("nav a[href='/notify/']")
    phone.wait_for_url("**/notify/")
    phone.click("a:has-text('请假申请已批准：评课专题')")
    phone.locator("h1:has-text('请假申请已批准：评课专题')").wait_for()
    assert "同意，请补看录像" in phone.content()
    assert Message.objects.get(recipient=roles.teacher, kind=MessageKind.LEAVE_DECIDED).read_at is not None
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
