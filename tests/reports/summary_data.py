"""A school year of constructed records for the year-end summary's tests, with the figures they must give.

School year 2025 (2025-09-01 .. 2026-08-31, preset 000: 48 学时, 校本 ≥ 24, an unexcused
absence fails). At ``school``:

- teachers A 50 (校本 30 + 集中 20) met, B 40 fails (absent from S1), C 20 below, D 48 (校本 18) below,
  E 48 met → 5 teachers, average 41.2, rate 0.4, 3 below the minimum, 2 short of 校本 24;
- sessions held S1 集体备课 (A, C present; B absent), S2 讲座 (A, D present; E on approved leave),
  S3 讲座 (A, E present); not held: a draft, a session of school_b, one in the next year, one not yet over;
- preparations: 语文组 3 of 120 minutes (3 weeks met), 数学组 1 of 90 minutes; not counted: school_b's, next year's;
- checks: 2 in the year; not counted: one in the next year, one of school_b;
- growth: public lessons A accepted, B imported (2); not counted: C submitted, D returned, school_b's;
  awards A 县级一等奖, B 县级二等奖, D 市级一等奖 (3); not counted: E submitted, one in the next year;
- needs survey 2025-2026: A, B, C, D answered (4 of 5 → 0.8), 教学技能 3, 师德修养 2, 信息技术 1.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from tests.credits.factories import YEAR, adopt, credit

#: The figures are computed as of this moment (the year is over: verdicts, not progress).
NOW = timezone.make_aware(dt.datetime(YEAR + 1, 9, 15, 10, 0))


def at(month: int, day: int, hour: int = 15, *, year: int | None = None) -> dt.datetime:
    year = year if year is not None else (YEAR if month >= 9 else YEAR + 1)
    return timezone.make_aware(dt.datetime(year, month, day, hour, 0))


def _session(school, title, kind, start, *, status="published"):
    from yanxiu.training.models import Project, Session

    project = Project.objects.create(owner_school=school, region=school.county, title=f"{title}项目", kind=kind,
                                     school_year=f"{YEAR}-{YEAR + 1}", status="approved")
    return Session.objects.create(project=project, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2), hours=2,
                                  status=status)


def _attend(session, people, status="present"):
    from yanxiu.attendance.models import Attendance
    from yanxiu.training.models import Enrollment

    for person in people:
        Enrollment.objects.get_or_create(session=session, person=person, defaults={"school": person.employments.get().school})
        if status:
            Attendance.objects.create(session=session, person=person, status=status, signed_in_at=session.starts_at)


def _enrol(session, people):
    _attend(session, people, status=None)


def _sessions(school, school_b, t):
    from yanxiu.training.models import Decision, LeaveRequest

    s1 = _session(school, "语文组集体备课", "collective_prep", at(10, 14))
    _attend(s1, [t.a, t.c])
    _enrol(s1, [t.b])  # enrolled, no attendance, no leave: absent
    s2 = _session(school, "新课标专题讲座", "lecture", at(11, 20))
    _attend(s2, [t.a, t.d])
    _enrol(s2, [t.e])
    LeaveRequest.objects.create(session=s2, person=t.e, school=school, leave_type="sick", reason="发烧", status=Decision.APPROVED)
    s3 = _session(school, "作业设计讲座", "lecture", at(3, 18))
    _attend(s3, [t.a, t.e])
    draft = _session(school, "未发布的活动", "lecture", at(12, 2), status="draft")
    _attend(draft, [t.a])
    other = _session(school_b, "外校活动", "lecture", at(12, 3))
    _attend(other, [t.other])
    next_year = _session(school, "下学年的活动", "lecture", at(9, 10, year=YEAR + 1))
    _attend(next_year, [t.a])
    # Starts in the year but is not over (at NOW, nor when a service computes the figures now): not held.
    late = _session(school, "尚未结束的活动", "lecture", at(8, 31, 9))
    late.ends_at = max(NOW, timezone.now()) + dt.timedelta(days=1)
    late.save(update_fields=["ends_at"])
    return SimpleNamespace(s1=s1, s2=s2, s3=s3)


def _routine(school, school_b, t):
    from yanxiu.org.models import Group
    from yanxiu.routine.models import CheckKind, CollectivePrep, RoutineCheck

    chinese = Group.objects.create(school=school, name="语文组", kind="research", subject="语文")
    maths = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    far = Group.objects.create(school=school_b, name="外校语文组", kind="research", subject="语文")

    def prep(group, day, minutes=120):
        return CollectivePrep.objects.create(group=group, date=day, minutes=minutes, subject=group.subject, grade_name="三年级",
                                             lesson="单元教学设计", lead=t.a, discussion="研讨记录")

    for day in (dt.date(YEAR, 9, 17), dt.date(YEAR, 10, 15), dt.date(YEAR + 1, 3, 11)):
        prep(chinese, day)
    prep(maths, dt.date(YEAR, 10, 22), minutes=90)
    prep(far, dt.date(YEAR, 10, 22))
    prep(chinese, dt.date(YEAR + 1, 9, 16))  # next school year
    kind = CheckKind.objects.create(school=school, name="备课检查")
    far_kind = CheckKind.objects.create(school=school_b, name="备课检查")
    for day in (dt.date(YEAR, 10, 30), dt.date(YEAR + 1, 4, 20)):
        RoutineCheck.objects.create(school=school, kind=kind, date=day, checker=t.a, scope="全校备课")
    RoutineCheck.objects.create(school=school, kind=kind, date=dt.date(YEAR + 1, 9, 20), checker=t.a)
    RoutineCheck.objects.create(school=school_b, kind=far_kind, date=dt.date(YEAR, 10, 30), checker=t.other)
    return SimpleNamespace(chinese=chinese, maths=maths)


def _growth(school, school_b, t):
    from yanxiu.growth.models import GrowthRecord

    def record(person, kind, day, *, status="accepted", source="entered", where=school, **fields):
        return GrowthRecord.objects.create(person=person, school=where, kind=kind, date=day, title="记录", status=status,
                                           source=source, **fields)

    record(t.a, "public_lesson", dt.date(YEAR, 11, 26), level="school")
    record(t.b, "public_lesson", dt.date(YEAR + 1, 4, 8), source="imported")
    record(t.c, "public_lesson", dt.date(YEAR + 1, 4, 9), status="submitted")
    record(t.d, "public_lesson", dt.date(YEAR + 1, 4, 10), status="returned")
    record(t.other, "public_lesson", dt.date(YEAR + 1, 4, 10), where=school_b)
    record(t.a, "award", dt.date(YEAR, 12, 1), level="county", rank="一等奖")
    record(t.b, "award", dt.date(YEAR + 1, 5, 1), level="county", rank="二等奖")
    record(t.d, "award", dt.date(YEAR + 1, 6, 1), level="city", rank="一等奖", source="imported")
    record(t.e, "award", dt.date(YEAR + 1, 6, 2), level="province", rank="一等奖", status="submitted")
    record(t.a, "award", dt.date(YEAR + 1, 9, 20), level="county", rank="一等奖")


def _needs(school, t):
    from yanxiu.needs.models import NeedsResponse, NeedsSurvey
    from yanxiu.training.models import ContentCategory

    skills, ethics, it, safety = (ContentCategory.objects.create(region=school.county, code=code, name=name, sort_order=i)
                                  for i, (code, name) in enumerate([("S1", "教学技能"), ("S2", "师德修养"), ("S3", "信息技术"), ("S4", "安全教育")]))
    survey = NeedsSurvey.objects.create(school=school, school_year=f"{YEAR}-{YEAR + 1}", title="2025学年培训需求调研",
                                        closes_on=dt.date(YEAR, 9, 30))
    survey.categories.set([skills, ethics, it, safety])
    for person, picked in ((t.a, [skills, ethics]), (t.b, [skills]), (t.c, [skills, it]), (t.d, [ethics])):
        NeedsResponse.objects.create(survey=survey, person=person).categories.set(picked)
    return survey


def build(people, school, school_b):
    """Every record of the module's description; returns the people and objects by name."""
    adopt("000", school.county)
    names = {"a": "甲老师", "b": "乙老师", "c": "丙老师", "d": "丁老师", "e": "戊老师"}
    t = SimpleNamespace(**{key: people.teacher(school, name=name).person for key, name in names.items()})
    t.other = people.teacher(school_b, name="外校老师").person
    credit(t.a, 30)
    credit(t.a, 20, kind="centralised", title="县级培训")
    credit(t.b, 26)
    credit(t.b, 14, kind="centralised", title="县级培训")
    credit(t.c, 20)
    credit(t.d, 18)
    credit(t.d, 30, kind="centralised", title="县级培训")
    credit(t.e, 48)
    credit(t.other, 60)
    t.sessions = _sessions(school, school_b, t)
    t.groups = _routine(school, school_b, t)
    _growth(school, school_b, t)
    t.survey = _needs(school, t)
    return t


def expected_weeks(school) -> int:
    """Weeks of the two default terms of 2025 (the weekly rule's grid)."""
    from yanxiu.growth import calendar
    from yanxiu.routine.prep_selectors import term_weeks

    return sum(len(term_weeks(span.start, span.end)) for span in calendar.terms_of_year(school, YEAR))
