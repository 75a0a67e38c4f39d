import io
import time

import pytest
from django.core import signing
from django.urls import reverse
from openpyxl import load_workbook

from yanxiu.attendance import services, tokens, views
from yanxiu.attendance.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(sessions, roles):
    return sessions.make(enroll=[roles.teacher, roles.member], presenter=roles.leader.person)


def scan_url(session, purpose="in"):
    return reverse("attendance:scan", args=[session.pk, tokens.issue(session.pk, purpose).token])


def test_scan_when_logged_out_goes_through_login_and_then_signs_in(client, session, roles):
    response = client.get(scan_url(session))
    assert response.status_code == 302
    assert response.cookies["yx_device"]["httponly"]
    confirm = response["Location"]
    assert confirm.startswith(reverse("attendance:confirm", args=[session.pk]))
    to_login = client.get(confirm)
    assert to_login.status_code == 302 and "/accounts/login/" in to_login["Location"] and "next=" in to_login["Location"]
    client.force_login(roles.teacher)
    page = client.get(confirm)
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    done = client.post(confirm, {"p": confirm.split("p=", 1)[1]})
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    a = Attendance.objects.get(session=session)
    assert a.person == roles.teacher.person and a.signin_method == "qr"
    assert a.signin_device == client.cookies["yx_device"].value and a.signin_ip == "127.0.0.1"


def test_scan_twice_says_already_signed_in(client, session, roles):
    client.force_login(roles.teacher)
    for expected in ("签到成功", "您已签到，无需重复签到"):
        confirm = client.get(scan_url(session))["Location"]
        response = client.post(confirm, {"p": confirm.split("p=", 1)[1]})
        assert expected in response.content.decode()
    assert Attendance.objects.count() == 1


def test_expired_token_is_refused_with_a_chinese_message(client, session, roles):
    old = tokens.make_token(session.pk, "in", tokens.window_index() - 2)
    response = client.get(reverse("attendance:scan", args=[session.pk, old]))
    assert response.status_code == 400 and "二维码已过期" in response.content.decode()


def test_token_in_query_string_works_too(client, session, roles):
    token = tokens.issue(session.pk, "in").token
    response = client.get(reverse("attendance:scan_query", args=[session.pk]) + f"?t={token}")
    assert response.status_code == 302 and "confirm" in response["Location"]


def test_pass_is_bound_to_the_scanning_phone(client, session, roles):
    confirm = client.get(scan_url(session))["Location"]
    client.cookies["yx_device"] = "someone-elses-phone-0001"
    client.force_login(roles.teacher)
    response = client.post(confirm, {"p": confirm.split("p=", 1)[1]})
    assert response.status_code == 400 and "只能在扫码的手机上使用" in response.content.decode()
    assert not Attendance.objects.exists()


def test_pass_older_than_two_minutes_is_refused(client, session, roles, monkeypatch):
    client.force_login(roles.teacher)
    confirm = client.get(scan_url(session))["Location"]
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() + views.PASS_MAX_AGE + 5)
    response = client.post(confirm, {"p": confirm.split("p=", 1)[1]})
    assert response.status_code == 400 and "超过 2 分钟" in response.content.decode()


def test_sign_out_by_scan(client, session, roles):
    client.force_login(roles.teacher)
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr")
    confirm = client.get(scan_url(session, "out"))["Location"]
    assert "确认签退" in client.get(confirm).content.decode()
    client.post(confirm, {"p": confirm.split("p=", 1)[1]})
    assert Attendance.objects.get().signed_out_at is not None


def test_code_entry_lists_todays_sessions_and_signs_in(client, session, roles):
    client.force_login(roles.teacher)
    page = client.get(reverse("attendance:code"))
    assert session.title in page.content.decode()
    code = tokens.issue(session.pk, "in").code
    response = client.post(reverse("attendance:code"), {"session": session.pk, "code": code})
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    wrong = client.post(reverse("attendance:code"), {"session": session.pk, "code": f"{(int(code) + 7) % 10**6:06d}"})
    # Already signed in: a wrong code is still a wrong code.
    assert wrong.status_code == 400 and "数字码不正确" in wrong.content.decode()


@pytest.mark.parametrize("who,status", [
    ("leader", 200),  # presenter of this session (and leader of nothing relevant)
    ("school_admin", 200),
    ("bureau", 200),
    ("teacher", 403),  # enrolled: sees the session, may not run its screen
    ("centre", 403),  # sees the county's sessions, runs only bureau training
    ("other_admin", 404),  # another school's session: not even its existence
    ("presenter", 404),  # a presenter, but not of this session
])
def test_screen_is_only_for_presenter_and_admins(client, session, roles, who, status):
    client.force_login(getattr(roles, who))
    response = client.get(reverse("attendance:screen", args=[session.pk]))
    assert response.status_code == status


def test_bureau_session_screen_opens_for_centre_staff(client, sessions, roles):
    s = sessions.make(school=None)
    client.force_login(roles.centre)
    assert client.get(reverse("attendance:screen", args=[s.pk])).status_code == 200
    client.force_login(roles.school_admin)
    # No place of theirs on it: the school admin does not see the bureau's session.
    assert client.get(reverse("attendance:screen", args=[s.pk])).status_code == 404


def test_screen_fragment_shows_a_qr_code_the_current_code_and_the_count(client, session, roles):
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr")
    client.force_login(roles.school_admin)
    response = client.get(reverse("attendance:screen_live", args=[session.pk]))
    html = response.content.decode()
    assert "<svg" in html and 'hx-trigger="load delay:' in html and f"every {tokens.default_period()}s" in html
    issued = tokens.issue(session.pk, "in")
    assert issued.code in html or tokens.make_code(session.pk, "in", issued.window - 1) in html
    assert 'id="signed-in-count">1<' in html
    assert response["Cache-Control"] == "no-store"


def test_sheet_shows_flags_and_export_downloads_xlsx(client, session, roles):
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", device="shared-phone-00000009")
    services.attendance_sign_in(actor=roles.member, session=session, method="qr", device="shared-phone-00000009")
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:sheet", args=[session.pk])).content.decode()
    assert "共用设备提示" in html and "张老师" in html and "组员" in html
    response = client.get(reverse("attendance:export", args=[session.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    names = {r[1]: r for r in rows}
    assert names["张老师"][7] == "是" and names["张老师"][6] in ("正常", "迟到")
    assert names["张老师"][8].startswith("138") and "****" in names["张老师"][8]


def test_sheet_and_export_are_forbidden_to_teachers(client, session, roles):
    client.force_login(roles.teacher)
    assert client.get(reverse("attendance:sheet", args=[session.pk])).status_code == 403
    assert client.get(reverse("attendance:export", args=[session.pk])).status_code == 403


def test_mark_page_requires_reason(client, session, roles):
    client.force_login(roles.school_admin)
    url = reverse("attendance:mark", args=[session.pk, roles.teacher.person.pk])
    assert client.post(url, {"status": "leave", "reason": ""}).status_code == 400
    assert client.post(url, {"status": "leave", "reason": "持病假条"}).status_code == 302
    assert Attendance.objects.get().status_label == "请假"
    client.force_login(roles.teacher)
    assert client.get(url).status_code == 403


def test_my_attendance_page_lists_my_sessions(client, session, roles):
    client.force_login(roles.teacher)
    html = client.get(reverse("attendance:my")).content.decode()
    assert session.title in html and "未签到" in html


def test_sheet_finds_a_shared_device_even_when_no_flag_was_stored(client, session, roles):
    # As when two sign-ins on one phone race and neither sees the other at write time.
    from django.utils import timezone

    for user in (roles.teacher, roles.member):
        Attendance.objects.create(session=session, person=user.person, signed_in_at=timezone.now(), signin_device="raced-phone-0000000001")
    client.force_login(roles.school_admin)
    html = client.get(reverse("attendance:sheet", args=[session.pk])).content.decode()
    assert "共用设备提示" in html and html.count("设备存疑</span>") == 2


def test_the_phone_sign_in_reads_three_rows_and_writes_two(client, session, roles):
    """The hall-wide burst path: login (session, user), the session row, one
    enrolment-and-device probe, the attendance row and its audit row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(roles.teacher)
    confirm = client.get(scan_url(session))["Location"]
    with CaptureQueriesContext(connection) as ctx:
        done = client.post(confirm, {"p": confirm.split("p=", 1)[1]}, headers={"HX-Request": "true"})
    assert "签到成功" in done.content.decode()
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert [s.split()[0] for s in statements] == ["SELECT"] * 4 + ["INSERT"] * 2, statements
    assert '"training_session"."project_id"' not in statements[2]  # one row, no joins
