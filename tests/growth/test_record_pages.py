"""Record pages: the growth home, filing with attachments, the record page and who may open it, review with credit."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from yanxiu.growth import calendar
from yanxiu.growth.models import GrowthRecord, RecordAttachment
from yanxiu.org.models import Employment, Group

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _today():
    return timezone.localdate()


def _pdf(name="听课记录.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _client(client, user):
    client.force_login(user)
    return client


def _observation_post(observed=None, **extra):
    data = {"date": _today().isoformat(), "class_name": "三(2)班", "subject": "语文", "title": "《桂林山水》",
            "observed": observed.pk if observed else "", "observed_name": "" if observed else "王老师",
            "content": "导入自然，学生参与度高。", "critique": "板书清晰，朗读指导到位。"}
    data.update(extra)
    return data


def _with_attachment(record, name="附件.pdf"):
    return RecordAttachment.objects.create(record=record, file=_pdf(name), original_name=name, size=len(PDF))


@pytest.fixture
def math_teacher(growth, people):
    math = Group.objects.create(school=growth.school, name="数学组", kind="research", subject="数学")
    return people.teacher(growth.school, username="mathteacher", name="赵老师", groups=[math])


def test_each_page_renders_for_its_role(client, growth):
    roles = growth.roles
    c = _client(client, roles.teacher)
    for url in (reverse("growth:my"), reverse("growth:observed_me"), reverse("growth:record_add"),
                reverse("growth:record_add") + "?kind=observation", reverse("growth:record_add") + "?kind=award"):
        assert c.get(url).status_code == 200, url
    page = c.get(reverse("growth:record_add") + "?kind=observation").content.decode()
    assert "评课" in page and 'name="observed"' in page and 'name="attachments"' in page and "multiple" in page
    award = c.get(reverse("growth:record_add") + "?kind=award").content.decode()
    assert "赛事名称" in award and "指导学生获奖" in award and "一等奖" in award and 'name="critique"' not in award
    assert c.get(reverse("growth:record_add") + "?kind=bogus").status_code == 400
    assert c.get(reverse("growth:review_list")).status_code == 403
    c = _client(client, roles.school_admin)
    assert c.get(reverse("growth:review_list")).status_code == 200
    assert c.get(reverse("growth:review_list") + "?export=xlsx").status_code == 200
    c = _client(client, roles.bureau)
    assert c.get(reverse("growth:my")).status_code == 404  # no teacher file behind the account


def test_the_growth_home_filters_records_by_the_schools_year(client, growth):
    from yanxiu.growth.services.tiers import terms_set

    roles = growth.roles
    year = calendar.school_year_of(growth.school, _today()) - 1
    terms_set(actor=roles.school_admin, school=growth.school, school_year=year,
              spans=[(dt.date(year, 8, 20), dt.date(year + 1, 1, 31)), (dt.date(year + 1, 2, 1), dt.date(year + 1, 8, 10))])
    growth.record(roles.member.person, "case", dt.date(year, 8, 25), title="开学前的案例")
    growth.record(roles.member.person, "case", dt.date(year + 1, 8, 15), title="暑假里的案例")
    page = _client(client, roles.member).get(reverse("growth:my") + f"?year={year}").content.decode()
    assert "开学前的案例" in page and "暑假里的案例" not in page


def test_growth_home_shows_progress_behind_in_red(client, growth):
    teacher = growth.roles.teacher
    Employment.objects.filter(person=teacher.person).update(tier="young")
    growth.adopt("001-1-young")
    term = calendar.term_of(growth.school, _today())
    growth.record(teacher.person, "observation", term.start)
    growth.record(teacher.person, "observation", term.start, accepted=False)
    page = _client(client, teacher).get(reverse("growth:my")).content.decode()
    assert "青年教师“六个一”" in page and term.label in page
    row = page.split('data-kind="observation"')[0].rsplit("<tr", 1)[1] + page.split('data-kind="observation"')[1].split("</tr>")[0]
    assert '<span class="progress-done">1</span> / 17' in row
    if (_today() - term.start).days >= 20:  # far enough into the term that 1 of 17 is behind
        assert "text-danger" in row
    listed = _client(client, teacher).get(reverse("growth:my") + "?status=submitted").content.decode()
    assert len(set(re.findall(r'href="/growth/records/(\d+)/"', listed))) == 1


def test_teacher_files_an_observation_with_an_attachment(client, growth):
    teacher, member = growth.roles.teacher, growth.roles.member
    c = _client(client, teacher)
    data = _observation_post(observed=member.person, attachments=[_pdf("a.pdf"), _pdf("b.pdf")])
    response = c.post(reverse("growth:record_add") + "?kind=observation", data)
    record = GrowthRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("growth:record_detail", args=[record.pk])
    assert record.person == teacher.person and record.observed == member.person and record.status == "submitted"
    assert record.critique == "板书清晰，朗读指导到位。" and record.attachments.count() == 2
    page = c.get(response["Location"]).content.decode()
    assert "待审核" in page and "a.pdf" in page
    download = c.get(reverse("growth:attachment", args=[record.attachments.first().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


def test_bad_attachment_is_refused_in_chinese_and_nothing_is_stored(client, growth, media):
    c = _client(client, growth.roles.teacher)
    data = _observation_post(attachments=[_pdf("good.pdf"), SimpleUploadedFile("教案.pdf", EXE, content_type="application/pdf")])
    response = c.post(reverse("growth:record_add") + "?kind=observation", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "附件“教案.pdf”的内容不是有效的PDF文件" in page
    assert not GrowthRecord.objects.exists() and not RecordAttachment.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    six = _observation_post(attachments=[_pdf(f"{n}.pdf") for n in range(6)])
    assert "最多 5 个附件" in c.post(reverse("growth:record_add") + "?kind=observation", six).content.decode()
    missing = c.post(reverse("growth:record_add") + "?kind=award", {"date": _today().isoformat(), "title": "优质课比赛"})
    assert missing.status_code == 400 and "“获奖”须填写赛事名称" in missing.content.decode() and not GrowthRecord.objects.exists()


def test_a_teacher_gets_404_for_another_teachers_record_and_attachment(client, growth):
    roles = growth.roles
    record = growth.record(roles.member.person, "case", _today(), accepted=False, title="一次课堂冲突的处理")
    item = _with_attachment(record)
    c = _client(client, roles.teacher)
    assert c.get(reverse("growth:record_detail", args=[record.pk])).status_code == 404
    assert c.get(reverse("growth:attachment", args=[item.pk])).status_code == 404
    assert c.get(reverse("growth:record_edit", args=[record.pk])).status_code == 404
    c = _client(client, roles.member)
    assert c.get(reverse("growth:record_detail", args=[record.pk])).status_code == 200
    assert c.get(reverse("growth:attachment", args=[item.pk])).status_code == 200


def test_the_observed_teacher_sees_the_critique_but_not_the_review(client, growth):
    roles = growth.roles
    record = growth.record(roles.member.person, "observation", _today(), observed=roles.teacher.person, observed_name="",
                           critique="提问设计有梯度。", content="听课笔记", review_reason="记录很完整")
    c = _client(client, roles.teacher)
    page = c.get(reverse("growth:record_detail", args=[record.pk])).content.decode()
    assert "提问设计有梯度。" in page and "听课笔记" in page and "听了您的课" in page
    assert "记录很完整" not in page and "审核状态" not in page
    listed = c.get(reverse("growth:observed_me")).content.decode()
    assert reverse("growth:record_detail", args=[record.pk]) in listed and "组员" in listed
    assert _client(client, roles.other_teacher).get(reverse("growth:record_detail", args=[record.pk])).status_code == 404


def test_the_record_page_links_back_to_the_list_its_reader_came_from(client, growth):
    roles = growth.roles
    record = growth.record(roles.member.person, "observation", _today(), observed=roles.teacher.person, observed_name="",
                           accepted=False)
    detail = reverse("growth:record_detail", args=[record.pk])
    for user, back in ((roles.member, "growth:my"), (roles.teacher, "growth:observed_me"),
                       (roles.school_admin, "growth:review_list")):
        page = _client(client, user).get(detail).content.decode()
        assert f'href="{reverse(back)}">返回</a>' in page, user
    page = _client(client, roles.leader).get(detail).content.decode()
    assert ">返回</a>" not in page
    chooser = _client(client, roles.member).get(reverse("growth:record_add")).content.decode()
    assert f'href="{reverse("growth:my")}">返回</a>' in chooser


def test_group_leader_sees_their_groups_records_not_another_groups(client, growth, math_teacher):
    roles = growth.roles
    mine = growth.record(roles.member.person, "reading_note", _today(), title="《给教师的建议》")
    other = growth.record(math_teacher.person, "reading_note", _today(), title="《数学教育心理学》")
    c = _client(client, roles.leader)
    page = c.get(reverse("growth:record_detail", args=[mine.pk]))
    assert page.status_code == 200 and 'id="review-actions"' not in page.content.decode()
    assert c.get(reverse("growth:record_detail", args=[other.pk])).status_code == 404
    assert c.post(reverse("growth:record_review", args=[mine.pk]), {"decision": "accept"}).status_code == 403


def test_the_old_school_keeps_a_read_only_view_after_a_transfer(client, growth):
    from yanxiu.org.services import teacher_transfer

    roles = growth.roles
    teacher = roles.teacher.person
    old = growth.record(teacher, "case", _today() - dt.timedelta(days=3), accepted=False, title="在原校写的案例")
    teacher_transfer(actor=roles.school_admin, employment=Employment.objects.get(person=teacher), to_school=roles.other_admin.person.employments.get().school,
                     date=_today() - dt.timedelta(days=1), reason="工作需要")
    new = growth.record(teacher, "case", _today(), accepted=False, title="在新校写的案例")
    c = _client(client, roles.school_admin)
    page = c.get(reverse("growth:record_detail", args=[old.pk])).content.decode()
    assert "在原校写的案例" in page and "只读" in page and 'id="review-actions"' not in page
    assert c.get(reverse("growth:record_detail", args=[new.pk])).status_code == 404
    assert c.post(reverse("growth:record_review", args=[old.pk]), {"decision": "accept"}).status_code == 403
    assert "在原校写的案例" not in c.get(reverse("growth:review_list")).content.decode()
    c = _client(client, roles.other_admin)  # the new school sees the whole file and reviews it
    page = c.get(reverse("growth:record_detail", args=[old.pk])).content.decode()
    assert 'id="review-actions"' in page and "只读" not in page
    listed = c.get(reverse("growth:review_list")).content.decode()
    assert "在原校写的案例" in listed and "在新校写的案例" in listed


def test_review_accepts_and_credits_and_returns_with_a_reason(client, growth, policy):
    roles = growth.roles
    c = _client(client, roles.teacher)
    lesson = {"date": _today().isoformat(), "title": "《赵州桥》公开课", "level": "county", "subject": "语文"}
    c.post(reverse("growth:record_add") + "?kind=public_lesson", lesson)
    c.post(reverse("growth:record_add") + "?kind=reading_note", {"date": _today().isoformat(), "title": "《陶行知教育文集》"})
    first, note = GrowthRecord.objects.order_by("id")
    admin = _client(client, roles.school_admin)
    listed = admin.get(reverse("growth:review_list") + "?kind=public_lesson").content.decode()
    assert "《赵州桥》公开课" in listed and "《陶行知教育文集》" not in listed and "张老师" in listed
    response = admin.post(reverse("growth:record_review", args=[first.pk]), {"decision": "accept"}, follow=True)
    assert "已计 2 学时" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "accepted" and first.credit_entry.hours == 2
    assert "已计 2 学时" in admin.get(reverse("growth:record_detail", args=[first.pk])).content.decode()
    refused = admin.post(reverse("growth:record_review", args=[note.pk]), {"decision": "return", "reason": " "}, follow=True)
    assert "退回时必须说明理由" in refused.content.decode()
    note.refresh_from_db()
    assert note.status == "submitted"
    admin.post(reverse("growth:record_review", args=[note.pk]), {"decision": "return", "reason": "请写明读书心得"})
    c = _client(client, roles.teacher)
    page = c.get(reverse("growth:record_detail", args=[note.pk])).content.decode()
    assert "请写明读书心得" in page and reverse("growth:record_edit", args=[note.pk]) in page
    assert c.get(reverse("growth:record_edit", args=[first.pk])).status_code == 403  # accepted: not editable
    edit = c.get(reverse("growth:record_edit", args=[note.pk])).content.decode()
    assert "《陶行知教育文集》" in edit
    c.post(reverse("growth:record_edit", args=[note.pk]), {"date": _today().isoformat(), "title": "《陶行知教育文集》",
                                                          "content": "教学做合一"})
    note.refresh_from_db()
    assert note.status == "submitted" and note.content == "教学做合一"


def test_the_school_files_for_its_teacher_only(client, growth):
    roles = growth.roles
    url = reverse("growth:record_add") + f"?kind=lecture&person={roles.teacher.person.pk}"
    admin = _client(client, roles.school_admin)
    assert admin.get(reverse("growth:record_add") + f"?person={roles.teacher.person.pk}").status_code == 200
    response = admin.post(url, {"date": _today().isoformat(), "title": "双减背景下的作业设计"})
    assert response.status_code == 302
    record = GrowthRecord.objects.get()
    assert record.person == roles.teacher.person and record.created_by == roles.school_admin
    assert _client(client, roles.other_admin).get(url).status_code == 404
    assert _client(client, roles.member).get(url).status_code == 404


def test_over_the_cap_the_record_page_says_why_no_credit(client, growth, policy):
    roles = growth.roles
    admin = _client(client, roles.school_admin)
    lessons = [growth.record(roles.teacher.person, "public_lesson", _today(), accepted=False, title=f"公开课{n}") for n in range(3)]
    messages = [admin.post(reverse("growth:record_review", args=[r.pk]), {"decision": "accept"}, follow=True).content.decode()
                for r in lessons]
    assert "已计 2 学时" in messages[0] and "已计 2 学时" in messages[1]
    assert "未计学时" in messages[2] and "上限" in messages[2]
    page = _client(client, roles.teacher).get(reverse("growth:record_detail", args=[lessons[2].pk])).content.decode()
    assert "未计学时：" in page and "上限" in page


def test_a_returned_record_is_corrected_with_an_attachment_replaced(client, growth, media, django_capture_on_commit_callbacks):
    from yanxiu.growth import services

    teacher = growth.roles.teacher
    c = _client(client, teacher)
    c.post(reverse("growth:record_add") + "?kind=test_paper",
           {"date": _today().isoformat(), "title": "四年级期中试卷", "attachments": [_pdf("旧卷.pdf")]})
    record = GrowthRecord.objects.get()
    old = record.attachments.get()
    old_path = old.file.path
    services.record_review(actor=growth.roles.school_admin, record=record, accept=False, reason="附件不是定稿")
    edit = c.get(reverse("growth:record_edit", args=[record.pk])).content.decode()
    assert "附件不是定稿" in edit and 'name="remove"' in edit
    assert os.path.exists(old_path)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("growth:record_edit", args=[record.pk]),
                          {"date": _today().isoformat(), "title": "四年级期中试卷", "remove": [old.pk], "attachments": [_pdf("定稿.pdf")]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "submitted"
    assert [a.original_name for a in record.attachments.all()] == ["定稿.pdf"]
    assert not RecordAttachment.objects.filter(pk=old.pk).exists() and not os.path.exists(old_path)


def test_review_list_filters_by_group_teacher_and_date(client, growth, math_teacher):
    roles = growth.roles
    growth.record(roles.member.person, "case", _today(), accepted=False, title="语文组的案例")
    growth.record(math_teacher.person, "case", _today() - dt.timedelta(days=10), accepted=False, title="数学组的案例")
    growth.record(roles.other_teacher.person, "case", _today(), accepted=False, title="外校的案例")
    admin = _client(client, roles.school_admin)
    everything = admin.get(reverse("growth:review_list")).content.decode()
    assert "语文组的案例" in everything and "数学组的案例" in everything and "外校的案例" not in everything
    by_group = admin.get(reverse("growth:review_list"), {"group": growth.group.pk}).content.decode()
    assert "语文组的案例" in by_group and "数学组的案例" not in by_group
    by_name = admin.get(reverse("growth:review_list"), {"q": "赵老师"}).content.decode()
    assert "数学组的案例" in by_name and "语文组的案例" not in by_name
    recent = admin.get(reverse("growth:review_list"), {"date_from": (_today() - dt.timedelta(days=2)).isoformat()}).content.decode()
    assert "语文组的案例" in recent and "数学组的案例" not in recent


def test_the_review_list_and_the_growth_home_read_a_fixed_number_of_queries(client, growth):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    roles = growth.roles
    Employment.objects.filter(person=roles.teacher.person).update(tier="young")
    growth.adopt("001-1-young")

    def counted(user, url, records):
        for n in range(records):
            _with_attachment(growth.record(roles.teacher.person, "case", _today(), accepted=False, title=f"案例{n}"))
        c = _client(client, user)
        c.get(url)  # warm: session, scope
        with CaptureQueriesContext(connection) as queries:
            assert c.get(url).status_code == 200
        return len(queries)

    for user, url, most in ((roles.school_admin, reverse("growth:review_list"), 12), (roles.teacher, reverse("growth:my"), 20)):
        few = counted(user, url, 2)
        many = counted(user, url, 12)
        assert few == many <= most, (url, few, many)
