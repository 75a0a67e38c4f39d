"""学困生档案 and 任课 pages: the list, a file, opening files, plans and notes, the 任课 grid and form;
who may open what, and where a student's name is shown in full."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse

from .conftest_students import *  # noqa: F403
from .conftest_students import YEAR

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


# --- The list -----------------------------------------------------------------------------


def test_teacher_lists_their_class_with_full_names_only(client, roles, files):
    body = _text(_as(client, roles.teacher).get(reverse("routine:student_files")))
    assert "王小明" in body and "李小红" in body
    assert "孙小丽" not in body and "孙**" not in body
    assert "从期末考试建档" not in body


def test_leader_and_bureau_read_masked_names(client, roles, files):
    body = _text(_as(client, roles.leader).get(reverse("routine:student_files")))
    assert "孙**" in body and "孙小丽" not in body
    assert "王小明" not in body and "王**" not in body
    body = _text(_as(client, roles.bureau).get(reverse("routine:student_files")))
    for masked, full in (("孙**", "孙小丽"), ("李**", "李小红"), ("王**", "王小明")):
        assert masked in body and full not in body


def test_admin_lists_every_file_filters_and_opens(client, roles, files):
    c = _as(client, roles.school_admin)
    body = _text(c.get(reverse("routine:student_files")))
    assert all(n in body for n in ("王小明", "李小红", "孙小丽")) and "从期末考试建档" in body
    body = _text(c.get(reverse("routine:student_files"), {"subject": "数学"}))
    assert "李小红" in body and "王小明" not in body and "孙小丽" not in body
    body = _text(c.get(reverse("routine:student_files"), {"grade": "3", "class_no": "2"}))
    assert "孙小丽" in body and "李小红" not in body


def test_export_masks_names_for_a_reader_who_does_not_teach_the_class(client, roles, files):
    from openpyxl import load_workbook

    response = _as(client, roles.bureau).get(reverse("routine:student_files"), {"export": "xlsx"})
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "王**" in values and "王小明" not in values
    response = _as(client, roles.school_admin).get(reverse("routine:student_files"), {"export": "xlsx"})
    values = [str(v) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for v in row]
    assert "王小明" in values


@pytest.mark.parametrize("query", [{"grade": "abc"}, {"grade": "99"}, {"class_no": "-1"}, {"school_year": "1" * 40},
                                   {"subject": "学" * 500}, {"page": "x"}, {"sort": "student"}])
def test_list_survives_hostile_filters(client, roles, files, query):
    assert _as(client, roles.school_admin).get(reverse("routine:student_files"), query).status_code == 200


def test_list_refuses_a_presenter_and_sends_visitors_to_login(client, roles):
    assert client.get(reverse("routine:student_files")).status_code == 302
    assert _as(client, roles.presenter).get(reverse("routine:student_files")).status_code == 403


# --- One file ---------------------------------------------------------------------------------


def test_file_page_shows_the_history_table_and_chart_data(client, roles, files):
    wang = files["王小明"]
    response = _as(client, roles.teacher).get(reverse("routine:student_file", args=[wang.pk]))
    body = _text(response)
    assert response.status_code == 200 and "王小明" in body and "三（1）班" in body
    assert "2025年10月月考" in body and "请假" in body and "45.5" in body
    assert re.search(r'text-danger[^>]*>45\.5<', body) and not re.search(r'text-danger[^>]*>78<', body)
    chart = json.loads(re.search(r'<script id="score-chart" type="application/json">(.*?)</script>', body, re.S).group(1))
    assert chart["series"][0] == {"name": "语文", "data": [None, 45.5, 50.0]}
    assert 'data-chart="line"' in body and "routine/score_chart.js" in body
    assert reverse("routine:student_note_add", args=[wang.pk]) in body
    assert reverse("routine:student_file_plan", args=[wang.pk]) in body


def test_file_page_masks_the_name_for_the_bureau_and_offers_no_forms(client, roles, files):
    body = _text(_as(client, roles.bureau).get(reverse("routine:student_file", args=[files["王小明"].pk])))
    assert "王**" in body and "王小明" not in body
    assert "/plan/" not in body and "/notes/new/" not in body


@pytest.mark.parametrize("who", ["member", "leader", "other_teacher", "other_admin", "far_bureau", "presenter"])
def test_a_file_outside_the_readers_classes_is_not_found(client, roles, files, who):
    assert _as(client, getattr(roles, who)).get(reverse("routine:student_file", args=[files["王小明"].pk])).status_code == 404


def test_leader_reads_the_group_members_class_masked(client, roles, files):
    body = _text(_as(client, roles.leader).get(reverse("routine:student_file", args=[files["孙小丽"].pk])))
    assert "孙**" in body and "孙小丽" not in body and "/notes/new/" not in body


def test_teacher_writes_the_plan_and_a_note(client, roles, files):
    from yanxiu.routine.models import StudentNote

    wang = files["王小明"]
    c = _as(client, roles.teacher)
    assert c.get(reverse("routine:student_file_plan", args=[wang.pk])).status_code == 200
    response = c.post(reverse("routine:student_file_plan", args=[wang.pk]), {"support_plan": "每天课后十分钟朗读"})
    assert response.status_code == 302
    wang.refresh_from_db()
    assert wang.support_plan == "每天课后十分钟朗读"
    today = dt.date.today().isoformat()
    response = c.post(reverse("routine:student_note_add", args=[wang.pk]), {"date": today, "text": "朗读有进步"})
    assert response.status_code == 302 and StudentNote.objects.get().text == "朗读有进步"
    body = _text(c.get(reverse("routine:student_file", args=[wang.pk])))
    assert "每天课后十分钟朗读" in body and "朗读有进步" in body and "张老师" in body


def test_note_form_names_the_bad_field(client, roles, files):
    from yanxiu.routine.models import StudentNote

    wang = files["王小明"]
    response = _as(client, roles.teacher).post(reverse("routine:student_note_add", args=[wang.pk]),
                                              {"date": "2099-01-01", "text": "x"})
    assert response.status_code == 400 and "辅导日期不能晚于今天" in _text(response)
    assert not StudentNote.objects.exists()


def test_others_may_not_write_plans_or_notes(client, roles, files):
    wang, sun = files["王小明"], files["孙小丽"]
    assert _as(client, roles.bureau).post(reverse("routine:student_file_plan", args=[wang.pk]), {"support_plan": "x"}).status_code == 403
    assert _as(client, roles.leader).post(reverse("routine:student_note_add", args=[sun.pk]),
                                          {"date": "2026-01-20", "text": "x"}).status_code == 403
    assert _as(client, roles.member).get(reverse("routine:student_note_add", args=[wang.pk])).status_code == 404


# --- Opening files ------------------------------------------------------------------------------


def test_admin_opens_files_from_the_final_exam_page(client, roles, exams, teaching):
    from yanxiu.routine.models import StudentFile

    c = _as(client, roles.school_admin)
    body = _text(c.get(reverse("routine:student_files_open")))
    assert "2025年秋期末" in body and "2025年秋期中" not in body  # only final exams are offered
    response = c.post(reverse("routine:student_files_open"), {"exam": exams.final.pk}, follow=True)
    assert "新建档案 3 份" in _text(response)
    assert StudentFile.objects.count() == 3
    response = c.post(reverse("routine:student_files_open"), {"exam": exams.midterm.pk})
    assert response.status_code == 400


@pytest.mark.parametrize("who, status", [("teacher", 403), ("leader", 403), ("bureau", 403), ("other_admin", 400)])
def test_others_may_not_open_files(client, roles, exams, who, status):
    from yanxiu.routine.models import StudentFile

    c = _as(client, getattr(roles, who))
    assert c.post(reverse("routine:student_files_open"), {"exam": exams.final.pk}).status_code == status
    assert not StudentFile.objects.exists()  # another school's admin is offered only their own school's exams


# --- 任课 ---------------------------------------------------------------------------------------


def test_teaching_page_shows_the_grid_and_sets_a_teacher(client, roles, files, school):
    from yanxiu.routine.models import TeachingAssignment

    c = _as(client, roles.school_admin)
    body = _text(c.get(reverse("routine:teaching"), {"year": YEAR}))
    assert "三（1）班" in body and "三（2）班" in body and "张老师" in body and "组员" in body
    form_url = reverse("routine:teaching_set")
    body = _text(c.get(form_url, {"year": YEAR, "grade": "3", "class_no": "1", "subject": "语文"}))
    assert f'value="{roles.teacher.person.pk}" selected' in body
    response = c.post(f"{form_url}?year={YEAR}", {"school_year": YEAR, "grade": 3, "class_no": 2, "subject": "语文",
                                                  "person": roles.teacher.person.pk})
    assert response.status_code == 302 and f"year={YEAR}" in response["Location"]
    assert TeachingAssignment.objects.filter(grade=3, class_no=2, subject="语文", person=roles.teacher.person).exists()
    body = _text(_as(client, roles.teacher).get(reverse("routine:student_files")))
    assert "孙小丽" in body  # teaching 3（2）班 now, the teacher reads its file


def test_teaching_form_reports_bad_input(client, roles, school):
    from yanxiu.routine.models import TeachingAssignment

    c = _as(client, roles.school_admin)
    response = c.post(reverse("routine:teaching_set"), {"school_year": YEAR, "grade": 13, "class_no": 1, "subject": "语文",
                                                        "person": roles.teacher.person.pk})
    assert response.status_code == 400 and "年级" in _text(response)
    response = c.post(reverse("routine:teaching_set"), {"school_year": YEAR, "grade": 1, "class_no": 1, "subject": "语文",
                                                        "person": roles.other_teacher.person.pk})
    assert response.status_code == 400
    assert not TeachingAssignment.objects.exists()


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "1" * 30}, {"grade": "-1", "class_no": "x" * 200},
                                   {"school": "999999999"}, {"subject": "\x00"}])
def test_teaching_pages_refuse_or_ignore_hostile_parameters(client, roles, query):
    c = _as(client, roles.school_admin)
    assert c.get(reverse("routine:teaching"), query).status_code in (200, 400)
    assert c.get(reverse("routine:teaching_set"), query).status_code in (200, 400)


@pytest.mark.parametrize("who", ["teacher", "leader", "member", "bureau", "centre", "presenter"])
def test_teaching_pages_are_for_the_school_admin(client, roles, who):
    c = _as(client, getattr(roles, who))
    assert c.get(reverse("routine:teaching")).status_code == 403
    assert c.get(reverse("routine:teaching_set")).status_code == 403
