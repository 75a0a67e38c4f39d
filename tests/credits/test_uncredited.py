"""A teacher sees each session that earned no credit, with the reason, and a
session whose credit is not registered yet as pending; an admin's correction
of the attendance shows on the evidence line, with who and why."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.credits.factories import YEAR, adopt
from yanxiu.attendance.models import Attendance, Reflection
from yanxiu.credits.models import CreditEntry
from yanxiu.credits.services import credit_school_session
from yanxiu.training.models import Enrollment, Project, Session

START = timezone.make_aware(dt.datetime(YEAR, 10, 14, 15, 30))
BODY = "本次集体备课围绕新课标的大单元教学设计展开，" * 20


@pytest.fixture
def session(school, roles):
    adopt("000", school.county)
    project = Project.objects.create(owner_school=school, region=school.county, title="语文组教研", school_year=f"{YEAR}-{YEAR + 1}",
                                     status="approved")
    session = Session.objects.create(project=project, title="集体备课", starts_at=START, ends_at=START + dt.timedelta(hours=2), hours=2,
                                     status="published")
    Enrollment.objects.create(session=session, person=roles.teacher.person, school=school)
    return session


def attend(session, person, *, late=False):
    return Attendance.objects.create(session=session, person=person, status=Attendance.Status.PRESENT,
                                     signed_in_at=session.starts_at + dt.timedelta(minutes=25 if late else 2), is_late=late)


def reflect(session, person, *, status=Reflection.Status.ACCEPTED, comment=""):
    return Reflection.objects.create(session=session, person=person, body=BODY, plain_text=BODY, status=status, review_comment=comment,
                                     submitted_at=session.ends_at)


def my_page(client, user) -> str:
    client.force_login(user)
    page = client.get(reverse("credits:mine"), {"year": YEAR})
    assert page.status_code == 200
    return page.content.decode()


def test_a_session_not_yet_registered_shows_as_pending(client, session, roles):
    attend(session, roles.teacher.person)
    text = my_page(client, roles.teacher)
    assert "未计学时的培训" in text and "待登记" in text and "集体备课" in text and "未提交研修反思" in text


def test_a_late_arrival_shows_the_session_with_the_reason(client, session, roles):
    attend(session, roles.teacher.person, late=True)
    reflect(session, roles.teacher.person)
    credit_school_session(actor=roles.school_admin, session=session)
    text = my_page(client, roles.teacher)
    assert "未计学时" in text and "签到 15:55，迟到超过容许时间" in text and "待登记" not in text


def test_no_reflection_and_a_returned_reflection_each_say_so(client, session, roles):
    attend(session, roles.teacher.person)
    credit_school_session(actor=roles.school_admin, session=session)
    assert "未提交研修反思" in my_page(client, roles.teacher)
    reflect(session, roles.teacher.person, status=Reflection.Status.RETURNED, comment="请结合本班学情")
    assert "研修反思被退回：请结合本班学情" in my_page(client, roles.teacher)


def test_a_credited_session_is_not_listed_as_uncredited(client, session, roles):
    attend(session, roles.teacher.person)
    reflect(session, roles.teacher.person)
    result = credit_school_session(actor=roles.school_admin, session=session)
    assert len(result.credited) == 1
    assert "未计学时的培训" not in my_page(client, roles.teacher)


def test_a_manual_attendance_correction_shows_on_the_evidence_line(client, session, roles):
    from yanxiu.attendance.services import attendance_mark

    person = roles.teacher.person
    attendance_mark(actor=roles.school_admin, session=session, person=person, status="normal", reason="手机没电，纸质签到表为证")
    reflect(session, person)
    result = credit_school_session(actor=roles.school_admin, session=session)
    assert len(result.credited) == 1, result.skipped
    entry = CreditEntry.objects.get(person=person, source_type="session")
    assert entry.evidence["manual"]["reason"] == "手机没电，纸质签到表为证"
    text = my_page(client, roles.teacher)
    assert "考勤经管理员更正为“正常”" in text and "手机没电，纸质签到表为证" in text
    assert roles.school_admin.person.name in text


def test_a_manual_absence_gives_who_and_why_as_the_reason(client, session, roles):
    from yanxiu.attendance.services import attendance_mark

    attendance_mark(actor=roles.school_admin, session=session, person=roles.teacher.person, status="absent", reason="未到场")
    credit_school_session(actor=roles.school_admin, session=session)
    text = my_page(client, roles.teacher)
    assert "缺训，无签到记录" in text and "未到场" in text and roles.school_admin.person.name in text
