"""Reads of 质量监测, scoped to the acting user.

Who reads a school's results: its admin, the region staff over it and its
leaders (校长, 副校长, 中层干部 currently employed there) see every class; a
teacher sees the classes they teach in the exam's school year
(:class:`~yanxiu.routine.models.TeachingAssignment`) at the school they
work at now; nobody else. The
settings and targets are changed by whoever manages the school
(:func:`yanxiu.org.scopes.can_manage_school`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yanxiu.org import scopes
from yanxiu.growth.progress import LEADER_POSITIONS
from yanxiu.org.models import Employment, School

from .check_selectors import is_school_leader
from .models import Exam, QualityTarget, TeachingAssignment
from .quality import MEASURES, Targets, exam_results, lines_of, six_items

ALL = None  # every class of the school


def reads_every_class(user, school) -> bool:
    """The school's admin, the region staff over it and its leaders read every class."""
    s = scopes.scope_of(user)
    if s.superuser or school.pk in s.admin_schools or school.county_id in s.region_counties:
        return True
    return is_school_leader(user, school)


def can_manage_quality(user, school) -> bool:
    return school is not None and scopes.can_manage_school(user, school)


def taught_classes(user, school, school_year: int) -> set[tuple[int, int]]:
    """(grade, class_no) of every class the user's person teaches at ``school`` in ``school_year``."""
    s = scopes.scope_of(user)
    if s.person_id is None or not Employment.objects.current().filter(person_id=s.person_id, school=school).exists():
        return set()  # a teacher reads the classes of the school they work at now
    rows = TeachingAssignment.objects.filter(school=school, school_year=school_year, person_id=s.person_id)
    return set(rows.values_list("grade", "class_no"))


def quality_schools(user) -> QuerySet:
    """Schools whose results the user may open: every visible school they read whole, and the school of
    each of their teaching assignments."""
    s = scopes.scope_of(user)
    if s.superuser:
        return School.objects.all()
    q = Q(county_id__in=s.region_counties) | Q(pk__in=s.admin_schools)
    if s.person_id is not None:
        current = Employment.objects.current().filter(person_id=s.person_id)
        q |= Q(teaching_assignments__person_id=s.person_id, pk__in=current.values("school_id"))
        q |= Q(pk__in=current.filter(position__in=LEADER_POSITIONS).values("school_id"))
    return School.objects.filter(pk__in=School.objects.filter(q).values("pk"))


def visible_classes(user, exam: Exam):
    """``ALL`` (None) for a reader of every class, else the set of (grade, class_no) the user teaches."""
    if reads_every_class(user, exam.school):
        return ALL
    return taught_classes(user, exam.school, exam.school_year)


def exams_for(user, school) -> QuerySet:
    """The school's exams the user may open (those of a school year they teach in, for a teacher)."""
    exams = Exam.objects.filter(school=school)
    if reads_every_class(user, school):
        return exams
    s = scopes.scope_of(user)
    if s.person_id is None or not Employment.objects.current().filter(person_id=s.person_id, school=school).exists():
        return exams.none()
    years = TeachingAssignment.objects.filter(school=school, person_id=s.person_id).values("school_year")
    return exams.filter(school_year__in=years)


def school_targets(school) -> QuerySet:
    return QualityTarget.objects.filter(school=school)


def exam_summary(exam: Exam) -> dict:
    """Per grade and subject of ``exam``: the classes reported and how many met each measure; per grade the
    classes meeting all six items of 六项达标. For year-end summaries (every class of the school)::

        {"exam": "期末", "grades": [{"grade": 3, "classes": 4, "six_met": 2,
          "subjects": [{"subject": "语文", "classes": 4, "met": {"average": 3, "excellent_rate": 2, "pass_rate": 4}}]}]}
    """
    lines = lines_of(exam.school)
    results = exam_results(exam, lines=lines, targets=Targets.of(exam.school))
    six = six_items(results, lines)
    grades: dict[int, dict] = {}
    for r in results:
        grade = grades.setdefault(r.grade, {"grade": r.grade, "classes": set(), "subjects": {}})
        grade["classes"].add(r.class_no)
        subject = grade["subjects"].setdefault(r.subject, {"subject": r.subject, "classes": 0, "met": dict.fromkeys(MEASURES, 0)})
        subject["classes"] += 1
        for measure in MEASURES:
            subject["met"][measure] += r.met[measure]
    out = []
    for number, grade in sorted(grades.items()):
        six_met = sum(1 for (g, _c), item in six.items() if g == number and item.met == len(lines.six_subjects) * len(MEASURES))
        out.append({"grade": number, "classes": len(grade["classes"]), "six_met": six_met,
                    "subjects": list(grade["subjects"].values())})
    return {"exam": exam.name, "grades": out}
