"""Student file fixtures: three exams of school year 2025 at ``school`` (monthly, mid-term, final),
two classes of grade 3, and who teaches them.

Imported explicitly by the student file test modules (``from .conftest_students import *``).

- 3（1）班: 王小明 语文 50 (under pass), 李小红 语文 55 and 数学 59.5 (both under), 赵小刚 语文 缺考 and
  数学 免考 (not under), 陈小华 60 and 95 (60 is the pass line itself: not under);
- 3（2）班: 孙小丽 语文 40;
- 张老师 (``roles.teacher``) teaches 3（1）班 语文; 组员 (``roles.member``, in the leader's group) teaches
  3（2）班 数学; the group leader and the school admin teach nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

YEAR = 2025
TODAY = dt.date(2026, 3, 10)
D = Decimal


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def exam(school, name, kind, date, *, term=1, full_marks=D("100"), year=YEAR):
    from yanxiu.routine.models import Exam

    return Exam.objects.create(school=school, name=name, kind=kind, date=date, school_year=year, term=term,
                               full_marks=full_marks)


def scores(exam_obj, rows):
    """``rows``: ``(grade, class_no, name, subject, value)``; a value is a number or a status code."""
    from yanxiu.routine.models import ExamScore

    objs = []
    for n, (grade, class_no, name, subject, value) in enumerate(rows, start=1):
        if isinstance(value, str) and not value[:1].isdigit():
            objs.append(ExamScore(exam=exam_obj, grade=grade, class_no=class_no, student_name=name, subject=subject,
                                  score=None, status=value, row=n))
        else:
            objs.append(ExamScore(exam=exam_obj, grade=grade, class_no=class_no, student_name=name, subject=subject,
                                  score=D(str(value)), status="scored", row=n))
    ExamScore.objects.bulk_create(objs)


FINAL_ROWS = [
    (3, 1, "王小明", "语文", 50), (3, 1, "王小明", "数学", 80),
    (3, 1, "李小红", "语文", 55), (3, 1, "李小红", "数学", "59.5"),
    (3, 1, "赵小刚", "语文", "absent"), (3, 1, "赵小刚", "数学", "exempt"),
    (3, 1, "陈小华", "语文", 60), (3, 1, "陈小华", "数学", 95),
    (3, 2, "孙小丽", "语文", 40), (3, 2, "孙小丽", "数学", 70),
]


@pytest.fixture
def exams(school):
    monthly = exam(school, "2025年10月月考", "monthly", dt.date(2025, 10, 15))
    midterm = exam(school, "2025年秋期中", "midterm", dt.date(2025, 11, 12))
    final = exam(school, "2025年秋期末", "final", dt.date(2026, 1, 14))
    scores(monthly, [(3, 1, "王小明", "语文", "leave"), (3, 1, "王小明", "数学", 72), (3, 1, "李小红", "语文", 48)])
    scores(midterm, [(3, 1, "王小明", "语文", "45.5"), (3, 1, "王小明", "数学", 78), (3, 2, "孙小丽", "语文", 52)])
    scores(final, FINAL_ROWS)
    return SimpleNamespace(monthly=monthly, midterm=midterm, final=final)


@pytest.fixture
def teaching(roles, school):
    from yanxiu.routine.services.students import teaching_set

    teaching_set(actor=roles.school_admin, school=school, school_year=YEAR, grade=3, class_no=1, subject="语文",
                 person=roles.teacher.person)
    teaching_set(actor=roles.school_admin, school=school, school_year=YEAR, grade=3, class_no=2, subject="数学",
                 person=roles.member.person)


@pytest.fixture
def files(roles, exams, teaching):
    """The files opened from the final exam, by name."""
    from yanxiu.routine.models import StudentFile
    from yanxiu.routine.services.students import student_files_open

    student_files_open(actor=roles.school_admin, exam=exams.final)
    return {f.student_name: f for f in StudentFile.objects.all()}
