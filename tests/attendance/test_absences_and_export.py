import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from yanxiu.attendance import selectors, services
from yanxiu.training.models import LeaveRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_session(sessions, roles, people, school):
    start = timezone.now() - dt.timedelta(hours=3)
    extra = people.teacher(school, username="extra", name="赵老师")
    s = sessions.make(starts_at=start, ends_at=start + dt.timedelta(hours=1),
                      enroll=[roles.teacher, roles.member, roles.leader, extra])
    services.attendance_sign_in(actor=roles.teacher, session=s, method="qr", now=start)
    LeaveRequest.objects.create(session=s, person=roles.member.person, leave_type="sick", reason="发烧", status="approved")
    LeaveRequest.objects.create(session=s, person=roles.leader.person, leave_type="personal", reason="家中有事", status="rejected")
    services.attendance_mark(actor=roles.school_admin, session=s, person=extra.person, status="absent", reason="未到场")
    return s


def test_absences_are_enrolled_people_without_attendance_or_approved_leave(past_session, roles):
    names = {e.person.name for e in selectors.absences_for(session=past_session)}
    assert names == {roles.leader.person.name, "赵老师"}


def test_absences_wait_for_the_session_to_end(sessions, roles):
    s = sessions.make(enroll=[roles.teacher])
    assert not selectors.absences_for(session=s).exists()
    assert selectors.absences_for(session=s, now=s.ends_at + dt.timedelta(seconds=1)).count() == 1


def test_absences_scoped_to_the_user(past_session, roles):
    assert selectors.absences_for(user=roles.school_admin).count() == 2
    assert selectors.absences_for(user=roles.other_admin).count() == 0


def test_export_command_writes_the_sign_in_sheet(past_session, roles, tmp_path):
    out = tmp_path / "sheet.xlsx"
    call_command("attendance_export", str(past_session.pk), "--xlsx", str(out))
    ws = load_workbook(out).active
    assert ws["B2"].value == "姓名"
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["张老师"][6] == "正常" and rows["张老师"][4]
    assert rows["组员"][6] == "请假"
    assert rows[roles.leader.person.name][6] == "缺训"
    assert rows["赵老师"][6] == "缺训" and rows["赵老师"][9] == "未到场"
    assert all("****" in r[8] for r in rows.values())


def test_the_absence_list_page_and_its_download_are_scoped(client, past_session, roles):
    client.force_login(roles.school_admin)
    html = client.get("/attendance/absences/").content.decode()
    assert "赵老师" in html and roles.leader.person.name in html and roles.member.person.name not in html
    response = client.get("/attendance/absences/", {"format": "xlsx"})
    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    assert {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)} == {"赵老师", roles.leader.person.name}
    client.force_login(roles.other_admin)
    assert "赵老师" not in client.get("/attendance/absences/").content.decode()
    client.force_login(roles.teacher)
    assert client.get("/attendance/absences/").status_code == 403


def test_the_absence_list_follows_the_date_range(client, past_session, roles):
    client.force_login(roles.school_admin)
    yesterday = (timezone.localdate() - dt.timedelta(days=2)).isoformat()  # the session was three hours ago
    html = client.get("/attendance/absences/", {"start": "2020-01-01", "end": yesterday}).content.decode()
    assert "赵老师" not in html
