"""A county built for the dashboard tests, with known numbers on 2 March 2026 (the 2025-2026 school year, policy 000:
48 hours a year, 24 of them 校本, 1 September–31 August).

School 星沙一小 (片区 星沙片区): A 10 h from a county-level session, B 30 h, C 20 h and enrolled in a 30 h session in
April, D 30 h + 20 h of an imported provincial result (met). School 榔梨中学 (no 片区): E 5 h (and 7 h reversed), a
county quota past its deadline. Two sessions held at 星沙一小: S1 (ended 10 February, credit not registered: late;
A and B present, C absent, D on approved leave) and S2 (ended 20 February, registered; A present).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from tests.credits.factories import YEAR, adopt, credit

NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def _at(y, m, d, h=15):
    return timezone.make_aware(dt.datetime(y, m, d, h, 0))


def build(people, county, school, school_b) -> SimpleNamespace:
    from yanxiu.attendance.models import Attendance
    from yanxiu.core.models import AuditEvent
    from yanxiu.credits.ledger import credit_record, credit_reverse
    from yanxiu.credits.models import SourceType
    from yanxiu.org.models import Cluster
    from yanxiu.training.models import Enrollment, LeaveRequest, Project, Quota, Session

    adopt("000", county)
    cluster = Cluster.objects.create(county=county, name="星沙片区", base_school=school)
    school.cluster = cluster
    school.save()
    bureau = people.role("bureau_admin", username="bureau", region=county)
    admin = people.role("school_admin", username="schooladmin", school=school)
    other_admin = people.role("school_admin", username="otheradmin", school=school_b)
    a = people.teacher(school, name="甲老师", username="teacher_a").person
    b = people.teacher(school, name="乙老师", username="teacher_b").person
    c = people.teacher(school, name="丙老师", username="teacher_c").person
    d = people.teacher(school, name="丁老师", username="teacher_d").person
    e = people.teacher(school_b, name="戊老师", username="teacher_e").person

    school_project = Project.objects.create(owner_school=school, region=county, title="校本研修", school_year="2025-2026",
                                            status="approved")
    county_project = Project.objects.create(region=county, title="县级骨干教师培训", level="county", kind="centralised",
                                            school_year="2025-2026", status="approved")
    s1 = Session.objects.create(project=school_project, title="课例研究一", starts_at=_at(2026, 2, 10), ends_at=_at(2026, 2, 10, 17),
                                hours=Decimal("2"), status="published")
    s2 = Session.objects.create(project=school_project, title="集体备课二", starts_at=_at(2026, 2, 20), ends_at=_at(2026, 2, 20, 17),
                                hours=Decimal("2"), status="published")
    future = Session.objects.create(project=school_project, title="暑期研修", starts_at=_at(2026, 4, 10), ends_at=_at(2026, 4, 10, 17),
                                    hours=Decimal("30"), status="published")
    county_session = Session.objects.create(project=county_project, title="县级集中培训", starts_at=_at(2025, 10, 10),
                                            ends_at=_at(2025, 10, 10, 17), hours=Decimal("10"), status="published")
    for person in (a, b, c, d):
        Enrollment.objects.create(session=s1, person=person, school=school)
    Enrollment.objects.create(session=s2, person=a, school=school)
    Enrollment.objects.create(session=future, person=c, school=school)
    Attendance.objects.create(session=s1, person=a, status="present")
    Attendance.objects.create(session=s1, person=b, status="present")
    Attendance.objects.create(session=s2, person=a, status="present")
    LeaveRequest.objects.create(session=s1, person=d, school=school, leave_type="sick", reason="发烧", status="approved")
    AuditEvent.objects.create(action="credit.session", target_type="training.session", target_id=str(s2.pk))
    Quota.objects.create(project=county_project, school=school_b, places=2, deadline=_at(2026, 2, 1))

    credit_record(actor=None, person=a, school=school, school_year=YEAR, kind="school_based", title="县级集中培训",
                  hours=Decimal("10"), source_type=SourceType.SESSION, source_id=str(county_session.pk),
                  evidence={"session_id": county_session.pk, "signed_in_at": "2025-10-10T15:00", "reflection_id": 1})
    credit(b, 30)
    credit(c, 20)
    credit(d, 30)
    credit_record(actor=None, person=d, school=school, school_year=YEAR, kind="centralised", title="省级培训",
                  hours=Decimal("20"), source_type=SourceType.IMPORT, source_id="1",
                  evidence={"batch_id": 1, "row": 2, "result": "合格", "level": "provincial"})
    credit(e, 5)
    wrong = credit(e, 7, key="wrong")
    credit_reverse(actor=bureau, entry=wrong, reason="重复登记", _system=True)
    return SimpleNamespace(bureau=bureau, admin=admin, other_admin=other_admin, a=a, b=b, c=c, d=d, e=e, s1=s1, s2=s2,
                           future=future, cluster=cluster, county_project=county_project)
