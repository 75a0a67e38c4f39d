"""Collective preparation pages per role: the weekly grid and its export, a group's list, the forms, the detail, the plan."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from yanxiu.org.models import Group
from yanxiu.routine import prep_selectors as selectors
from yanxiu.routine.models import CollectivePrep, SecondPrep
from yanxiu.routine.services.preps import prep_record, second_prep_save

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _as(client, user):
    client.force_login(user)
    return client


def _prep(roles, group, *, date=None, minutes=60, plan=False):
    return prep_record(actor=roles.leader, group=group, date=date or timezone.localdate(), minutes=minutes, subject="语文",
                       grade_name="三年级", lesson="《秋天的雨》", lead=roles.leader.person, discussion="研讨比喻句",
                       plan_file=SimpleUploadedFile("教案.pdf", PDF) if plan else None)


def _post_data(roles, **extra):
    member, leader = roles.member.person, roles.leader.person
    return {"date": timezone.localdate().isoformat(), "minutes": "120", "subject": "语文", "grade_name": "三年级",
            "lesson": "《去年的树》", "lead": str(member.pk), "discussion": "重点讨论朗读指导",
            f"present_{member.pk}": "on", f"note_{leader.pk}": "外出学习", **extra}


def _term_query(day: dt.date) -> dict:
    return {"year": str(day.year if day.month >= 9 else day.year - 1), "term": "1" if day.month >= 9 or day.month == 1 else "2"}


# --- The grid ---------------------------------------------------------------------------------


def test_the_grid_shows_met_missing_and_in_progress(client, roles, school, group):
    today = timezone.localdate()
    _prep(roles, group, minutes=90)
    html = _as(client, roles.school_admin).get(reverse("routine:preps"), _term_query(today)).content.decode()
    assert "语文组" in html and 'data-status="in_progress"' in html and reverse("routine:prep_add", args=[group.pk]) in html
    span, weeks, rows = selectors.weekly_grid(school, *map(int, _term_query(today).values()), [group], today=today)
    if any(w.end < today for w in weeks):
        assert 'data-status="missing"' in html and "table-danger" in html


def test_the_grid_export_writes_each_group_and_week(client, roles, school, group):
    _prep(roles, group, minutes=120)
    response = _as(client, roles.school_admin).get(reverse("routine:preps"), {**_term_query(timezone.localdate()), "export": "xlsx"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "教研组/备课组" and rows[0][1].startswith("第1周")
    chinese = next(r for r in rows if r[0] == "语文组")
    assert "已达标 120" in chinese


def test_a_leader_sees_only_their_groups_on_the_grid(client, roles, school, group):
    Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    html = _as(client, roles.leader).get(reverse("routine:preps")).content.decode()
    assert "语文组" in html and "数学组" not in html
    html = _as(client, roles.school_admin).get(reverse("routine:preps")).content.decode()
    assert "语文组" in html and "数学组" in html


def test_the_grid_reads_the_same_queries_however_many_groups(client, roles, school, group, django_assert_max_num_queries):
    client = _as(client, roles.school_admin)
    client.get(reverse("routine:preps"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("routine:preps"))
    for name in ("数学组", "英语组", "科学组"):
        Group.objects.create(school=school, name=name, kind="research", subject=name[:2])
    with django_assert_max_num_queries(len(one)):
        assert client.get(reverse("routine:preps")).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("teacher", 403), ("member", 403), ("presenter", 403), ("bureau", 200), ("centre", 200)])
def test_who_reads_the_grid(client, roles, role, status):
    assert _as(client, getattr(roles, role)).get(reverse("routine:preps")).status_code == status


def test_another_schools_grid_is_404_and_bad_parameters_are_400(client, roles, school_b):
    client = _as(client, roles.school_admin)
    assert client.get(reverse("routine:preps"), {"school": school_b.pk}).status_code == 404
    assert client.get(reverse("routine:preps"), {"term": "3"}).status_code == 400
    assert client.get(reverse("routine:preps"), {"year": "99999"}).status_code == 400
    assert client.get(reverse("routine:preps"), {"school": "abc"}).status_code == 400


# --- A group's list, the forms ------------------------------------------------------------------------


def test_group_list_for_members_and_managers_not_outsiders(client, roles, group, school_b):
    _prep(roles, group)
    url = reverse("routine:prep_group", args=[group.pk])
    for role in ("leader", "member", "school_admin", "bureau"):
        assert _as(client, getattr(roles, role)).get(url).status_code == 200, role
    for role in ("teacher", "other_admin", "other_teacher", "far_bureau"):
        assert _as(client, getattr(roles, role)).get(url).status_code == 404, role
    html = _as(client, roles.member).get(url).content.decode()
    assert "《秋天的雨》" in html and reverse("routine:prep_add", args=[group.pk]) not in html


def test_the_leader_records_through_the_form(client, roles, group):
    url = reverse("routine:prep_add", args=[group.pk])
    client = _as(client, roles.leader)
    assert client.get(url).status_code == 200
    response = client.post(url, {**_post_data(roles), "plan_file": SimpleUploadedFile("教案.pdf", PDF)})
    prep = CollectivePrep.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("routine:prep_detail", args=[prep.pk])
    assert prep.lead == roles.member.person and prep.minutes == 120 and prep.plan_name == "教案.pdf"
    absent = prep.attendance.get(present=False)
    assert absent.person == roles.leader.person and absent.note == "外出学习"


def test_the_form_shows_the_problem_and_keeps_nothing(client, roles, group):
    client = _as(client, roles.leader)
    url = reverse("routine:prep_add", args=[group.pk])
    response = client.post(url, _post_data(roles, minutes="600"))
    assert response.status_code == 400 and "时长（分钟）" in response.content.decode()
    response = client.post(url, {**_post_data(roles), "plan_file": SimpleUploadedFile("教案.pdf", b"<html>")})
    assert response.status_code == 400 and "不是有效的PDF文件" in response.content.decode()
    response = client.post(url, _post_data(roles, **{f"present_{roles.member.person.pk}": ""}))
    assert response.status_code == 400 and "主备人须出席" in response.content.decode()
    assert not CollectivePrep.objects.exists()


def test_a_leader_of_another_group_gets_404_a_member_403(client, roles, school, group, people):
    other = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    other_leader = people.role("group_leader", username="mathleader", group=other, person_school=school)
    prep = _prep(roles, group)
    assert _as(client, other_leader).get(reverse("routine:prep_add", args=[group.pk])).status_code == 404
    assert _as(client, other_leader).post(reverse("routine:prep_edit", args=[prep.pk]), _post_data(roles)).status_code == 404
    assert _as(client, other_leader).get(reverse("routine:prep_detail", args=[prep.pk])).status_code == 404
    assert _as(client, roles.member).get(reverse("routine:prep_add", args=[group.pk])).status_code == 403
    assert _as(client, roles.member).post(reverse("routine:prep_edit", args=[prep.pk]), _post_data(roles)).status_code == 403
    assert _as(client, roles.other_admin).get(reverse("routine:prep_edit", args=[prep.pk])).status_code == 404
    assert CollectivePrep.objects.get().lesson == "《秋天的雨》"


def test_the_edit_form_starts_from_the_record(client, roles, group):
    prep = _prep(roles, group)
    client = _as(client, roles.school_admin)
    html = client.get(reverse("routine:prep_edit", args=[prep.pk])).content.decode()
    assert "《秋天的雨》" in html and "删除原教案" in html
    response = client.post(reverse("routine:prep_edit", args=[prep.pk]), _post_data(roles, lesson="《秋天的雨》第二课时"))
    assert response.status_code == 302
    assert CollectivePrep.objects.get().lesson == "《秋天的雨》第二课时"


# --- The detail, the plan, 二次备课 ------------------------------------------------------------------------


def test_the_plan_downloads_for_readers_only(client, roles, group):
    prep = _prep(roles, group, plan=True)
    url = reverse("routine:prep_plan", args=[prep.pk])
    response = _as(client, roles.member).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _as(client, roles.teacher).get(url).status_code == 404
    assert _as(client, roles.other_admin).get(url).status_code == 404
    bare = _prep(roles, group)
    assert _as(client, roles.member).get(reverse("routine:prep_plan", args=[bare.pk])).status_code == 404


def test_a_member_writes_their_second_prep_and_sees_only_their_own_this_week(client, roles, group):
    prep = _prep(roles, group)
    second_prep_save(actor=roles.leader, prep=prep, text="组长的调整")
    client = _as(client, roles.member)
    url = reverse("routine:second_prep", args=[prep.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "本班先复习旧知"})
    assert response.status_code == 302
    assert SecondPrep.objects.get(person=roles.member.person).text == "本班先复习旧知"
    html = client.get(reverse("routine:prep_detail", args=[prep.pk])).content.decode()
    assert "本班先复习旧知" in html and "组长的调整" not in html
    html = _as(client, roles.leader).get(reverse("routine:prep_detail", args=[prep.pk])).content.decode()
    assert "本班先复习旧知" in html and "组长的调整" in html


def test_outsiders_may_not_write_second_preps(client, roles, group):
    prep = _prep(roles, group)
    url = reverse("routine:second_prep", args=[prep.pk])
    assert _as(client, roles.school_admin).get(url).status_code == 403
    assert _as(client, roles.teacher).post(url, {"text": "x"}).status_code == 404
    assert _as(client, roles.other_teacher).post(url, {"text": "x"}).status_code == 404
    assert not SecondPrep.objects.exists()


def test_my_second_preps_page(client, roles, group):
    prep = _prep(roles, group)
    html = _as(client, roles.member).get(reverse("routine:my_preps")).content.decode()
    assert reverse("routine:prep_detail", args=[prep.pk]) in html and reverse("routine:second_prep", args=[prep.pk]) in html
    assert "待填写" in html
    html = _as(client, roles.teacher).get(reverse("routine:my_preps")).content.decode()
    assert "《秋天的雨》" not in html
    assert _as(client, roles.bureau).get(reverse("routine:my_preps")).status_code == 403


def test_the_group_list_exports_and_sorts(client, roles, group):
    _prep(roles, group, date=timezone.localdate() - dt.timedelta(days=1), minutes=45)
    _prep(roles, group, minutes=90)
    client = _as(client, roles.leader)
    url = reverse("routine:prep_group", args=[group.pk])
    html = client.get(url, {"sort": "minutes"}).content.decode()
    assert html.index(">45<") < html.index(">90<")
    response = client.get(url, {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("日期", "课题/单元") and len(rows) == 3
    assert {r[5] for r in rows[1:]} == {45, 90} and rows[1][4] == roles.leader.person.name


def test_the_date_field_is_filled_for_the_browser_date_picker(client, roles, group):
    prep = _prep(roles, group)
    html = _as(client, roles.leader).get(reverse("routine:prep_edit", args=[prep.pk])).content.decode()
    assert f'type="date" name="date" value="{prep.date.isoformat()}"' in html
