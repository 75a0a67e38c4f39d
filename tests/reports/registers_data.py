"""A register built from constructed ledger rows of every source (shared by the register tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.credits.factories import adopt, credit
from yanxiu.credits.ledger import credit_record, credit_reverse
from yanxiu.credits.models import ActivityRecord, SourceType
from yanxiu.credits.services import claim_submit, claim_verify
from yanxiu.training.models import Enrollment, LeaveRequest, Project, Session

YEAR = 2025


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def session_of(school, county, *, title, day, level="school", hours="2"):
    project = Project.objects.create(owner_school=school if level == "school" else None, region=county, title=title,
                                     school_year="2025-2026", status="approved", kind="lecture", level=level)
    return Session.objects.create(project=project, title=title, starts_at=at(day), ends_at=at(day, 17), place="会议室",
                                  status="published", hours=Decimal(hours))


def session_credit(person, school, session, hours="2", kind="school_based"):
    return credit_record(
        actor=None, person=person, school=school, school_year=YEAR, kind=kind, title=session.title, hours=Decimal(hours),
        source_type=SourceType.SESSION, source_id=str(session.pk), source_key=f"session:{session.pk}",
        evidence={"session_id": session.pk, "signed_in_at": session.starts_at.isoformat(), "reflection_id": 1, "reflection_chars": 320},
    )


def build(roles, school, school_b, county):
    """Entries of every source for 张老师 (roles.teacher), a few for 组员 and one for 李老师 at school_b."""
    adopt("000", county)
    teacher, member, other = roles.teacher.person, roles.member.person, roles.other_teacher.person
    school_session = session_of(school, county, title="校本讲座：大单元教学", day=dt.date(2025, 10, 15))
    county_session = session_of(None, county, title="县级学科培训", day=dt.date(2026, 3, 20), level="county", hours="6")
    e_session = session_credit(teacher, school, school_session)
    e_county = session_credit(teacher, school, county_session, hours="6", kind="centralised")
    e_import = credit_record(
        actor=None, person=teacher, school=school, school_year=YEAR, kind="centralised", title="省级骨干教师培训",
        hours=Decimal("24"), source_type=SourceType.IMPORT, source_key=f"import:省级:{teacher.pk}",
        evidence={"batch_id": 1, "row": 2, "result": "合格", "level": "provincial", "start": "2025-11-03", "end": "2025-11-07"},
    )
    claim = claim_submit(actor=roles.teacher, title="市级班主任培训", organiser="长沙市教育局", level="city", kind="online",
                         hours=Decimal("12"), start_date=dt.date(2025, 12, 1), end_date=dt.date(2025, 12, 2),
                         file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 x"))
    claim = claim_verify(actor=roles.school_admin, claim=claim)
    record = ActivityRecord.objects.create(person=teacher, school=school, activity_type="public_lesson", title="公开课",
                                           date=dt.date(2026, 3, 10), proof="听课记录")
    e_activity = credit_record(
        actor=None, person=teacher, school=school, school_year=YEAR, kind="school_based", title="公开课：圆的认识",
        hours=Decimal("3"), source_type=SourceType.ACTIVITY, source_id=str(record.pk), source_key=f"activity:x:{record.pk}",
        evidence={"activity_id": record.pk, "proof": "听课记录"},
    )
    ActivityRecord.objects.filter(pk=record.pk).update(entry=e_activity)
    wrong = credit(teacher, 5, title="误登记的活动", year=YEAR, key="wrong")
    credit_reverse(actor=None, entry=wrong, reason="登记错误", _system=True)
    e_member = credit(member, 4, title="=HYPERLINK(\"http://x\",\"y\")", year=YEAR)
    e_other = credit(other, 7, title="榔梨中学校本研修", year=YEAR, school=school_b)
    e_last_year = credit(teacher, 9, title="上一学年的培训", year=YEAR - 1)
    # Who took part in the school session: enrolled, attended (one late), on leave, absent.
    from yanxiu.attendance.models import Attendance

    for person in (teacher, member, roles.leader.person):
        Enrollment.objects.create(session=school_session, person=person, school=school)
    Attendance.objects.create(session=school_session, person=teacher, status="present", signed_in_at=school_session.starts_at)
    Attendance.objects.create(session=school_session, person=member, status="present", is_late=True,
                              signed_in_at=school_session.starts_at)
    Enrollment.objects.create(session=school_session, person=roles.school_admin.person, school=school)
    LeaveRequest.objects.create(session=school_session, person=roles.school_admin.person, school=school, leave_type="sick",
                                reason="发烧住院", status="approved", school_decision="approved")
    return SimpleNamespace(
        teacher=teacher, member=member, other=other, school_session=school_session, county_session=county_session,
        e_session=e_session, e_county=e_county, e_import=e_import, e_claim=claim.entry, e_activity=e_activity, wrong=wrong,
        e_member=e_member, e_other=e_other, e_last_year=e_last_year,
    )
