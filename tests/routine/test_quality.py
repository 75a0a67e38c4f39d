"""质量监测 measures: counts, exact averages and rates, lines, targets, 六项达标, 进步最快奖, the summary."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yanxiu.routine.quality import (Lines, Targets, class_label, exam_results, lines_of, most_improved, shown_average,
                                    shown_rate, six_items)

from .conftest_quality import add_scores, exam, make_exam  # noqa: F401

pytestmark = pytest.mark.django_db


def _by(results):
    return {(r.grade, r.class_no, r.subject): r for r in results}


def test_labels():
    assert class_label(3, 2) == "三（2）班"
    assert class_label(1, 12) == "一（12）班"
    assert class_label(10, 1) == "十（1）班"
    assert class_label(12, 3) == "十二（3）班"
    assert shown_average(Decimal(170) / 3) == "56.67"
    assert shown_rate(Decimal(2) / 3) == "66.67%"
    assert shown_rate(None) == "—"


def test_counts_averages_and_rates_are_exact(exam):
    add_scores(exam, 3, 1, "语文", [95, 89.5, 90, 59.5, 60, "缺考", "请假", "", "免考"])
    r = _by(exam_results(exam))[(3, 1, "语文")]
    assert (r.counted, r.absent, r.exempt) == (5, 3, 1)
    assert r.average == Decimal("394") / 5 == Decimal("78.8")
    assert r.excellent_rate == Decimal(2) / 5  # 95 and 90; 89.5 is below the line
    assert r.pass_rate == Decimal(4) / 5  # 59.5 is below 60
    add_scores(exam, 3, 2, "语文", [100, 90, 80])
    r2 = _by(exam_results(exam))[(3, 2, "语文")]
    assert r2.excellent_rate == Decimal(2) / Decimal(3)
    assert r2.average == Decimal(90)


def test_all_absent_class_has_no_values_and_meets_nothing(exam, school):
    from yanxiu.routine.services.quality import quality_first_use

    quality_first_use(school=school)
    add_scores(exam, 3, 3, "数学", ["缺考", "请假", "缺考"])
    r = _by(exam_results(exam))[(3, 3, "数学")]
    assert (r.counted, r.absent, r.exempt) == (0, 3, 0)
    assert r.average is None and r.excellent_rate is None and r.pass_rate is None
    assert r.met == {"average": False, "excellent_rate": False, "pass_rate": False}
    assert r.as_json()["average"] is None and r.as_json()["pass_rate"] is None


def test_subject_a_class_does_not_take_is_not_reported(exam):
    add_scores(exam, 4, 1, "英语", ["", "", ""])
    add_scores(exam, 4, 1, "语文", [80, "", 70])
    add_scores(exam, 4, 2, "英语", [88, ""])
    add_scores(exam, 4, 3, "英语", ["免考", ""])
    found = _by(exam_results(exam))
    assert (4, 1, "英语") not in found
    assert found[(4, 1, "语文")].absent == 1
    assert found[(4, 2, "英语")].counted == 1
    exempt = found[(4, 3, "英语")]  # exempt is a word, not an empty column: reported, counted apart
    assert (exempt.counted, exempt.absent, exempt.exempt) == (0, 1, 1)


def test_custom_lines_and_full_marks(school):
    from yanxiu.routine.services.quality import quality_settings_set

    admin = _admin(school)
    quality_settings_set(actor=admin, school=school, excellent_ratio="0.85", pass_ratio="0.5", six_subjects=["语文", "英语"])
    exam = make_exam(school, "月考", full_marks=120)
    add_scores(exam, 5, 1, "数学", [102, 101.5, 60, 59.5])  # lines: 102 and 60 of 120
    r = exam_results(exam)[0]
    assert r.excellent_rate == Decimal(1) / 4
    assert r.pass_rate == Decimal(3) / 4
    assert lines_of(school) == Lines(Decimal("0.850"), Decimal("0.500"), ("语文", "英语"))


def _admin(school):
    from yanxiu.accounts.models import RoleAssignment, User

    user = User.objects.create_user(username=f"qa{school.pk}", password="x")
    RoleAssignment.objects.create(user=user, role="school_admin", school=school)
    return user


def test_targets_by_grade_and_subject(exam, school):
    from yanxiu.routine.services.quality import quality_first_use, quality_target_set

    quality_first_use(school=school)  # the seed's preset: grade 3 at 80% / 95% / 90
    admin = _admin(school)
    quality_target_set(actor=admin, school=school, grade=3, subject="数学", average="85", excellent_rate="0.5", pass_rate="1")
    add_scores(exam, 3, 1, "语文", [90] * 15 + [100] * 4 + [50])  # average 90, pass 19/20: each exactly at the target
    add_scores(exam, 3, 1, "数学", [90, 80, 100, 85])
    found = _by(exam_results(exam))
    chinese, maths = found[(3, 1, "语文")], found[(3, 1, "数学")]
    assert chinese.average == Decimal(90)
    assert chinese.pass_rate == Decimal("0.95")
    assert chinese.met == {"average": True, "excellent_rate": True, "pass_rate": True}  # at the target meets it
    assert maths.average == Decimal("88.75") and maths.pass_rate == 1
    assert maths.met == {"average": True, "excellent_rate": True, "pass_rate": True}  # the subject's own target
    add_scores(exam, 6, 1, "语文", [100])
    assert _by(exam_results(exam))[(6, 1, "语文")].met == {"average": False, "excellent_rate": False, "pass_rate": False}


def test_six_items(exam, school):
    from yanxiu.routine.services.quality import quality_first_use

    quality_first_use(school=school)  # grade 1: 85% / 100% / 92
    add_scores(exam, 1, 1, "语文", [95, 93, 92, 100])  # all three met
    add_scores(exam, 1, 1, "数学", [95, 70])  # average 82.5, excellent 50%, pass 100%: one met
    add_scores(exam, 1, 2, "语文", [100, 100])  # 数学 missing: three of six at most
    add_scores(exam, 1, 1, "英语", [10])  # not one of the six
    lines = lines_of(school)
    six = six_items(exam_results(exam), lines)
    assert six[(1, 1)].met == 4
    assert six[(1, 1)].items[("数学", "pass_rate")] is True
    assert six[(1, 2)].met == 3


def test_most_improved_with_ties_and_only_rises(school):
    before, after = make_exam(school, "期中"), make_exam(school, "期末")
    add_scores(before, 3, 1, "数学", [80, 60])  # 70, pass 1
    add_scores(before, 3, 2, "数学", [70, 50])  # 60, pass 0.5
    add_scores(before, 3, 3, "数学", [90, 90])  # 90
    add_scores(before, 4, 1, "数学", [90])
    add_scores(after, 3, 1, "数学", [90, 70])  # 80: +10
    add_scores(after, 3, 2, "数学", [80, 60])  # 70: +10, pass +0.5
    add_scores(after, 3, 3, "数学", [85, 85])  # fell
    add_scores(after, 3, 4, "数学", [100])  # no earlier result
    add_scores(after, 4, 1, "数学", [80])  # fell: no award in grade 4
    lines, targets = lines_of(school), Targets.of(school)
    found = most_improved(exam_results(after, lines=lines, targets=targets), exam_results(before, lines=lines, targets=targets))
    keyed = {(i.grade, i.subject, i.measure): i for i in found}
    assert set(keyed) == {(3, "数学", "average"), (3, "数学", "excellent_rate"), (3, "数学", "pass_rate")}
    assert [c["class"] for c in keyed[(3, "数学", "excellent_rate")].classes] == ["三（1）班"]  # 0 → 0.5
    tie = keyed[(3, "数学", "average")].classes
    assert [c["class"] for c in tie] == ["三（1）班", "三（2）班"]
    assert tie[0] == {"class": "三（1）班", "before": Decimal(70), "after": Decimal(80), "rise": Decimal(10)}
    assert [c["class"] for c in keyed[(3, "数学", "pass_rate")].classes] == ["三（2）班"]
    line = keyed[(3, "数学", "pass_rate")].as_json()
    assert line == {"most_improved": {"grade": 3, "subject": "数学", "measure": "pass_rate",
                                      "classes": [{"class": "三（2）班", "before": 0.5, "after": 1.0, "rise": 0.5}]}}


def test_exam_summary(exam, school):
    from yanxiu.routine.quality_selectors import exam_summary
    from yanxiu.routine.services.quality import quality_first_use

    quality_first_use(school=school)
    add_scores(exam, 1, 1, "语文", [100])
    add_scores(exam, 1, 1, "数学", [100])
    add_scores(exam, 1, 2, "语文", [100])
    add_scores(exam, 1, 2, "数学", [50])
    summary = exam_summary(exam)
    assert summary == {"exam": "期末", "grades": [{"grade": 1, "classes": 2, "six_met": 1, "subjects": [
        {"subject": "语文", "classes": 2, "met": {"average": 2, "excellent_rate": 2, "pass_rate": 2}},
        {"subject": "数学", "classes": 2, "met": {"average": 1, "excellent_rate": 1, "pass_rate": 1}}]}]}


def test_teacher_sees_the_classes_they_teach(exam, school, roles):
    from yanxiu.routine.models import TeachingAssignment
    from yanxiu.routine.quality_selectors import visible_classes

    TeachingAssignment.objects.create(school=school, school_year=exam.school_year, grade=3, class_no=2, subject="数学",
                                      person=roles.teacher.person)
    add_scores(exam, 3, 1, "数学", [80])
    add_scores(exam, 3, 2, "数学", [90])
    add_scores(exam, 3, 2, "语文", [70])
    classes = visible_classes(roles.teacher, exam)
    assert classes == {(3, 2)}
    assert [(r.class_no, r.subject) for r in exam_results(exam, classes=classes)] == [(2, "语文"), (2, "数学")]
    assert visible_classes(roles.school_admin, exam) is None
    assert visible_classes(roles.member, exam) == set()


# --- Services ---------------------------------------------------------------------------------------


def test_first_use_applies_the_preset_once(school):
    from yanxiu.core.models import AuditEvent
    from yanxiu.routine.models import QualitySettings, QualityTarget
    from yanxiu.routine.services.quality import quality_first_use

    assert quality_first_use(school=school) is not None
    assert quality_first_use(school=school) is None
    settings = QualitySettings.objects.get(school=school)
    assert settings.six_subjects == ["语文", "数学"] and settings.excellent_ratio == Decimal("0.9")
    rows = {t.grade: (t.excellent_rate, t.pass_rate, t.average) for t in QualityTarget.objects.filter(school=school)}
    assert rows == {1: (Decimal("0.85"), 1, 92), 2: (Decimal("0.85"), 1, 92), 3: (Decimal("0.8"), Decimal("0.95"), 90),
                    4: (Decimal("0.8"), Decimal("0.95"), 90), 5: (Decimal("0.8"), Decimal("0.95"), 90)}
    assert AuditEvent.objects.filter(action="routine.quality_set", school_id=school.pk).count() == 1


def test_settings_and_targets_are_checked(school, school_b):
    from yanxiu.routine.models import QualityTarget
    from yanxiu.routine.services.quality import (quality_preset_apply, quality_settings_set, quality_target_delete,
                                                 quality_target_set)

    admin, other = _admin(school), _admin(school_b)
    with pytest.raises(PermissionDenied):
        quality_settings_set(actor=other, school=school, excellent_ratio="0.9", pass_ratio="0.6", six_subjects=["语文", "数学"])
    with pytest.raises(ValidationError) as err:
        quality_settings_set(actor=admin, school=school, excellent_ratio="0.5", pass_ratio="0.6", six_subjects=["语文", "数学"])
    assert "pass_ratio" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        quality_settings_set(actor=admin, school=school, excellent_ratio="0.9", pass_ratio="0.6", six_subjects=["语文", "语文"])
    assert "six_subjects" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        quality_target_set(actor=admin, school=school, grade=13, average="90", excellent_rate="0.8", pass_rate="0.9")
    assert "grade" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        quality_target_set(actor=admin, school=school, grade=3, average="90", excellent_rate="1.2", pass_rate="0.9")
    assert "excellent_rate" in err.value.message_dict
    with pytest.raises(ValidationError):
        quality_target_set(actor=admin, school=school, grade=3, average="abc", excellent_rate="0.8", pass_rate="0.9")
    t = quality_target_set(actor=admin, school=school, grade=3, average="88", excellent_rate="0.7", pass_rate="0.9")
    again = quality_target_set(actor=admin, school=school, grade=3, average="89", excellent_rate="0.7", pass_rate="0.9")
    assert again.pk == t.pk and QualityTarget.objects.get(pk=t.pk).average == 89
    quality_preset_apply(actor=admin, school=school)
    assert QualityTarget.objects.get(pk=t.pk).average == 90
    with pytest.raises(PermissionDenied):
        quality_target_delete(actor=other, target=t)
    quality_target_delete(actor=admin, target=t)
    assert not QualityTarget.objects.filter(pk=t.pk).exists()
