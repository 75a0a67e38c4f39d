import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yanxiu.attendance import services, tokens
from yanxiu.attendance.models import Attendance, CodeFailure, DeviceFlag
from yanxiu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def minutes(n):
    return dt.timedelta(minutes=n)


@pytest.fixture
def session(sessions, roles):
    start = timezone.now().replace(microsecond=0) + minutes(60)
    return sessions.make(starts_at=start, ends_at=start + minutes(90), enroll=[roles.teacher, roles.member],
                         late_tolerance_minutes=10, early_leave_tolerance_minutes=10)


def test_sign_in_records_one_row_with_device_ip_and_audit(session, roles):
    result = services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", device="dev-aaaaaaaaaaaaaaaa",
                                         ip="10.0.0.8", now=session.starts_at - minutes(5))
    assert result.created
    a = Attendance.objects.get(session=session)
    assert a.person == roles.teacher.person
    assert (a.signin_device, a.signin_ip, a.is_late, a.status_label) == ("dev-aaaaaaaaaaaaaaaa", "10.0.0.8", False, "正常")
    assert AuditEvent.objects.filter(action="attendance.sign_in", target_id=str(a.pk)).count() == 1


def test_second_sign_in_changes_nothing_and_says_so(session, roles):
    first = services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at)
    again = services.attendance_sign_in(actor=roles.teacher, session=session, method="code", now=session.starts_at + minutes(3))
    assert not again.created
    assert "您已签到，无需重复签到" in again.message
    a = Attendance.objects.get(session=session)
    assert a.signed_in_at == first.attendance.signed_in_at and a.signin_method == "qr"
    assert AuditEvent.objects.filter(action="attendance.sign_in").count() == 1


def test_sign_in_more_than_30_minutes_before_start_is_refused(session, roles):
    with pytest.raises(ValidationError, match="签到尚未开始"):
        services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at - minutes(31))
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at - minutes(29))


def test_sign_in_after_the_end_is_refused(session, roles):
    with pytest.raises(ValidationError, match="活动已结束"):
        services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.ends_at + minutes(1))
    assert not Attendance.objects.exists()


def test_sign_in_of_a_person_not_enrolled_is_refused(session, roles):
    with pytest.raises(ValidationError, match="不在本次活动的参训名单中"):
        services.attendance_sign_in(actor=roles.other_teacher, session=session, method="qr", now=session.starts_at)


def test_account_without_person_cannot_sign_in(session, roles):
    with pytest.raises(ValidationError, match="没有关联教师档案"):
        services.attendance_sign_in(actor=roles.presenter, session=session, method="qr", now=session.starts_at)


def test_cancelled_session_refuses_sign_in(sessions, roles):
    s = sessions.make(enroll=[roles.teacher], status="cancelled")
    with pytest.raises(ValidationError, match="已取消"):
        services.attendance_sign_in(actor=roles.teacher, session=s, method="qr")


def test_late_arrival_past_the_tolerance_is_flagged(session, roles):
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at + minutes(10))
    services.attendance_sign_in(actor=roles.member, session=session, method="qr", now=session.starts_at + minutes(11))
    rows = {a.person_id: a for a in Attendance.objects.all()}
    assert not rows[roles.teacher.person.pk].is_late
    assert rows[roles.member.person.pk].is_late and rows[roles.member.person.pk].status_label == "迟到"


def test_sign_out_before_the_tolerance_is_early_leave(session, roles):
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at)
    services.attendance_sign_in(actor=roles.member, session=session, method="qr", now=session.starts_at)
    services.attendance_sign_out(actor=roles.teacher, session=session, method="qr", now=session.ends_at - minutes(11))
    services.attendance_sign_out(actor=roles.member, session=session, method="qr", now=session.ends_at - minutes(10))
    rows = {a.person_id: a for a in Attendance.objects.all()}
    assert rows[roles.teacher.person.pk].left_early and rows[roles.teacher.person.pk].status_label == "早退"
    assert not rows[roles.member.person.pk].left_early


def test_sign_out_needs_a_sign_in_and_happens_once(session, roles):
    with pytest.raises(ValidationError, match="尚未签到"):
        services.attendance_sign_out(actor=roles.teacher, session=session, method="qr", now=session.ends_at)
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at)
    assert services.attendance_sign_out(actor=roles.teacher, session=session, method="qr", now=session.ends_at).created
    again = services.attendance_sign_out(actor=roles.teacher, session=session, method="qr", now=session.ends_at + minutes(1))
    assert not again.created and "已签退" in again.message


def test_one_device_signing_in_two_teachers_is_flagged_not_refused(session, roles):
    device = "shared-phone-000000001"
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", device=device, now=session.starts_at)
    assert not Attendance.objects.get(person=roles.teacher.person).device_flagged
    second = services.attendance_sign_in(actor=roles.member, session=session, method="qr", device=device, now=session.starts_at)
    assert second.created
    assert Attendance.objects.filter(session=session, device_flagged=True).count() == 2
    flag = DeviceFlag.objects.get(session=session)
    assert (flag.device, flag.people_count) == (device, 2)


def test_same_device_same_teacher_in_two_sessions_is_not_flagged(sessions, session, roles):
    other = sessions.make(starts_at=session.starts_at, ends_at=session.ends_at, enroll=[roles.teacher])
    for s in (session, other):
        services.attendance_sign_in(actor=roles.teacher, session=s, method="qr", device="my-own-phone-0000001", now=s.starts_at)
    assert not Attendance.objects.filter(device_flagged=True).exists()
    assert not DeviceFlag.objects.exists()


def test_code_sign_in_accepts_the_current_code_and_caps_wrong_guesses(session, roles):
    now = session.starts_at
    code = tokens.issue(session.pk, "in", now=now.timestamp()).code
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(ValidationError, match="数字码不正确"):
        services.attendance_sign_by_code(actor=roles.teacher, session=session, code=wrong, now=now)
    assert CodeFailure.objects.get().count == 1
    result = services.attendance_sign_by_code(actor=roles.teacher, session=session, code=code, now=now)
    assert result.created and result.attendance.signin_method == "code"
    CodeFailure.objects.update(count=services.MAX_CODE_FAILURES)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.attendance_sign_by_code(actor=roles.teacher, session=session, code=code, now=now)


def test_code_for_sign_out_signs_out(session, roles):
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at)
    now = session.ends_at
    code = tokens.issue(session.pk, "out", now=now.timestamp()).code
    result = services.attendance_sign_by_code(actor=roles.teacher, session=session, code=code, now=now)
    assert result.attendance.signed_out_at == now


def test_manual_mark_needs_a_reason_and_an_admin_and_is_audited(session, roles):
    person = roles.teacher.person
    with pytest.raises(ValidationError) as exc:
        services.attendance_mark(actor=roles.school_admin, session=session, person=person, status="leave", reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.attendance_mark(actor=roles.other_admin, session=session, person=person, status="normal", reason="现场核实")
    with pytest.raises(PermissionDenied):
        services.attendance_mark(actor=roles.teacher, session=session, person=person, status="normal", reason="自己登记")
    a = services.attendance_mark(actor=roles.school_admin, session=session, person=person, status="late", reason="手机没电，现场核实")
    assert a.status_label == "迟到" and a.marked_by == roles.school_admin and a.signin_method == "manual"
    event = AuditEvent.objects.get(action="attendance.mark")
    assert event.detail["reason"] == "手机没电，现场核实" and event.detail["after"] == "迟到"
    # A teacher already marked by hand gets a clear message instead of a second row.
    result = services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=session.starts_at)
    assert not result.created and "管理员已登记" in result.message


def test_manual_mark_of_someone_not_enrolled_is_refused(session, roles):
    with pytest.raises(ValidationError, match="不在本次活动的参训名单中"):
        services.attendance_mark(actor=roles.school_admin, session=session, person=roles.other_teacher.person,
                                 status="normal", reason="来旁听")


def test_bureau_session_is_marked_by_region_staff_not_by_a_school_admin(sessions, roles):
    s = sessions.make(school=None, enroll=[roles.teacher])
    with pytest.raises(PermissionDenied):
        services.attendance_mark(actor=roles.school_admin, session=s, person=roles.teacher.person, status="normal", reason="核实")
    services.attendance_mark(actor=roles.centre, session=s, person=roles.teacher.person, status="normal", reason="核实")
