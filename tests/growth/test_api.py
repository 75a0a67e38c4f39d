"""The growth API: records, progress and mentor pairs, scoped per role, bounded, validated in Chinese."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from yanxiu.core.models import AuditEvent
from yanxiu.growth.models import GrowthRecord, MentorActivity, MentorPair
from yanxiu.org.models import Group

from .conftest import YEAR

pytestmark = pytest.mark.django_db

RECORDS = "/api/growth/records"
PROGRESS = "/api/growth/progress"


@pytest.fixture
def world(growth):
    """Records of four teachers: 张老师 (no group), the group's member and leader, and 李老师 at school_b;
    a second group at the school with one teacher; everyone at the school on 骨干“五个一”."""
    r = growth.roles
    maths = Group.objects.create(school=growth.school, name="数学组", kind="research", subject="数学")
    other_member = growth.people.teacher(growth.school, name="数学组员", groups=[maths], tier="backbone")
    for user in (r.teacher, r.member, r.leader, r.school_admin):
        user.person.employments.update(tier="backbone")
    growth.adopt("001-1-backbone")
    day = dt.date(YEAR, 10, 9)
    growth.record(r.teacher.person, "observation", day, title="《桂林山水》")
    growth.record(r.teacher.person, "article", day, accepted=False, venue="湖南教育", title="论大单元")
    growth.record(r.member.person, "observation", day)
    growth.record(r.leader.person, "lecture", day)
    growth.record(other_member.person, "observation", day)
    growth.record(r.other_teacher.person, "observation", day)
    growth.record(r.teacher.person, "observation", dt.date(YEAR + 1, 9, 20), title="下一学年")
    return growth, maths, other_member


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["person_name"] for item in response.json()["items"]}


def test_each_role_sees_the_records_it_may(client, world):
    growth, _maths, other_member = world
    r = growth.roles
    assert _names(_get(client, r.teacher, RECORDS)) == {"张老师"}
    assert _names(_get(client, r.leader, RECORDS)) == {"组员", r.leader.person.name}
    assert _names(_get(client, r.school_admin, RECORDS)) == {"张老师", "组员", r.leader.person.name, "数学组员"}
    assert _names(_get(client, r.other_admin, RECORDS)) == {"李老师"}
    assert _names(_get(client, r.bureau, RECORDS)) == {"张老师", "组员", r.leader.person.name, "数学组员", "李老师"}
    assert _names(_get(client, r.far_bureau, RECORDS)) == set()
    assert _names(_get(client, r.presenter, RECORDS)) == set()
    # Asking for someone else's file by id gives nothing, not their records.
    assert _names(_get(client, r.teacher, RECORDS, person=r.member.person.pk)) == set()


def test_records_never_carry_an_id_number_and_filter_by_kind_status_and_school_year(client, world):
    growth, _maths, _other = world
    r = growth.roles
    response = _get(client, r.school_admin, RECORDS, person=r.teacher.person.pk)
    text = response.content.decode()
    assert r.teacher.person.id_number not in text and "id_number" not in text
    assert len(response.json()["items"]) == 3
    items = _get(client, r.school_admin, RECORDS, person=r.teacher.person.pk, kind="observation", year=YEAR).json()["items"]
    assert [i["title"] for i in items] == ["《桂林山水》"]
    assert items[0]["kind_label"] == "听课" and items[0]["observed_name"] == "王老师"
    pending = _get(client, r.school_admin, RECORDS, status="submitted").json()["items"]
    assert [(i["title"], i["status_label"]) for i in pending] == [("论大单元", "待审核")]
    assert [i["title"] for i in _get(client, r.teacher, RECORDS, year=YEAR + 1).json()["items"]] == ["下一学年"]


def test_a_school_year_follows_the_schools_own_calendar(client, world):
    from yanxiu.growth import services

    growth, _maths, _other = world
    r = growth.roles
    # Term 1 of the next school year starts on 20 August: the record of 20 September moves with it,
    # and one of 25 August is no longer in YEAR.
    services.terms_set(actor=r.school_admin, school=growth.school, school_year=YEAR + 1,
                       spans=[(dt.date(YEAR + 1, 8, 20), dt.date(YEAR + 2, 1, 20)), (dt.date(YEAR + 2, 2, 10), dt.date(YEAR + 2, 7, 10))])
    growth.record(r.teacher.person, "observation", dt.date(YEAR + 1, 8, 25), title="暑期")
    this_year = {i["title"] for i in _get(client, r.teacher, RECORDS, year=YEAR).json()["items"]}
    next_year = {i["title"] for i in _get(client, r.teacher, RECORDS, year=YEAR + 1).json()["items"]}
    assert "暑期" not in this_year and "暑期" in next_year and "下一学年" in next_year


@pytest.mark.parametrize("params", [
    {"year": str(10**30)}, {"year": "1949"}, {"year": "abc"}, {"person": "0"}, {"person": str(2**63)},
    {"kind": "x" * 21}, {"kind": "poem"}, {"status": "lost"}, {"limit": "100000"}, {"offset": "-1"},
])
def test_record_list_parameters_are_bounded(client, world, params):
    growth, _maths, _other = world
    assert _get(client, growth.roles.school_admin, RECORDS, **params).status_code == 422


def _post(client, user, payload):
    client.force_login(user)
    return client.post(RECORDS, json.dumps(payload), content_type="application/json")


def _messages(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {(e["loc"][2] if len(e["loc"]) > 2 else ""): e["msg"] for e in response.json()["detail"]}


def test_a_teacher_files_an_observation_of_a_colleague(client, world):
    growth, _maths, _other = world
    r = growth.roles
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = _post(client, r.teacher, {
        "kind": "observation", "date": yesterday.isoformat(), "title": "《荷花》第二课时", "subject": "语文", "class_name": "三(2)班",
        "observed_id": r.member.person.pk, "critique": "朗读指导扎实，小组合作还可更放手。", "content": "板书清晰。"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["observed_name"] == "组员" and body["person_name"] == "张老师"
    record = GrowthRecord.objects.get(pk=body["id"])
    assert record.observed == r.member.person and record.created_by == r.teacher
    assert AuditEvent.objects.filter(action="growth.record_submit", target_id=str(record.pk)).count() == 1
    # The colleague observed reads the critique of their lesson; another teacher does not.
    seen = _get(client, r.member, RECORDS, kind="observation").json()["items"]
    assert [(i["person_name"], i["critique"]) for i in seen if i["id"] == record.pk] == [("张老师", "朗读指导扎实，小组合作还可更放手。")]
    assert record.pk not in {i["id"] for i in _get(client, r.other_teacher, RECORDS).json()["items"]}
    # The school's admin files for a teacher of the school; a group leader may not.
    admin = _post(client, r.school_admin, {"person_id": r.member.person.pk, "kind": "reading_note", "date": yesterday.isoformat(),
                                           "title": "《给教师的建议》"})
    assert admin.status_code == 201 and admin.json()["person_name"] == "组员"
    leader = _post(client, r.leader, {"person_id": r.member.person.pk, "kind": "reading_note", "date": yesterday.isoformat(),
                                      "title": "《给教师的建议》"})
    assert leader.status_code == 403
    stranger = _post(client, r.other_admin, {"person_id": r.member.person.pk, "kind": "reading_note",
                                             "date": yesterday.isoformat(), "title": "x"})
    assert stranger.status_code == 404
    assert _post(client, r.presenter, {"kind": "reading_note", "date": yesterday.isoformat(), "title": "x"}).status_code == 403


def test_bad_records_are_refused_with_chinese_messages_naming_each_field(client, world):
    growth, _maths, _other = world
    teacher = growth.roles.teacher
    today = timezone.localdate()
    before = GrowthRecord.objects.count()
    missing = _messages(_post(client, teacher, {"kind": "award", "date": today.isoformat(), "title": "优质课比赛"}))
    assert {"venue", "level", "rank"} <= set(missing)
    assert "级别" in missing["level"] and "等次" in missing["rank"]
    observation = _messages(_post(client, teacher, {"kind": "observation", "date": today.isoformat(), "title": "听课"}))
    assert "学科" in observation["subject"] and "授课教师" in observation["observed_name"]
    assert "晚于今天" in _messages(_post(client, teacher, {"kind": "case", "date": (today + dt.timedelta(days=1)).isoformat(),
                                                          "title": "案例"}))["date"]
    assert "日期" in _messages(_post(client, teacher, {"kind": "case", "date": "2025-02-30", "title": "案例"}))["date"]
    assert "名称/课题" in _messages(_post(client, teacher, {"kind": "case", "date": today.isoformat()}))["title"]
    assert "200" in _messages(_post(client, teacher, {"kind": "case", "date": today.isoformat(), "title": "长" * 201}))["title"]
    assert "类型" in _messages(_post(client, teacher, {"kind": "poem", "date": today.isoformat(), "title": "诗"}))["kind"]
    assert "字符" in _messages(_post(client, teacher, {"kind": "case", "date": today.isoformat(), "title": "a\x00b"}))["title"]
    assert "true" in _messages(_post(client, teacher, {"kind": "award", "date": today.isoformat(), "title": "a",
                                                      "student_award": "yes"}))["student_award"]
    far = _messages(_post(client, teacher, {"kind": "observation", "date": today.isoformat(), "title": "听课", "subject": "语文",
                                            "observed_id": growth.roles.other_teacher.person.pk}))
    assert "本校" in far["observed_id"]
    assert "编号" in _messages(_post(client, teacher, {"kind": "case", "date": today.isoformat(), "title": "案例",
                                                     "observed_id": 10**30}))["observed_id"]
    assert GrowthRecord.objects.count() == before


def _progress_names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["items"]}


def test_progress_per_role(client, world):
    growth, maths, _other = world
    r = growth.roles
    school = growth.school.pk
    everyone = {"张老师", "组员", r.leader.person.name, "数学组员", r.school_admin.person.name}
    assert _progress_names(_get(client, r.school_admin, PROGRESS, year=YEAR, term=1)) == everyone
    assert _progress_names(_get(client, r.bureau, PROGRESS, school=school, year=YEAR, term=1)) == everyone
    # The leader: their group only, by default and when asking for it; another group is not found.
    assert _progress_names(_get(client, r.leader, PROGRESS, year=YEAR, term=1)) == {"组员", r.leader.person.name}
    assert _progress_names(_get(client, r.leader, PROGRESS, group=growth.group.pk)) == {"组员", r.leader.person.name}
    assert _get(client, r.leader, PROGRESS, group=maths.pk).status_code == 404
    assert _progress_names(_get(client, r.school_admin, PROGRESS, group=maths.pk, year=YEAR, term=1)) == {"数学组员"}
    # Strangers: another school's admin and another county do not find the school; a teacher may not read it.
    assert _get(client, r.other_admin, PROGRESS, school=school).status_code == 404
    assert _get(client, r.far_bureau, PROGRESS, school=school).status_code == 404
    assert _get(client, r.teacher, PROGRESS, school=school).status_code == 403
    assert _get(client, r.teacher, PROGRESS).status_code == 403
    assert _get(client, r.bureau, PROGRESS).status_code == 422  # which school?


def test_a_leader_of_two_schools_groups_gets_the_school_the_page_shows(client, world, county):
    """Without ``school``, the API reads the same school as the progress page and the home card: the first by code."""
    from yanxiu.accounts.models import RoleAssignment
    from yanxiu.org.models import School

    growth, _maths, _other = world
    leader = growth.roles.leader
    first = School.objects.create(code="4301210000", name="长沙县星沙实验小学", county=county, stage="primary")
    english = Group.objects.create(school=first, name="英语组", kind="research", subject="英语")
    RoleAssignment.objects.create(user=leader, role="group_leader", group=english)
    growth.people.teacher(first, username="english", groups=[english], name="英语组员")
    client.force_login(leader)
    page = client.get(reverse("growth:progress"))
    assert page.status_code == 200 and page.context["school"] == first
    rows = _get(client, leader, PROGRESS, year=YEAR, term=1)
    assert _progress_names(rows) == {"英语组员"} and {row["school_id"] for row in rows.json()["items"]} == {first.pk}


def test_progress_rows_count_done_and_target(client, world):
    growth, _maths, _other = world
    rows = _get(client, growth.roles.school_admin, PROGRESS, year=YEAR, term=1).json()["items"]
    row = next(r for r in rows if r["name"] == "张老师")
    assert row["template"] == "骨干教师“五个一”" and row["tier"] == "backbone" and row["behind"]
    observation = next(i for i in row["items"] if i["kind"] == "observation")
    assert (observation["done"], observation["target"], observation["behind"]) == (1, 20, True)
    assert "id_number" not in json.dumps(rows)


@pytest.mark.parametrize("params", [
    {"year": str(10**30)}, {"year": "99999999999999999999999"}, {"term": "3"}, {"term": "0"}, {"school": "-1"},
    {"group": str(2**63)}, {"limit": "0"},
])
def test_progress_parameters_are_bounded(client, world, params):
    growth, _maths, _other = world
    assert _get(client, growth.roles.school_admin, PROGRESS, **params).status_code == 422
    assert _get(client, growth.roles.teacher, PROGRESS + "/me", **{k: v for k, v in params.items() if k in ("year", "term")}
                ).status_code in (200, 422)


def test_my_progress(client, world):
    growth, _maths, _other = world
    r = growth.roles
    mine = _get(client, r.teacher, PROGRESS + "/me", year=YEAR, term=1)
    assert mine.status_code == 200
    body = mine.json()
    assert body["name"] == "张老师" and (body["school_year"], body["term"]) == (YEAR, 1)
    assert {i["kind"] for i in body["items"]} >= {"observation", "apprentice", "article"}
    assert _get(client, r.teacher, PROGRESS + "/me", year=str(10**30)).status_code == 422
    assert _get(client, r.presenter, PROGRESS + "/me").status_code == 404
    assert _get(client, r.bureau, PROGRESS + "/me").status_code == 404


def test_mentor_pairs_and_their_activities_per_role(client, world, school_b):
    growth, _maths, other_member = world
    r = growth.roles
    pair = MentorPair.objects.create(school=growth.school, mentor=r.teacher.person, apprentice=r.member.person,
                                     school_year=YEAR, goals="一年内站稳讲台")
    MentorActivity.objects.create(pair=pair, kind="mentor_lesson", date=dt.date(YEAR, 10, 8), content="听师傅的《荷花》",
                                  logged_by=r.member.person, confirmed_at=timezone.now())
    MentorActivity.objects.create(pair=pair, kind="talk", date=dt.date(YEAR, 10, 15), content="谈班级管理",
                                  logged_by=r.teacher.person)
    MentorPair.objects.create(school=school_b, mentor=r.other_teacher.person, apprentice=r.other_admin.person, school_year=YEAR, goals="x")

    def ids(user):
        response = _get(client, user, "/api/growth/mentor-pairs")
        assert response.status_code == 200
        return [p["id"] for p in response.json()["items"]]

    for user in (r.teacher, r.member, r.school_admin, r.bureau):
        assert pair.pk in ids(user), user
    for user in (r.other_teacher, r.other_admin, r.far_bureau, r.presenter):
        assert pair.pk not in ids(user), user
    assert ids(other_member.person.user) == []
    listed = _get(client, r.member, "/api/growth/mentor-pairs", year=YEAR).json()["items"]
    assert (listed[0]["mentor_name"], listed[0]["apprentice_name"], listed[0]["activities"], listed[0]["confirmed"]) == (
        "张老师", "组员", 2, 1)
    assert _get(client, r.member, "/api/growth/mentor-pairs", year=YEAR + 1).json()["items"] == []

    url = f"/api/growth/mentor-pairs/{pair.pk}/activities"
    activities = _get(client, r.teacher, url).json()["items"]
    assert [(a["kind"], a["confirmed"], a["logged_by_name"]) for a in activities] == [("talk", False, "张老师"),
                                                                                       ("mentor_lesson", True, "组员")]
    assert _get(client, r.bureau, url).status_code == 200
    for user in (r.other_admin, r.other_teacher, r.far_bureau):
        assert _get(client, user, url).status_code == 404
    assert _get(client, r.teacher, "/api/growth/mentor-pairs/99999999/activities").status_code == 404
    assert _get(client, r.teacher, f"/api/growth/mentor-pairs/{2**63}/activities").status_code == 422
    assert _get(client, r.teacher, "/api/growth/mentor-pairs", year=str(10**30)).status_code == 422


def test_anonymous_callers_are_refused(client, world):
    assert client.get(RECORDS).status_code == 401
    assert client.post(RECORDS, "{}", content_type="application/json").status_code == 401
