"""The demo county's routine data (yanxiu.demo.routine).

The whole-county check, :func:`check_routine_demo`, runs on the county that
``tests/demo/test_seed_demo.py::test_seed_demo_small_county`` builds (in both
database passes), so that no test builds a county of its own for it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from yanxiu.demo import routine as demo_routine


def test_the_exams_are_the_last_final_and_mid_term_before_today():
    held = demo_routine.exam_days(dt.date(2026, 12, 1))
    assert [(k, t.school_year, t.number, d) for k, t, d in held] == [
        ("final", 2025, 2, dt.date(2026, 7, 17)), ("midterm", 2026, 1, dt.date(2026, 11, 5))]
    held = demo_routine.exam_days(dt.date(2026, 10, 1))  # this term's mid-term is still to come
    assert [(k, t.school_year, t.number) for k, t, _d in held] == [("midterm", 2025, 2), ("final", 2025, 2)]
    assert all(d < dt.date(2026, 10, 1) for _k, _t, d in held)


def check_routine_demo() -> None:
    """Every demo school has the preset kinds and a term of checks with findings; every group with
    members prepares in most weeks, some weeks short; every primary school has a mid-term and a final
    with scores of its classes (some absent or exempt) and its teaching assignments; the first school
    has a published competition whose awards are in the growth records, and a few commendations."""
    from yanxiu.core.models import AuditEvent
    from yanxiu.demo.growth import demo_term
    from yanxiu.org.models import Employment, Group, School
    from yanxiu.routine import commendation_selectors
    from yanxiu.routine.models import (CheckFinding, CheckKind, CollectivePrep, Commendation, Competition, Exam, ExamScore,
                                       PrepAttendance, RoutineCheck, StudentFile, TeachingAssignment)

    today = timezone.localdate()
    term = demo_term(today)
    schools = list(School.objects.filter(county__code="430121").order_by("code"))
    staffed = set(Employment.objects.current().values_list("school_id", flat=True))
    schools = [s for s in schools if s.pk in staffed]
    kinds = dict(CheckKind.objects.values("school_id").annotate(n=Count("id")).values_list("school_id", "n"))
    assert all(kinds.get(s.pk, 0) == 5 for s in schools)
    in_term = Q(date__gte=term.start, date__lte=min(term.end, today))
    checks = dict(RoutineCheck.objects.filter(in_term).values("school_id").annotate(n=Count("id")).values_list("school_id", "n"))
    assert all(checks.get(s.pk, 0) > 0 for s in schools), [s.name for s in schools if not checks.get(s.pk)]
    grades = set(CheckFinding.objects.values_list("grade", flat=True))
    assert grades == {"excellent", "good", "pass", "improve"}
    assert not CheckFinding.objects.filter(comment="").exists()
    observed = CheckFinding.objects.filter(routine_check__kind__name="随堂听课")
    if observed.exists():
        assert not observed.filter(feedback_on__isnull=True).exists()
    assert AuditEvent.objects.filter(action="routine.check_record").count() == 1

    first = schools[0]
    groups = Group.objects.filter(school__in=schools, members__in=Employment.objects.current()).distinct()
    preps = dict(CollectivePrep.objects.filter(in_term).values("group_id").annotate(n=Count("id")).values_list("group_id", "n"))
    assert all(preps.get(g.pk, 0) > 0 for g in groups)
    assert CollectivePrep.objects.filter(minutes__lt=120).exists()
    weeks = (min(term.end, today) - term.start).days // 7
    assert max(preps.values()) <= weeks + 1 and sum(preps.values()) < weeks * groups.count()
    assert PrepAttendance.objects.filter(present=False).exists() and PrepAttendance.objects.count() > sum(preps.values())

    primary = [s for s in schools if s.stage == "primary"]
    assert primary
    exams = dict(Exam.objects.values("school_id").annotate(n=Count("id", filter=Q(kind__in=["midterm", "final"])))
                 .values_list("school_id", "n"))
    assert all(exams.get(s.pk) == 2 for s in primary) and not Exam.objects.exclude(school__in=primary).exists()
    assert ExamScore.objects.filter(status="absent").exists() and ExamScore.objects.filter(status="exempt").exists()
    assert not ExamScore.objects.filter(score__gt=100).exists()
    for exam in Exam.objects.filter(school=primary[0]):
        classes = set(ExamScore.objects.filter(exam=exam).values_list("grade", "class_no", "subject").distinct())
        taught = set(TeachingAssignment.objects.filter(school=primary[0], school_year=exam.school_year)
                     .values_list("grade", "class_no", "subject"))
        assert classes == taught and {g for g, _c, _s in classes} == set(range(1, 7))
    assert StudentFile.objects.filter(school=primary[0]).exists()

    contest = Competition.objects.get(school=first)
    assert contest.status == "published" and contest.entries.exclude(award="").count() >= 3
    awarded = contest.entries.exclude(award="")
    assert all(e.growth_record_id and e.growth_record.kind == "award" and e.growth_record.status == "accepted" for e in awarded)
    assert contest.judges.count() >= 2 and AuditEvent.objects.filter(action="routine.score").exists()

    commended = Commendation.objects.filter(school=first)
    assert {"advanced_group", "advanced_person"} <= set(commended.values_list("kind", flat=True))
    assert all(c.basis.get("parts") and c.reason for c in commended)
    year = commended.first().school_year
    assert list(commendation_selectors.commendations_of(first, year)) == list(commended.order_by("kind", "-score", "pk"))
