"""公示 as a public notice: everyone at the school sees every teacher's hours
with totals (never ID numbers); the admin searches, prints and exports it, sees
open objections on the home page, resolves objections on the record, keeps
what was typed on an error, and sees a 补录 claimant's attendance and reflection."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.credits.factories import adopt, credit
from yanxiu.credits.models import Objection
from yanxiu.credits.services import objection_file, objection_resolve, posting_create


@pytest.fixture
def posted(roles, school):
    adopt("000", school.county)
    teacher, member = roles.teacher.person, roles.member.person
    credit(teacher, 2, title="集体备课")
    credit(teacher, 3.5, title="专题讲座")
    credit(member, 1.5, title="读书分享")
    today = timezone.localdate()
    return posting_create(actor=roles.school_admin, school=school, title="十月学时公示", period_start=today - dt.timedelta(days=30),
                          period_end=today)


def page(client, user, posting, **query):
    client.force_login(user)
    response = client.get(reverse("credits:posting_detail", args=[posting.pk]), query)
    assert response.status_code == 200
    # The page's own content, without the menu (whose entries, such as 集体备课, could match a title).
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_every_teacher_of_the_school_sees_all_names_with_totals_and_no_id_numbers(client, posted, roles):
    text = page(client, roles.member, posted)
    assert "张老师" in text and "组员" in text and "集体备课" in text and "读书分享" in text
    assert "张老师 小计" in text and ">5.5<" in text  # 2 + 3.5
    assert ">7<" in text  # 5.5 + 1.5: the posting's total
    for person in (roles.teacher.person, roles.member.person):
        assert person.id_number not in text and person.id_number[-4:] not in text


def test_a_teacher_of_another_school_does_not_see_it(client, posted, roles):
    client.force_login(roles.other_teacher)
    assert client.get(reverse("credits:posting_detail", args=[posted.pk])).status_code == 404


def test_the_admin_searches_the_posting(client, posted, roles):
    text = page(client, roles.school_admin, posted, q="组员")
    assert "读书分享" in text and "集体备课" not in text
    text = page(client, roles.school_admin, posted, q="讲座")
    assert "专题讲座" in text and "读书分享" not in text
    assert page(client, roles.school_admin, posted, q="x" * 5000)  # bounded, no error


def test_the_posting_prints_for_the_notice_board(client, posted, roles):
    client.force_login(roles.school_admin)
    response = client.get(reverse("credits:posting_print", args=[posted.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and "data-print" in text  # the print button (script from the site, CSP)
    assert "十月学时公示" in text and "张老师" in text and "2 人，3 条" in text and roles.teacher.person.id_number not in text


def test_the_admin_exports_the_posting_and_a_teacher_may_not(client, posted, roles):
    client.force_login(roles.school_admin)
    response = client.get(reverse("credits:posting_export", args=[posted.pk]))
    assert response.status_code == 200
    rows = [[c for c in row if c is not None] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    flat = [str(c) for row in rows for c in row]
    assert "张老师" in flat and "组员" in flat and "小计" in flat and "合计" in flat
    assert any(row[-2:] == [7, 7] or row[-2:] == [7.0, 7.0] for row in rows if "合计" in [str(c) for c in row])
    assert not any(roles.teacher.person.id_number in c for c in flat)
    client.force_login(roles.teacher)
    assert client.get(reverse("credits:posting_export", args=[posted.pk])).status_code == 403


def test_the_admin_home_counts_open_objections(client, posted, roles):
    entry = posted.entries.filter(person=roles.teacher.person).first()
    objection_file(actor=roles.teacher, posting=posted, entry=entry, reason="那天我请假了")
    objection_file(actor=roles.member, posting=posted, reason="十月九日的观课没有登记")
    client.force_login(roles.school_admin)
    text = client.get("/").content.decode()
    # The to-do list says how many wait and opens the postings.
    assert "处理 2 条公示异议" in text
    item = text[:text.index("处理 2 条公示异议")]
    assert item[item.rindex("<a "):].count(reverse("credits:postings")) == 1


def test_the_teacher_home_shows_the_year_standing(client, posted, roles, school):
    from yanxiu.credits.selectors import current_school_year

    credit(roles.teacher.person, 6, year=current_school_year(school.county), title="本学年校本研修")
    client.force_login(roles.teacher)
    text = client.get("/").content.decode()
    card = text[text.index("本学年学时"):][:300]
    assert "6 / 48 学时" in card and "还差 42 学时" in card and "不能评优秀" not in card


def test_a_resolution_is_recorded_in_the_posting_history(client, posted, roles):
    entry = posted.entries.filter(person=roles.teacher.person).first()
    objection = objection_file(actor=roles.teacher, posting=posted, entry=entry, reason="那天我请假了")
    objection_resolve(actor=roles.school_admin, objection=objection, decision="reject", resolution="签到记录显示当天出席")
    text = page(client, roles.school_admin, posted)
    history = text[text.index('id="posting-history"'):]
    assert "提出异议" in history and "处理异议" in history and "签到记录显示当天出席" in history and "张老师" in history


def test_a_resolve_error_keeps_what_was_typed(client, posted, roles):
    objection = objection_file(actor=roles.member, posting=posted, reason="十月九日的观课没有登记")
    client.force_login(roles.school_admin)
    response = client.post(reverse("credits:objection_resolve", args=[objection.pk]),
                           {"decision": "add", "resolution": "核实属实，补录观课学时", "title": "", "kind": "", "hours": ""})
    text = response.content.decode()
    assert response.status_code == 400
    assert "补录须填写培训名称、类别和学时" in text and 'value="核实属实，补录观课学时"' in text
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN


def test_an_objection_error_keeps_what_was_typed(client, posted, roles, school):
    from yanxiu.training.models import Project, Session

    project = Project.objects.create(owner_school=school, region=school.county, title="数学组教研", school_year="2025-2026", status="approved")
    start = timezone.now() - dt.timedelta(days=3)
    not_mine = Session.objects.create(project=project, title="观课", starts_at=start, ends_at=start + dt.timedelta(hours=2), hours=2,
                                      status="published")
    client.force_login(roles.member)
    response = client.post(reverse("credits:objection_create", args=[posted.pk]), {"session": not_mine.pk, "reason": "这次观课我参加了"})
    text = response.content.decode()
    assert response.status_code == 400 and "只能选择本人参加的培训活动" in text and "这次观课我参加了" in text
    assert not Objection.objects.exists()


def test_a_makeup_objection_shows_the_teachers_attendance_and_reflection(client, posted, roles, school):
    from yanxiu.attendance.models import Attendance, Reflection
    from yanxiu.training.models import Enrollment, Project, Session

    project = Project.objects.create(owner_school=school, region=school.county, title="数学组教研", school_year="2025-2026", status="approved")
    start = timezone.now() - dt.timedelta(days=3)
    session = Session.objects.create(project=project, title="观课", starts_at=start, ends_at=start + dt.timedelta(hours=2), hours=2,
                                     status="published")
    member = roles.member.person
    Enrollment.objects.create(session=session, person=member, school=school)
    Attendance.objects.create(session=session, person=member, status=Attendance.Status.PRESENT, signed_in_at=start + dt.timedelta(minutes=1))
    Reflection.objects.create(session=session, person=member, body="观课反思" * 60, plain_text="观课反思" * 60,
                              status=Reflection.Status.SUBMITTED, submitted_at=start + dt.timedelta(hours=3))
    teacher_page = page(client, roles.member, posted)
    assert f'<option value="{session.pk}"' in teacher_page
    client.post(reverse("credits:objection_create", args=[posted.pk]), {"session": session.pk, "reason": "观课没有登记"})
    objection = Objection.objects.get()
    assert objection.session == session
    text = page(client, roles.school_admin, posted)
    card = text[text.index(f'id="objection-{objection.pk}"'):]
    assert "该教师的考勤与反思" in card and "考勤 正常" in card and "反思 待审阅" in card and "240 字" in card
    assert 'value="数学组教研·观课"' in card  # the 补录 form starts from the session
