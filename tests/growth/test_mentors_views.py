"""Mentor pair pages per role (strangers get 404), the forms and buttons, and the agreement PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from yanxiu.credits.models import CreditEntry
from yanxiu.growth.models import MentorActivity, MentorPair
from yanxiu.growth.services.mentors import activity_log, pair_create, summary_submit
from yanxiu.growth.services.tiers import terms_set

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def pair(growth):
    """A year-long pair of the current school year; its terms run to 31 August, so today is always inside it."""
    roles = growth.roles
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    terms_set(actor=roles.school_admin, school=growth.school, school_year=year,
              spans=[(dt.date(year, 9, 1), dt.date(year + 1, 1, 31)), (dt.date(year + 1, 2, 1), dt.date(year + 1, 8, 31))])
    return pair_create(actor=roles.school_admin, school=growth.school, mentor=roles.teacher.person, apprentice=roles.member.person,
                       school_year=year, subject="语文", goals="上好一节校级公开课", mentor_duties="每两周听徒弟一节课",
                       apprentice_duties="每周听师傅一节课", ceremony_date=dt.date(year, 9, 5))


def as_user(client, user):
    client.force_login(user)
    return client


def test_the_pair_is_seen_by_its_sides_its_school_and_region_staff_only(client, growth, pair):
    roles = growth.roles
    url = reverse("growth:mentor_detail", args=[pair.pk])
    for user in (roles.teacher, roles.member, roles.school_admin, roles.bureau, roles.centre):
        page = as_user(client, user).get(url)
        assert page.status_code == 200, user.username
        assert "上好一节校级公开课" in page.content.decode()
    for user in (roles.leader, roles.other_teacher, roles.other_admin, roles.far_bureau, roles.presenter):
        assert as_user(client, user).get(url).status_code == 404, user.username
        assert as_user(client, user).get(reverse("growth:mentor_agreement", args=[pair.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_list_per_role(client, growth, pair):
    roles = growth.roles
    admin_page = as_user(client, roles.school_admin).get(reverse("growth:mentor_list"))
    text = admin_page.content.decode()
    assert admin_page.status_code == 200 and "张老师" in text and "组员" in text and "新建结对" in text
    teacher_page = as_user(client, roles.member).get(reverse("growth:mentor_list"))
    assert "张老师" in teacher_page.content.decode() and "新建结对" not in teacher_page.content.decode()
    assert "张老师" not in as_user(client, roles.other_teacher).get(reverse("growth:mentor_list")).content.decode()
    assert "张老师" not in as_user(client, roles.other_admin).get(reverse("growth:mentor_list")).content.decode()
    assert as_user(client, roles.presenter).get(reverse("growth:mentor_list")).status_code == 403
    old = as_user(client, roles.school_admin).get(reverse("growth:mentor_list") + "?school_year=1990")
    assert "张老师" not in old.content.decode()
    export = as_user(client, roles.school_admin).get(reverse("growth:mentor_list") + "?export=xlsx")
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]


def test_the_list_and_the_pair_page_name_the_period_alike_without_reading_the_calendar(client, growth, pair,
                                                                                       django_assert_num_queries):
    from yanxiu.growth.services.mentors import period_label

    label = f"{pair.school_year}—{pair.school_year + 1} 学年"
    pair.term = 2
    with django_assert_num_queries(0):
        assert period_label(pair) == f"{pair.school_year}—{pair.school_year + 1} 学年第二学期"
    pair.term = None
    listed = as_user(client, growth.roles.school_admin).get(reverse("growth:mentor_list")).content.decode()
    detail = client.get(reverse("growth:mentor_detail", args=[pair.pk])).content.decode()
    form = as_user(client, growth.roles.member).get(reverse("growth:mentor_summary", args=[pair.pk])).content.decode()
    assert label in listed and label in detail and label in form


def test_only_the_school_admin_opens_the_create_page_and_bad_input_is_named(client, growth):
    roles = growth.roles
    for user in (roles.teacher, roles.bureau, roles.leader):
        assert as_user(client, user).get(reverse("growth:mentor_create")).status_code == 403
    c = as_user(client, roles.school_admin)
    assert c.get(reverse("growth:mentor_create")).status_code == 200
    data = {"mentor": roles.teacher.person.pk, "apprentice": roles.teacher.person.pk, "school_year": "2025", "term": "1", "goals": "x"}
    page = c.post(reverse("growth:mentor_create"), data)
    assert page.status_code == 400 and "不能是同一个人" in page.content.decode()
    page = c.post(reverse("growth:mentor_create"), {**data, "apprentice": roles.other_teacher.person.pk})
    assert page.status_code == 400 and not MentorPair.objects.exists()  # not a choice: another school's teacher
    page = c.post(reverse("growth:mentor_create"), {**data, "apprentice": roles.member.person.pk})
    pair = MentorPair.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("growth:mentor_detail", args=[pair.pk])


def test_the_sides_log_confirm_and_summarise_through_the_pages(client, growth, pair):
    roles = growth.roles
    today = timezone.localdate()
    add = reverse("growth:mentor_activity_add", args=[pair.pk])
    assert as_user(client, roles.school_admin).get(add).status_code == 403
    assert as_user(client, roles.leader).get(add).status_code == 404
    c = as_user(client, roles.member)
    page = c.post(add, {"kind": "talk", "date": (today + dt.timedelta(days=3)).isoformat(), "content": "交流"})
    assert page.status_code == 400 and "晚于今天" in page.content.decode()
    assert c.post(add, {"kind": "mentor_lesson", "date": today.isoformat(), "content": "听师傅一节课"}).status_code == 302
    activity = MentorActivity.objects.get()
    confirm = reverse("growth:mentor_activity_confirm", args=[activity.pk])
    assert c.get(confirm).status_code == 405
    c.post(confirm)
    activity.refresh_from_db()
    assert not activity.confirmed  # the side that logged it cannot confirm it
    assert as_user(client, roles.other_teacher).post(confirm).status_code == 404
    detail = as_user(client, roles.teacher).get(reverse("growth:mentor_detail", args=[pair.pk])).content.decode()
    assert confirm in detail
    as_user(client, roles.teacher).post(confirm)
    activity.refresh_from_db()
    assert activity.confirmed
    summary = reverse("growth:mentor_summary", args=[pair.pk])
    assert as_user(client, roles.teacher).post(summary, {"text": "徒弟进步明显"}).status_code == 302
    assert as_user(client, roles.teacher).get(summary).content.decode().count("徒弟进步明显") == 1
    assert as_user(client, roles.school_admin).get(summary).status_code == 403


def test_the_admin_assesses_and_sees_the_credit(client, growth, pair, policy):
    roles = growth.roles
    today = timezone.localdate()
    assess = reverse("growth:mentor_assess", args=[pair.pk])
    activity = activity_log(actor=roles.teacher, pair=pair, kind="talk", date=today, content="交流", today=today)
    as_user(client, roles.member).post(reverse("growth:mentor_activity_confirm", args=[activity.pk]))
    summary_submit(actor=roles.teacher, pair=pair, text="师傅的总结")
    page = as_user(client, roles.school_admin).post(assess, {"result": "pass", "assessment": ""})
    assert page.status_code == 400 and "尚未提交" in page.content.decode()
    summary_submit(actor=roles.member, pair=pair, text="徒弟的总结")
    for user in (roles.teacher, roles.bureau):
        assert as_user(client, user).get(assess).status_code == 403
    c = as_user(client, roles.school_admin)
    form = c.get(assess).content.decode()
    assert "师傅的总结" in form and "徒弟的总结" in form
    assert c.post(assess, {"result": "pass", "assessment": "完成任务"}).status_code == 302
    assert CreditEntry.objects.filter(evidence__mentor_pair_id=pair.pk).count() == 2
    detail = c.get(reverse("growth:mentor_detail", args=[pair.pk])).content.decode()
    assert "已考核" in detail and "计入学时" in detail and "完成任务" in detail
    assert c.get(assess).status_code == 403  # assessed: no second assessment


def test_cancel_page(client, growth, pair):
    roles = growth.roles
    url = reverse("growth:mentor_cancel", args=[pair.pk])
    assert as_user(client, roles.teacher).post(url, {"reason": "x"}).status_code == 403
    c = as_user(client, roles.school_admin)
    assert c.post(url, {"reason": ""}).status_code == 400
    assert c.post(url, {"reason": "师傅调离"}).status_code == 302
    pair.refresh_from_db()
    assert pair.status == "cancelled"
    assert "师傅调离" in c.get(reverse("growth:mentor_detail", args=[pair.pk])).content.decode()


def test_the_agreement_pdf_names_both_sides_the_goals_duties_and_signatures(client, growth, pair):
    response = as_user(client, growth.roles.member).get(reverse("growth:mentor_agreement", args=[pair.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = "".join(pdf_text(response.content).split())
    for expected in ("师徒结对协议书", growth.school.name, "张老师", "组员", "语文", "上好一节校级公开课", "每两周听徒弟一节课",
                     "每周听师傅一节课", "师傅（签字）", "徒弟（签字）", "学校（盖章）", f"{pair.school_year}年9月5日",
                     f"{pair.school_year}—{pair.school_year + 1}"):
        assert expected in text, expected


HOSTILE = ["abc", "-1", str(10**30), "\x00", "9" * 5000, "9999-12-31"]


def test_hostile_query_values_are_refused_or_ignored(client, growth, pair):
    admin = as_user(client, growth.roles.school_admin)
    for value in HOSTILE:
        for name in ("school_year", "status", "q", "sort", "page"):
            assert admin.get(reverse("growth:mentor_list"), {name: value}).status_code in (200, 400), (name, value)
        assert admin.get(reverse("growth:mentor_create"), {"school": value}).status_code in (200, 400), value
    member = as_user(client, growth.roles.member)
    for value in HOSTILE:
        page = member.post(reverse("growth:mentor_activity_add", args=[pair.pk]), {"kind": "talk", "date": value, "content": "交流"})
        assert page.status_code == 400, value
    assert not MentorActivity.objects.exists()
