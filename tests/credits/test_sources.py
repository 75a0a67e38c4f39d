import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.credits.factories import adopt
from yanxiu.credits.models import CertificateClaim, CreditEntry
from yanxiu.credits.services import activity_credit, claim_reject, claim_submit, claim_verify, credit_school_session


@pytest.fixture
def session_setup(roles, school, people):
    from yanxiu.attendance.models import Attendance, Reflection, ReflectionRule
    from yanxiu.training.models import Enrollment, LeaveRequest, Project, Session

    adopt("000", school.county)
    start = timezone.now() - dt.timedelta(days=1)
    project = Project.objects.create(owner_school=school, region=school.county, title="语文组校本研修", school_year="2025-2026", status="approved")
    session = Session.objects.create(project=project, title="同课异构", starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                     hours=Decimal("2"), status="published", signin_requires_signout=True)
    ReflectionRule.objects.create(session=session, min_reflection_chars=100)  # the reflections below have 120 characters
    names = ["全做到", "没签退", "迟到", "缺席", "请假未批", "请假已批", "反思未通过"]
    persons = {n: people.teacher(school, name=n).person for n in names}
    for p in persons.values():
        Enrollment.objects.create(session=session, person=p, school=school)

    def attend(name, **kw):
        Attendance.objects.create(session=session, person=persons[name], signed_in_at=start, **kw)

    def reflect(name, status="accepted"):
        Reflection.objects.create(session=session, person=persons[name], body="今天的同课异构让我认识到" * 10, plain_text="今天的同课异构让我认识到" * 10,
                                  status=status, submitted_at=start + dt.timedelta(hours=3))

    attend("全做到", signed_out_at=start + dt.timedelta(hours=2)); reflect("全做到")
    attend("没签退"); reflect("没签退")
    attend("迟到", is_late=True, signed_out_at=start + dt.timedelta(hours=2)); reflect("迟到")
    LeaveRequest.objects.create(session=session, person=persons["请假未批"], school=school, leave_type="personal", reason="有事")
    LeaveRequest.objects.create(session=session, person=persons["请假已批"], school=school, leave_type="sick", reason="病", status="approved")
    attend("反思未通过", signed_out_at=start + dt.timedelta(hours=2)); reflect("反思未通过", status="returned")
    return session, persons


def test_a_school_session_credits_only_participants_with_complete_evidence(session_setup, roles):
    session, persons = session_setup
    result = credit_school_session(actor=roles.school_admin, session=session)
    assert [e.person.name for e in result.credited] == ["全做到"]
    entry = result.credited[0]
    assert entry.hours == 2 and entry.kind == "school_based" and entry.evidence["reflection_id"]
    skipped = {p.name: reason for p, reason in result.skipped}
    assert set(skipped) == {"没签退", "迟到", "缺席", "请假未批", "请假已批", "反思未通过"}
    assert "签退" in skipped["没签退"] and "缺训" in skipped["缺席"] and "缺训" in skipped["请假未批"]
    again = credit_school_session(actor=roles.school_admin, session=session)
    assert again.credited == [] and CreditEntry.objects.count() == 1


def test_a_certificate_counts_once_the_school_verifies_it(roles, school):
    adopt("000", school.county)
    pdf = SimpleUploadedFile("cert.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    claim = claim_submit(actor=roles.teacher, title="市级班主任培训", organiser="长沙市教育局", level="city", kind="centralised",
                         hours=Decimal("12"), start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 11, 2), file=pdf)
    assert not CreditEntry.objects.exists()
    claim = claim_verify(actor=roles.school_admin, claim=claim)
    assert claim.status == CertificateClaim.Status.VERIFIED and claim.entry.hours == 12 and claim.entry.school_year == 2025
    other = claim_submit(actor=roles.teacher, title="x", organiser="y", level="city", kind="centralised", hours=Decimal("40"),
                         start_date=dt.date(2025, 11, 1), end_date=dt.date(2025, 11, 2), file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 x"))
    with pytest.raises(ValidationError, match="上限"):
        claim_verify(actor=roles.school_admin, claim=other)
    assert claim_reject(actor=roles.school_admin, claim=other, comment="学时与证书不符").status == "rejected"


def test_activities_are_credited_within_the_policy_cap(roles, school):
    adopt("000", school.county)  # public lesson: 2 each, 4 a year
    person = roles.teacher.person
    for title in ("公开课一", "公开课二"):
        activity_credit(actor=roles.school_admin, person=person, activity_type="public_lesson", title=title, date=dt.date(2025, 10, 1), proof="听课记录")
    with pytest.raises(ValidationError, match="上限"):
        activity_credit(actor=roles.school_admin, person=person, activity_type="public_lesson", title="公开课三", date=dt.date(2025, 11, 1), proof="听课记录")
    with pytest.raises(ValidationError, match="不把"):
        activity_credit(actor=roles.school_admin, person=person, activity_type="paper", title="论文", date=dt.date(2025, 11, 1), proof="期刊")
    assert sum(CreditEntry.objects.values_list("hours", flat=True)) == 4


def test_a_project_certificate_goes_to_each_credited_participant_and_can_be_revoked(session_setup, roles, client):
    from yanxiu.credits.models import Certificate
    from yanxiu.credits.services import certificate_revoke, certificates_for_session_project

    session, persons = session_setup
    credit_school_session(actor=roles.school_admin, session=session)
    certs = certificates_for_session_project(actor=roles.school_admin, project=session.project)
    assert [c.person.name for c in certs] == ["全做到"] and certs[0].hours == 2
    assert certificates_for_session_project(actor=roles.school_admin, project=session.project)[0].pk == certs[0].pk
    with pytest.raises(ValidationError):
        certificate_revoke(actor=roles.school_admin, certificate=certs[0], reason="")
    certificate_revoke(actor=roles.school_admin, certificate=certs[0], reason="考勤造假")
    page = client.get(f"/credits/verify/{certs[0].code}/").content.decode()
    assert "已撤销" in page and Certificate.objects.get().revoked
