"""学困生档案 and 任课 services and selectors: opening files from a final exam, the score
history, who sees which file and which name, plans, notes and teaching assignments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from .conftest_students import *  # noqa: F403
from .conftest_students import TODAY, YEAR, exam, scores

pytestmark = pytest.mark.django_db
D = Decimal


def _open(actor, exam_obj):
    from yanxiu.routine.services.students import student_files_open

    return student_files_open(actor=actor, exam=exam_obj)


# --- Opening files ------------------------------------------------------------------------


def test_final_exam_opens_a_file_per_student_under_pass_with_the_subjects(roles, exams, school):
    from yanxiu.core.models import AuditEvent
    from yanxiu.routine.models import StudentFile

    result = _open(roles.school_admin, exams.final)
    assert result == {"opened": 3, "updated": 0, "unchanged": 0}
    files = {(f.grade, f.class_no, f.student_name): f for f in StudentFile.objects.all()}
    # Absent and exempt are not under pass; 60 is the pass line itself; 59.5 is under it.
    assert set(files) == {(3, 1, "王小明"), (3, 1, "李小红"), (3, 2, "孙小丽")}
    assert files[(3, 1, "王小明")].subjects == ["语文"]
    assert files[(3, 1, "李小红")].subjects == ["语文", "数学"]
    f = files[(3, 2, "孙小丽")]
    assert (f.school_id, f.school_year, f.opened_from_id) == (school.pk, YEAR, exams.final.pk)
    row = AuditEvent.objects.get(action="routine.student_file_open")
    assert row.school_id == school.pk and row.detail["opened"] == 3
    assert "王小明" not in str(row.detail)  # student names stay out of the audit trail


def test_opening_twice_changes_nothing(roles, exams):
    from yanxiu.routine.models import StudentFile

    _open(roles.school_admin, exams.final)
    before = list(StudentFile.objects.order_by("pk").values_list("pk", "subjects", "support_plan"))
    assert _open(roles.school_admin, exams.final) == {"opened": 0, "updated": 0, "unchanged": 3}
    assert list(StudentFile.objects.order_by("pk").values_list("pk", "subjects", "support_plan")) == before


def test_a_second_final_of_the_year_adds_subjects_to_the_file_it_finds(roles, exams, school):
    from yanxiu.routine.models import StudentFile

    _open(roles.school_admin, exams.final)
    second = exam(school, "2026年春期末", "final", dt.date(2026, 6, 30), term=2)
    scores(second, [(3, 1, "王小明", "语文", 70), (3, 1, "王小明", "数学", 30), (3, 1, "新同学", "数学", 10)])
    assert _open(roles.school_admin, second) == {"opened": 1, "updated": 1, "unchanged": 0}
    wang = StudentFile.objects.get(student_name="王小明")
    assert wang.subjects == ["语文", "数学"] and wang.opened_from_id == exams.final.pk
    assert StudentFile.objects.get(student_name="新同学").opened_from_id == second.pk


def test_pass_line_follows_the_school_setting_and_the_full_marks(roles, school):
    from yanxiu.routine.models import QualitySettings, StudentFile

    QualitySettings.objects.create(school=school, pass_ratio=D("0.500"))
    e = exam(school, "期末（满分120）", "final", dt.date(2026, 1, 14), full_marks=D("120"))
    scores(e, [(4, 1, "甲", "语文", "59.5"), (4, 1, "乙", "语文", 60), (4, 1, "丙", "语文", 61)])
    _open(roles.school_admin, e)  # the line is 0.5 × 120 = 60
    assert list(StudentFile.objects.values_list("student_name", flat=True)) == ["甲"]


def test_only_a_final_exam_opens_files(roles, exams):
    from yanxiu.routine.models import StudentFile

    with pytest.raises(ValidationError) as exc:
        _open(roles.school_admin, exams.midterm)
    assert "期末" in exc.value.message_dict["exam"][0]
    assert not StudentFile.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "leader", "other_admin", "bureau"])
def test_only_the_school_admin_opens_files(roles, exams, who):
    with pytest.raises(PermissionDenied):
        _open(getattr(roles, who), exams.final)


# --- The history ------------------------------------------------------------------------------


def test_history_follows_the_student_over_the_three_exams(files, exams):
    from yanxiu.routine.student_selectors import score_history

    history = score_history(files["王小明"])
    assert [e.pk for e in history.exams] == [exams.monthly.pk, exams.midterm.pk, exams.final.pk]
    assert history.subjects == ["语文", "数学"]
    cells = [[c and (c["score"], c["status"]) for c in row] for _e, row in history.rows]
    assert cells == [[(None, "请假"), (D("72"), "")], [(D("45.5"), ""), (D("78"), "")], [(D("50"), ""), (D("80"), "")]]
    chart = history.chart()
    assert chart["categories"] == ["2025年10月月考", "2025年秋期中", "2025年秋期末"]
    assert chart["series"] == [{"name": "语文", "data": [None, 45.5, 50.0]}, {"name": "数学", "data": [72.0, 78.0, 80.0]}]
    assert history.lines[exams.final.pk] == D("60")
    assert [[c and c["below"] for c in row] for _e, row in history.rows] == [[False, False], [True, False], [True, False]]


def test_history_leaves_out_exams_the_student_did_not_sit_and_other_classes(files, exams):
    from yanxiu.routine.student_selectors import score_history

    li = score_history(files["李小红"])
    assert [e.pk for e in li.exams] == [exams.monthly.pk, exams.final.pk]
    sun = score_history(files["孙小丽"])  # 孙小丽 of 3（2）班: the mid-term and the final
    assert [e.pk for e in sun.exams] == [exams.midterm.pk, exams.final.pk]


# --- Who sees which file and which name -------------------------------------------------------


def _seen(user):
    from yanxiu.routine.student_selectors import file_list, shown_name

    return sorted(shown_name(f) for f in file_list(user))


def test_each_role_sees_its_files_with_names_in_full_or_masked(roles, files):
    assert _seen(roles.school_admin) == ["孙小丽", "李小红", "王小明"]
    assert _seen(roles.teacher) == ["李小红", "王小明"]  # 3（1）班 only
    assert _seen(roles.member) == ["孙小丽"]  # 3（2）班 only
    assert _seen(roles.leader) == ["孙**"]  # the group member's class, masked: the leader does not teach it
    assert _seen(roles.bureau) == ["孙**", "李**", "王**"]
    assert _seen(roles.centre) == ["孙**", "李**", "王**"]
    for who in ("other_teacher", "other_admin", "far_bureau", "presenter"):
        assert _seen(getattr(roles, who)) == [], who


def test_a_teacher_sees_a_class_only_in_the_school_year_they_teach_it(roles, files, school):
    from yanxiu.routine.services.students import teaching_set

    teaching_set(actor=roles.school_admin, school=school, school_year=YEAR + 1, grade=3, class_no=2, subject="语文",
                 person=roles.teacher.person)
    assert _seen(roles.teacher) == ["李小红", "王小明"]


def test_a_leader_who_left_the_group_member_no_longer_sees_the_class(roles, files, group):
    roles.member.person.employments.get().groups.remove(group)
    assert _seen(roles.leader) == []


def test_filters_by_grade_class_and_subject(roles, files):
    from yanxiu.routine.student_selectors import file_list, filter_files

    qs = file_list(roles.school_admin)
    names = lambda **kw: sorted(f.student_name for f in filter_files(qs, **kw))  # noqa: E731
    assert names(subject="数学") == ["李小红"]
    assert names(subject="语文") == ["孙小丽", "李小红", "王小明"]
    assert names(grade=3, class_no=2) == ["孙小丽"]
    assert names(grade=4) == []
    assert names(school_year=YEAR, subject="英语") == []


def test_mask_name():
    from yanxiu.routine.student_selectors import mask_name

    assert [mask_name(n) for n in ("张三", "张小明", "欧阳娜娜", "王", "")] == ["张*", "张**", "欧***", "王*", ""]


# --- Plans and notes -------------------------------------------------------------------------------


def test_plan_by_class_teacher_and_admin_not_by_others(roles, files):
    from yanxiu.routine.services.students import student_file_plan

    wang = files["王小明"]
    student_file_plan(actor=roles.teacher, file=wang, support_plan="每周二、四课后辅导朗读")
    wang.refresh_from_db()
    assert wang.support_plan == "每周二、四课后辅导朗读"
    student_file_plan(actor=roles.school_admin, file=wang, support_plan="家校联系")
    for who in ("member", "leader", "bureau", "other_admin"):
        with pytest.raises(PermissionDenied):
            student_file_plan(actor=getattr(roles, who), file=wang, support_plan="x")
    with pytest.raises(ValidationError) as exc:
        student_file_plan(actor=roles.teacher, file=wang, support_plan="字" * 2001)
    assert "辅导计划" in exc.value.message_dict["support_plan"][0]
    with pytest.raises(ValidationError):
        student_file_plan(actor=roles.teacher, file=wang, support_plan="   ")
    wang.refresh_from_db()
    assert wang.support_plan == "家校联系"


def test_notes_by_the_class_teacher_dated_and_bounded(roles, files):
    from yanxiu.core.models import AuditEvent
    from yanxiu.routine.models import StudentNote
    from yanxiu.routine.services.students import student_note_add

    wang = files["王小明"]
    note = student_note_add(actor=roles.teacher, file=wang, date=dt.date(2026, 3, 2), text="听写 20 个词语，错 3 个",
                            today=TODAY)
    assert note.author_id == roles.teacher.person.pk
    assert AuditEvent.objects.filter(action="routine.student_note", target_id=str(note.pk)).count() == 1
    bad = [({"date": dt.date(2026, 3, 11)}, "date"), ({"date": dt.date(2024, 12, 31)}, "date"), ({"text": " "}, "text"),
           ({"text": "字" * 2001}, "text"), ({"date": "2026-03-01"}, "date")]
    for change, field in bad:
        kwargs = {"date": dt.date(2026, 3, 2), "text": "辅导", **change}
        with pytest.raises(ValidationError) as exc:
            student_note_add(actor=roles.teacher, file=wang, today=TODAY, **kwargs)
        assert field in exc.value.message_dict, change
    for who in ("member", "leader", "bureau", "other_teacher"):
        with pytest.raises(PermissionDenied):
            student_note_add(actor=getattr(roles, who), file=wang, date=dt.date(2026, 3, 2), text="x", today=TODAY)
    assert StudentNote.objects.count() == 1


# --- 任课 ------------------------------------------------------------------------------------------


def test_teaching_set_creates_changes_and_removes(roles, school):
    from yanxiu.core.models import AuditEvent
    from yanxiu.routine.models import TeachingAssignment
    from yanxiu.routine.services.students import teaching_set

    key = {"school": school, "school_year": YEAR, "grade": 2, "class_no": 3, "subject": " 数学 "}
    a = teaching_set(actor=roles.school_admin, person=roles.teacher.person, **key)
    assert (a.subject, a.person_id) == ("数学", roles.teacher.person.pk)
    b = teaching_set(actor=roles.school_admin, person=roles.member.person, **key)
    assert b.pk == a.pk and TeachingAssignment.objects.get().person_id == roles.member.person.pk
    assert teaching_set(actor=roles.school_admin, person=None, **key) is None
    assert not TeachingAssignment.objects.exists()
    rows = list(AuditEvent.objects.filter(action="routine.teaching_set").order_by("pk").values_list("detail", flat=True))
    assert [r["person"] for r in rows] == [roles.teacher.person.pk, roles.member.person.pk, None]
    assert rows[1]["before"] == roles.teacher.person.pk


@pytest.mark.parametrize("change, field", [
    ({"grade": 13}, "grade"), ({"grade": 0}, "grade"), ({"class_no": 0}, "class_no"), ({"class_no": 100}, "class_no"),
    ({"school_year": 1949}, "school_year"), ({"school_year": 2101}, "school_year"), ({"grade": "三"}, "grade"),
    ({"subject": ""}, "subject"), ({"subject": "学" * 31}, "subject"),
])
def test_teaching_set_refuses_bad_input_naming_the_field(roles, school, change, field):
    from yanxiu.routine.models import TeachingAssignment
    from yanxiu.routine.services.students import teaching_set

    kwargs = {"school": school, "school_year": YEAR, "grade": 2, "class_no": 3, "subject": "数学",
              "person": roles.teacher.person, **change}
    with pytest.raises(ValidationError) as exc:
        teaching_set(actor=roles.school_admin, **kwargs)
    assert field in exc.value.message_dict
    assert not TeachingAssignment.objects.exists()


def test_teaching_set_refuses_other_schools_teachers_and_other_roles(roles, school):
    from yanxiu.routine.services.students import teaching_set

    kwargs = {"school": school, "school_year": YEAR, "grade": 2, "class_no": 3, "subject": "数学"}
    with pytest.raises(ValidationError) as exc:
        teaching_set(actor=roles.school_admin, person=roles.other_teacher.person, **kwargs)
    assert "李老师" in exc.value.message_dict["person"][0]
    with pytest.raises(ValidationError):  # nothing to remove
        teaching_set(actor=roles.school_admin, person=None, **kwargs)
    for who in ("teacher", "leader", "other_admin", "bureau"):
        with pytest.raises(PermissionDenied):
            teaching_set(actor=getattr(roles, who), person=roles.teacher.person, **kwargs)


def test_teaching_grid_lists_classes_and_subjects_from_assignments_and_scores(roles, exams, teaching, school):
    from yanxiu.routine.student_selectors import teaching_grid

    grid = teaching_grid(school, YEAR)
    assert grid.classes == [(3, 1), (3, 2)] and grid.subjects == ["语文", "数学"] and grid.count == 2
    (g1, c1, label1, cells1), (_g2, _c2, label2, cells2) = grid.rows
    assert (g1, c1, label1, label2) == (3, 1, "三（1）班", "三（2）班")
    assert [(s, a and a.person.name) for s, a in cells1] == [("语文", "张老师"), ("数学", None)]
    assert [(s, a and a.person.name) for s, a in cells2] == [("语文", None), ("数学", "组员")]
    assert teaching_grid(school, YEAR + 1).rows == []
