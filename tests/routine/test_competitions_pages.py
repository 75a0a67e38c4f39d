"""Competition pages: the list, set-up forms, the judge's page, publication, materials and the public results."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .conftest_competitions import *  # noqa: F403
from .conftest_competitions import DAY, make_competition, score_all

pytestmark = pytest.mark.django_db


def test_the_list_by_role(client, roles, school, contest):
    c = contest(judges=1, teachers=1)
    url = reverse("routine:competition_list")
    assert client.get(url).status_code == 302  # to the login
    client.force_login(roles.school_admin)
    html = client.get(url).content.decode()
    assert "青年教师教学比武" in html and reverse("routine:competition_create") in html
    client.force_login(roles.bureau)
    assert "青年教师教学比武" in client.get(url).content.decode()
    for user in (roles.other_admin, roles.teacher, roles.far_bureau):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and "青年教师教学比武" not in response.content.decode()
    for user in (c.judge_users[0], c.teachers[0]):
        client.force_login(user)
        assert "青年教师教学比武" in client.get(url).content.decode()
    client.force_login(roles.presenter)
    assert client.get(url).status_code == 403


def test_setting_up_through_the_pages(client, roles, school):
    from yanxiu.routine.models import Competition, Entry, Judge, ScoringItem

    client.force_login(roles.teacher)
    assert client.get(reverse("routine:competition_create")).status_code == 403
    client.force_login(roles.school_admin)
    response = client.post(reverse("routine:competition_create"), {
        "name": "基本功大赛", "kind": "basic_skills", "level": "school", "date": DAY.isoformat(), "drop_extremes": "on",
        "first_prizes": "1", "second_prizes": "2", "third_prizes": "3"})
    competition = Competition.objects.get()
    assert response.status_code == 302 and response.url == reverse("routine:competition_items", args=[competition.pk])
    items_url = reverse("routine:competition_items", args=[competition.pk])
    response = client.post(items_url, {"name_0": "粉笔字", "weight_0": "0.5", "max_0": "10",
                                       "name_1": "普通话", "weight_1": "0.3", "max_1": "10"})
    assert response.status_code == 400 and "各项权重之和须为 1.00，现在是 0.80。" in response.content.decode()
    response = client.post(items_url, {"name_0": "粉笔字", "weight_0": "0.5"})
    assert response.status_code == 400 and "第 1 行须同时填写" in response.content.decode()
    response = client.post(items_url, {"name_0": "粉笔字", "weight_0": "0.5", "max_0": "10",
                                       "name_1": "普通话", "weight_1": "0.5", "max_1": "20"})
    assert response.status_code == 302 and ScoringItem.objects.count() == 2
    assert "粉笔字" in client.get(items_url).content.decode()  # the sheet comes back for editing

    judge_url = reverse("routine:competition_judge_add", args=[competition.pk])
    page = client.get(judge_url).content.decode()
    assert "centre" in page and "李老师" not in page  # region staff offered, another school's teacher not
    assert client.post(judge_url, {"user": roles.centre.pk}).status_code == 302
    assert client.post(judge_url, {"user": roles.other_teacher.pk}).status_code == 400
    assert Judge.objects.get().name == "centre"

    entry_url = reverse("routine:competition_entry_add", args=[competition.pk])
    pdf = SimpleUploadedFile("粉笔字.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    response = client.post(entry_url, {"person": roles.teacher.person.pk, "lesson": "三笔字", "materials": pdf})
    assert response.status_code == 302 and Entry.objects.get().materials_name == "粉笔字.pdf"
    bad = SimpleUploadedFile("视频.mp4", b"not a video", content_type="video/mp4")
    response = client.post(entry_url, {"person": roles.member.person.pk, "lesson": "x", "materials": bad})
    assert response.status_code == 400 and "参赛材料“视频.mp4”的内容不是有效的MP4文件" in response.content.decode()

    client.force_login(roles.other_admin)
    assert client.get(items_url).status_code == 404
    client.force_login(roles.bureau)  # reads, but does not run it
    assert client.get(items_url).status_code == 403
    assert client.get(reverse("routine:competition_detail", args=[competition.pk])).status_code == 200


def test_the_judge_page_scores_one_entry_at_a_time(client, roles, contest):
    from yanxiu.routine.models import Score

    c = contest(judges=2, teachers=2)
    competition = c.competition
    design, lesson = competition.items.order_by("position")
    first, second = c.entries
    client.force_login(c.judge_users[0])
    response = client.get(reverse("routine:competition_judge", args=[competition.pk]))
    assert response.url == reverse("routine:competition_score", args=[competition.pk, first.pk])
    page = client.get(response.url).content.decode()
    assert "选手1" in page and "满分 40" in page and "第 1/2 位" in page and "inputmode=\"decimal\"" in page
    url = reverse("routine:competition_score", args=[competition.pk, first.pk])
    response = client.post(url, {f"item_{design.pk}": "45", f"item_{lesson.pk}": "50", "go": "next"})
    assert response.status_code == 400 and "教学设计" in response.content.decode() and not Score.objects.exists()
    response = client.post(url, {f"item_{design.pk}": "36", f"item_{lesson.pk}": "54.5", "go": "next"})
    assert response.url == reverse("routine:competition_score", args=[competition.pk, second.pk])
    assert Score.objects.filter(judge=c.judges[0]).count() == 2
    assert "90.50" in client.get(url).content.decode()  # my total on the 100-point scale
    assert client.post(url, {f"item_{design.pk}": "36", f"item_{lesson.pk}": "54.5", "go": "stay"}).url == url
    last = reverse("routine:competition_score", args=[competition.pk, second.pk])
    assert client.post(last, {f"item_{design.pk}": "30", f"item_{lesson.pk}": "50", "go": "next"}).url == last  # no next
    Score.objects.filter(judge=c.judges[0], entry=second).delete()
    # The start page now opens the entry not yet scored.
    assert client.get(reverse("routine:competition_judge", args=[competition.pk])).url.endswith(f"/{second.pk}/")

    # The other judge sees only their own (empty) sheet, and the detail page shows no totals to judges.
    client.force_login(c.judge_users[1])
    page = client.get(url).content.decode()
    assert "54.5" not in page and "90.50" not in page
    detail = client.get(reverse("routine:competition_detail", args=[competition.pk])).content.decode()
    assert "90.500" not in detail and "当前得分" not in detail

    # The admin sees every judge's progress; others are not judges.
    client.force_login(roles.school_admin)
    assert client.get(url).status_code == 403
    detail = client.get(reverse("routine:competition_detail", args=[competition.pk])).content.decode()
    assert "90.500" in detail and "已评 1/2" in detail
    client.force_login(roles.other_admin)
    assert client.get(url).status_code == 404
    client.force_login(c.judge_users[0])
    assert client.get(reverse("routine:competition_score", args=[competition.pk, 10**12])).status_code == 404


def test_publishing_from_the_page(client, roles, contest, award_policy):
    from yanxiu.routine.models import Competition

    c = contest(judges=2, teachers=2)
    publish = reverse("routine:competition_publish", args=[c.competition.pk])
    detail = reverse("routine:competition_detail", args=[c.competition.pk])
    score_all(c, [[(36, 54), (30, 50)]])
    client.force_login(c.judge_users[0])
    assert client.post(publish).status_code == 403
    client.force_login(roles.school_admin)
    assert client.get(publish).status_code == 405
    response = client.post(publish, follow=True)
    html = response.content.decode()
    assert "还有评委没有评完" in html and "评委2 尚未评分：选手1、选手2" in html
    assert Competition.objects.get().status == "open"
    score_all(c, [[(36, 54), (30, 50)], [(34, 51), (30, 50)]])
    html = client.post(publish, follow=True).content.decode()
    assert "结果已公布" in html and "一等奖" in html
    assert Competition.objects.get().status == "published"
    assert client.get(reverse("routine:competition_items", args=[c.competition.pk])).status_code == 403

    # After publication every judge's sheet is read-only and the judge sees the results.
    client.force_login(c.judge_users[1])
    url = reverse("routine:competition_score", args=[c.competition.pk, c.entries[0].pk])
    assert "结果已公布，评分不能再修改" in client.get(url).content.decode()
    items = {f"item_{i.pk}": "1" for i in c.competition.items.all()}
    client.post(url, items)
    assert c.entries[0].scores.filter(value=Decimal("1")).count() == 0
    assert "87.500" in client.get(detail).content.decode()
    client.force_login(c.teachers[0])
    assert "一等奖" in client.get(detail).content.decode()


def test_the_public_result_pages(client, roles, contest, school, school_b):
    c = contest(judges=1, teachers=2)
    open_one = make_competition(roles.school_admin, school, name="课件评比", kind="courseware")
    results = reverse("routine:competition_results", args=[c.competition.pk])
    assert client.get(results).status_code == 404  # not yet published
    score_all(c, [[(36, 54), (30, 50)]])
    from yanxiu.routine.services import competitions as services

    services.competition_publish(actor=roles.school_admin, competition=c.competition)
    response = client.get(results)
    html = response.content.decode()
    assert response.status_code == 200 and "选手1" in html and "课题1" in html and "一等奖" in html and "90.000" in html
    for teacher in c.teachers:
        assert teacher.person.phone not in html and teacher.person.id_number not in html
        assert teacher.person.id_number[-4:] not in html
    school_page = client.get(reverse("routine:school_results", args=[school.pk])).content.decode()
    assert "青年教师教学比武" in school_page and open_one.name not in school_page
    other = client.get(reverse("routine:school_results", args=[school_b.pk])).content.decode()
    assert "青年教师教学比武" not in other and "还没有公布的竞赛结果" in other
    assert client.get(reverse("routine:school_results", args=[10**12])).status_code == 404
    assert client.get(reverse("routine:competition_results", args=[open_one.pk])).status_code == 404


def test_materials_are_served_to_those_who_may_see_the_entry(client, roles, school, people):
    from yanxiu.routine.services import competitions as services

    competition = make_competition(roles.school_admin, school)
    judge = people.teacher(school, name="评委甲")
    services.judge_add(actor=roles.school_admin, competition=competition, user=judge)
    pdf = SimpleUploadedFile("教学设计.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    entry = services.entry_add(actor=roles.school_admin, competition=competition, person=roles.teacher.person,
                               lesson="《秋天》", materials=pdf)
    plain = services.entry_add(actor=roles.school_admin, competition=competition, person=roles.member.person, lesson="无材料")
    url = reverse("routine:competition_entry_materials", args=[entry.pk])
    for user, status in ((judge, 200), (roles.teacher, 200), (roles.school_admin, 200), (roles.centre, 200),
                         (roles.member, 404), (roles.other_admin, 404), (roles.far_bureau, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf" and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(judge)
    assert client.get(reverse("routine:competition_entry_materials", args=[plain.pk])).status_code == 404


def test_the_score_sheet_export(client, roles, contest):
    import io

    from openpyxl import load_workbook

    c = contest(judges=3, teachers=2)
    score_all(c, [[(36, 54), (30, 50)], [(34, 51), (30, 50)], [(35, 53), (20, 30)]])
    url = reverse("routine:competition_export", args=[c.competition.pk])
    client.force_login(roles.school_admin)
    response = client.get(url)
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("名次", "参赛教师", "参赛课题/作品", "评委1", "评委2", "评委3", "最后得分", "奖项")
    assert rows[1] == (1, "选手1", "课题1", 90, 85, 88, 88, "一等奖")
    assert rows[2] == (2, "选手2", "课题2", 80, 80, 50, 80, "二等奖")
    for user, status in ((c.judge_users[0], 403), (roles.centre, 200), (roles.other_admin, 404), (c.teachers[0], 403)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_a_judge_who_runs_the_school_sees_only_their_own_scores_until_publication(client, roles, school, people):
    from yanxiu.routine.services import competitions as services

    competition = make_competition(roles.school_admin, school)
    services.judge_add(actor=roles.school_admin, competition=competition, user=roles.school_admin)
    other = people.teacher(school, name="评委乙")
    services.judge_add(actor=roles.school_admin, competition=competition, user=other)
    entry = services.entry_add(actor=roles.school_admin, competition=competition, person=roles.teacher.person, lesson="《秋天》")
    items = list(competition.items.order_by("position"))
    services.score_submit(actor=other, entry=entry, values={items[0].pk: "33", items[1].pk: "44"})
    client.force_login(roles.school_admin)
    detail = client.get(reverse("routine:competition_detail", args=[competition.pk])).content.decode()
    assert "77.000" not in detail and "公布前只显示您自己的评分" in detail and "公布结果" in detail
    assert client.get(reverse("routine:competition_export", args=[competition.pk])).status_code == 403


def test_removing_a_judge_and_an_entry_from_the_page(client, roles, contest):
    from yanxiu.routine.models import Entry, Judge

    c = contest(judges=2, teachers=2)
    detail = reverse("routine:competition_detail", args=[c.competition.pk])
    judge_url = reverse("routine:competition_judge_remove", args=[c.judges[1].pk])
    entry_url = reverse("routine:competition_entry_remove", args=[c.entries[1].pk])
    client.force_login(roles.other_admin)
    assert client.post(judge_url).status_code == 404
    client.force_login(roles.bureau)
    assert client.post(judge_url).status_code == 403
    client.force_login(c.judge_users[0])
    assert client.post(entry_url).status_code == 403
    client.force_login(roles.school_admin)
    page = client.get(detail).content.decode()
    assert judge_url in page and entry_url in page
    assert "评委已移除" in client.post(judge_url, follow=True).content.decode()
    assert "参赛教师已移除" in client.post(entry_url, follow=True).content.decode()
    assert Judge.objects.count() == 1 and Entry.objects.count() == 1
