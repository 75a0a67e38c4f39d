"""The 质量监测 pages: who sees which classes, the table, the comparison, the export, the settings and targets."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .conftest_quality import add_scores, make_exam

pytestmark = pytest.mark.django_db

URL = reverse("routine:quality")
SETTINGS = reverse("routine:quality_settings")


@pytest.fixture
def exams(school):
    before, after = make_exam(school, "期中", kind="midterm"), make_exam(school, "期末")
    add_scores(before, 3, 1, "语文", [70, 80])
    add_scores(before, 3, 2, "语文", [90, 90])
    add_scores(after, 3, 1, "语文", [95, 85])  # 90 / 50% / 100%: average and pass met, excellent missed
    add_scores(after, 3, 1, "数学", [100, 90])  # all met
    add_scores(after, 3, 2, "语文", [60, "缺考"])
    add_scores(after, 3, 2, "英语", ["", ""])  # not taken
    return before, after


def _client(client, user):
    client.force_login(user)
    return client


def test_school_admin_sees_every_class_without_student_names(client, roles, exams):
    response = _client(client, roles.school_admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "三年级" in html and "三（1）班" in html and "三（2）班" in html and "英语" not in html
    assert "学生1" not in html
    assert "90.00" in html and "50.00%" in html and "100.00%" in html
    assert 'class="text-danger fw-bold">50.00%' in html and 'class="text-success">90.00' in html
    assert ">5/6<" in html  # 三（1）班: 语文 2 of 3, 数学 3 of 3
    assert reverse("routine:quality_settings") in html


def test_compare_lists_the_most_improved(client, roles, exams):
    before, after = exams
    response = _client(client, roles.school_admin).get(URL, {"exam": after.pk, "compare": before.pk})
    html = response.content.decode()
    assert "进步最快奖" in html and "75.00 → 90.00" in html  # 三（1）班 语文
    partial = client.get(URL, {"exam": before.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="quality-table">')
    assert "<body" not in partial and "75.00" in partial


def test_export(client, roles, exams):
    response = _client(client, roles.school_admin).get(URL, {"export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:9] == ("年级", "班级", "学科", "参考人数", "缺考", "免考", "平均分", "优秀率", "及格率")
    assert rows[1] == ("三年级", "三（1）班", "语文", 2, 0, 0, "90.00", "50.00%", "100.00%", "达标", "未达标", "达标", 5)
    assert rows[3][:6] == ("三年级", "三（2）班", "语文", 1, 1, 0)
    assert len(rows) == 4


def test_teacher_sees_only_the_classes_they_teach(client, roles, exams, school):
    from yanxiu.routine.models import TeachingAssignment

    TeachingAssignment.objects.create(school=school, school_year=2025, grade=3, class_no=2, subject="语文", person=roles.teacher.person)
    html = _client(client, roles.teacher).get(URL).content.decode()
    assert "三（2）班" in html and "三（1）班" not in html and "只显示您任教的班级" in html
    assert reverse("routine:quality_settings") not in html
    assert client.get(SETTINGS).status_code == 403


def test_leaders_and_region_staff_read_every_class(client, roles, exams, people, school):
    principal = people.teacher(school, username="principal", position="principal")
    html = _client(client, principal).get(URL).content.decode()
    assert "三（1）班" in html and "三（2）班" in html
    html = _client(client, roles.bureau).get(URL, {"school": school.pk}).content.decode()
    assert "三（1）班" in html


@pytest.mark.parametrize("who, status", [("member", 403), ("other_teacher", 403), ("presenter", 403)])
def test_others_are_refused(client, roles, exams, who, status):
    assert _client(client, getattr(roles, who)).get(URL).status_code == status


def test_school_of_another_is_404_and_bad_ids_400(client, roles, exams, school):
    c = _client(client, roles.other_admin)
    assert c.get(URL, {"school": school.pk}).status_code == 404
    assert c.get(SETTINGS, {"school": school.pk}).status_code == 404
    assert _client(client, roles.centre).get(SETTINGS, {"school": school.pk}).status_code == 403  # reads, does not manage
    assert _client(client, roles.far_bureau).get(URL, {"school": school.pk}).status_code == 404
    c = _client(client, roles.school_admin)
    assert c.get(URL, {"school": "abc"}).status_code == 400
    assert c.get(URL, {"exam": "999999", "compare": "x"}).status_code == 200  # junk picks the latest exam


def test_no_exam_yet(client, roles):
    html = _client(client, roles.school_admin).get(URL).content.decode()
    assert "本校还没有导入考试成绩" in html


def test_settings_page_and_preset(client, roles, school):
    from yanxiu.routine.models import QualitySettings, QualityTarget

    c = _client(client, roles.school_admin)
    html = c.get(SETTINGS).content.decode()
    assert "三年级" in html and "95.00%" in html  # the preset was applied on first use
    assert 'name="excellent_percent" value="90.0"' in html and 'value="语文"' in html
    response = c.post(SETTINGS, {"excellent_percent": "85", "pass_percent": "55", "subject_1": "语文", "subject_2": "英语"})
    assert response.status_code == 302
    row = QualitySettings.objects.get(school=school)
    assert (row.excellent_ratio, row.pass_ratio, row.six_subjects) == (Decimal("0.85"), Decimal("0.55"), ["语文", "英语"])
    response = c.post(SETTINGS, {"excellent_percent": "50", "pass_percent": "60", "subject_1": "语文", "subject_2": "英语"})
    assert response.status_code == 400 and "及格线不能高于优秀线" in response.content.decode()
    QualityTarget.objects.filter(school=school, grade=1).update(average=50)
    assert c.post(reverse("routine:quality_preset")).status_code == 302
    assert QualityTarget.objects.get(school=school, grade=1, subject="").average == 92


def test_targets_add_edit_delete(client, roles, school):
    from yanxiu.routine.models import QualityTarget

    c = _client(client, roles.school_admin)
    add = reverse("routine:quality_target_add")
    assert c.get(add).status_code == 200
    response = c.post(add, {"grade": "6", "subject": "数学", "excellent_percent": "70", "pass_percent": "90", "average": "85.5"})
    assert response.status_code == 302
    target = QualityTarget.objects.get(school=school, grade=6, subject="数学")
    assert (target.excellent_rate, target.pass_rate, target.average) == (Decimal("0.7"), Decimal("0.9"), Decimal("85.5"))
    edit = reverse("routine:quality_target_edit", args=[target.pk])
    assert 'name="excellent_percent" value="70.0"' in c.get(edit).content.decode()
    assert c.post(edit, {"grade": "6", "subject": "数学", "excellent_percent": "120", "pass_percent": "90",
                         "average": "85"}).status_code == 400
    assert c.post(edit, {"grade": "6", "subject": "数学", "excellent_percent": "75", "pass_percent": "90",
                         "average": "85"}).status_code == 302
    assert QualityTarget.objects.get(pk=target.pk).excellent_rate == Decimal("0.75")
    other = _client(client, roles.other_admin)
    assert other.get(edit).status_code == 404
    assert other.post(reverse("routine:quality_target_delete", args=[target.pk])).status_code == 404
    assert QualityTarget.objects.filter(pk=target.pk).exists()
    c = _client(client, roles.school_admin)
    assert c.post(reverse("routine:quality_target_delete", args=[target.pk])).status_code == 302
    assert not QualityTarget.objects.filter(pk=target.pk).exists()
    assert c.get(reverse("routine:quality_target_delete", args=[target.pk])).status_code == 405


def test_a_teacher_who_left_reads_nothing_of_the_old_school(client, roles, exams, school, school_b):
    import datetime as dt

    from yanxiu.org.models import Employment
    from yanxiu.routine.models import TeachingAssignment

    person = roles.teacher.person
    TeachingAssignment.objects.create(school=school, school_year=2025, grade=3, class_no=1, subject="语文", person=person)
    c = _client(client, roles.teacher)
    assert "三（1）班" in c.get(URL).content.decode()
    Employment.objects.filter(person=person).update(end_date=dt.date(2026, 2, 1))
    Employment.objects.create(person=person, school=school_b, start_date=dt.date(2026, 2, 2), stage="junior",
                              education="bachelor", teaching_since=dt.date(2008, 9, 1))
    assert c.get(URL).status_code == 403
    assert c.get(URL, {"school": school.pk}).status_code == 404
