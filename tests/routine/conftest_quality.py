"""Exams built row by row for the quality tests (scores written directly, as the importer would)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

YEAR = 2025
STATUS_WORDS = {"缺考": "absent", "请假": "leave", "": "empty", "免考": "exempt"}


def make_exam(school, name="期末", *, full_marks=100, date=dt.date(2026, 1, 15), kind="final"):
    from yanxiu.routine.models import Exam

    return Exam.objects.create(school=school, name=name, kind=kind, date=date, school_year=YEAR, term=1,
                               full_marks=Decimal(str(full_marks)))


def add_scores(exam, grade: int, class_no: int, subject: str, values) -> None:
    """One row per value: a number is a score, 缺考 / 请假 / 免考 / "" the status in its place."""
    from yanxiu.routine.models import ExamScore

    rows = []
    for n, value in enumerate(values, start=1):
        if isinstance(value, str):
            rows.append(ExamScore(exam=exam, grade=grade, class_no=class_no, subject=subject, student_name=f"学生{n}",
                                  status=STATUS_WORDS[value], score=None, row=n))
        else:
            rows.append(ExamScore(exam=exam, grade=grade, class_no=class_no, subject=subject, student_name=f"学生{n}",
                                  status="scored", score=Decimal(str(value)), row=n))
    ExamScore.objects.bulk_create(rows)


@pytest.fixture
def exam(school):
    return make_exam(school)
