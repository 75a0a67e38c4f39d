"""Notices (通报): the rows of each kind, numbering, the frozen documents, who reads them, bad scopes."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.credits.factories import adopt, credit
from tests.reports.office import docx_text
from yanxiu.attendance.models import Attendance
from yanxiu.core.models import AuditEvent
from yanxiu.reports import notices
from yanxiu.reports.models import DocumentSettings, OfficialNotice
from yanxiu.reports.services.notices import document_settings_set, notice_issue
from yanxiu.training.models import Enrollment, LeaveRequest, Project, Session

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 10, 15)


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def make_session(county, title, day=DAY, *, owner=None, group=None):
    project = Project.objects.create(owner_school=owner, region=county, title=f"{title}项目", school_year="2026-2027",
                                     level="school" if owner else "county", status="approved")
    return Session.objects.create(project=project, title=title, starts_at=local(day, 9), ends_at=local(day, 12),
                                  status="published", place="县教师发展中心", group=group)


def enrol(session, user):
    person = user.person
    return Enrollment.objects.create(session=session, person=person, school=person.current_employment.school)


@pytest.fixture
def absence_data(roles, people, county, school, school_b, far_school):
    """A bureau session: one present, one absent without leave, one approved leave, one rejected, one from another county."""
    session = make_session(county, "县级骨干教师集中培训")
    present = people.teacher(school, username="present", name="王出席")
    far = people.teacher(far_school, username="far", name="外县教师")
    for user in (present, roles.teacher, roles.member, roles.other_teacher, far):
        enrol(session, user)
    Attendance.objects.create(session=session, person=present.person, status="present")
    LeaveRequest.objects.create(session=session, person=roles.member.person, school=school, leave_type="sick",
                                reason="发烧住院", status="approved")
    LeaveRequest.objects.create(session=session, person=roles.other_teacher.person, school=school_b, leave_type="personal",
                                reason="家中有事", status="rejected")
    return session


@pytest.fixture
def doc_settings(roles, county):
    return document_settings_set(actor=roles.bureau, region=county, issuing_body="长沙县教育局", number_prefix="长教通")


def by_name(rows):
    return {r["name"]: r for r in rows}


# --- Rows ----------------------------------------------------------------------------


def test_absence_rows_name_the_absent_the_rejected_and_the_approved_of_the_county_only(absence_data, county, roles, school_b):
    rows = by_name(notices.absence_rows(county, {"session": absence_data.pk}))
    assert set(rows) == {"张老师", "组员", "李老师"}  # not 王出席 (present), not 外县教师 (another county)
    assert rows["张老师"]["reason"] == "无故缺训" and rows["张老师"]["approved"] is False
    assert rows["张老师"]["school"] == "长沙县星沙第一小学" and rows["张老师"]["date"] == "2026-10-15"
    assert rows["李老师"]["reason"] == "请假未获批准（事假）" and rows["李老师"]["approved"] is False
    assert rows["李老师"]["school_id"] == school_b.pk
    assert rows["组员"]["reason"] == "病假：发烧住院" and rows["组员"]["approved"] is True
    assert all(r["session"] == "县级骨干教师集中培训" for r in rows.values())
    # The same rows through the project and the month; another month has none.
    assert by_name(notices.absence_rows(county, {"project": absence_data.project_id})) == rows
    assert by_name(notices.absence_rows(county, {"month": "2026-10"})) == rows
    assert notices.absence_rows(county, {"month": "2026-09"}) == []


def test_absence_rows_read_in_a_bounded_number_of_queries(absence_data, county, people, school, django_assert_max_num_queries):
    for n in range(8):
        enrol(absence_data, people.teacher(school, username=f"extra{n}"))
    with django_assert_max_num_queries(4):
        rows = notices.absence_rows(county, {"session": absence_data.pk})
    assert len(rows) == 11


def test_a_session_of_another_county_is_not_a_scope(absence_data, county, other_county):
    with pytest.raises(Exception) as exc:
        notices.absence_rows(other_county, {"session": absence_data.pk})
    assert "不是本县的培训" in str(exc.value)


def test_unit_rows_and_the_figures_to_choose_from(roles, county, school, school_b, group, far_school):
    adopt("000", county)
    credit(roles.teacher.person, 80, year=2026)  # the school's teacher met the year's minimum
    session = make_session(county, "语文组集体备课", owner=school, group=group)
    enrol(session, roles.member)  # absent
    schools, groups = notices.school_figures(county, 2026)
    first = next(f for f in schools if f.pk == school.pk)
    assert first.sessions_held == 1 and first.absences == 1 and first.teachers >= 3 and first.met == 1
    assert first.rate_text == f"{round(100 / first.teachers, 1)}%"
    assert [g.name for g in groups] == ["语文组"] and groups[0].sessions_held == 1 and groups[0].absences == 1
    assert far_school.pk not in {f.pk for f in schools}
    rows = notices.unit_rows(county, {"schools": [school.pk], "groups": [group.pk], "reason": "组织有力",
                                      "reasons": {f"group:{group.pk}": "集体备课每周落实"}})
    assert [(r["unit"], r["unit_kind"], r["reason"]) for r in rows] == [
        ("长沙县星沙第一小学", "school", "组织有力"), ("语文组", "group", "集体备课每周落实")]
    with pytest.raises(Exception) as exc:
        notices.unit_rows(county, {"schools": [school.pk, school_b.pk], "reasons": {f"school:{school.pk}": "好"}})
    assert "第 2 行（长沙县榔梨中学）：请填写事由" in str(exc.value)
    with pytest.raises(Exception) as exc:
        notices.unit_rows(county, {"schools": [far_school.pk], "reason": "x"})
    assert "不是本县的学校" in str(exc.value)


# --- Issuing, numbering, freezing ------------------------------------------------------


def issue(actor, county, session, **kw):
    return notice_issue(actor=actor, region=county, kind="absence", scope={"session": session.pk},
                        title=kw.get("title", "关于县级培训缺训与请假情况的通报"), body=kw.get("body", "现将情况通报如下。"),
                        date=kw.get("date", dt.date(2026, 11, 2)))


def test_notices_are_numbered_in_order_and_the_constraint_holds(absence_data, doc_settings, roles, county):
    first = issue(roles.bureau, county, absence_data)
    second = issue(roles.centre, county, absence_data)
    assert (first.doc_number, second.doc_number) == ("长教通〔2026〕1号", "长教通〔2026〕2号")
    assert AuditEvent.objects.filter(action="report.notice_issue", county_id=county.pk).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficialNotice.objects.create(region=county, kind="absence", issuing_body="x", number_year=2026, number_seq=2,
                                      doc_number="dup", title="t", date=DAY)
    assert issue(roles.bureau, county, absence_data, date=dt.date(2025, 12, 30)).doc_number == "长教通〔2025〕1号"


def test_a_number_taken_meanwhile_is_retried_with_the_next(absence_data, doc_settings, roles, county, monkeypatch):
    from yanxiu.reports.services import notices as service

    issue(roles.bureau, county, absence_data)
    monkeypatch.setattr(service, "next_number", lambda region, year: 1)  # as if another issue had not been seen
    assert issue(roles.bureau, county, absence_data).doc_number == "长教通〔2026〕2号"


def test_issuing_needs_settings_and_rights(absence_data, roles, county):
    with pytest.raises(Exception) as exc:
        issue(roles.bureau, county, absence_data)
    assert "请先设置" in str(exc.value)
    DocumentSettings.objects.create(region=county, issuing_body="长沙县教育局", number_prefix="长教通")
    for user in (roles.school_admin, roles.far_bureau, roles.teacher):
        with pytest.raises(Exception) as exc:
            issue(user, county, absence_data)
        assert "只有本县" in str(exc.value)
    with pytest.raises(Exception) as exc:
        issue(roles.bureau, county, absence_data, date=timezone.localdate() + dt.timedelta(days=1))
    assert "不能晚于今天" in str(exc.value)
    assert not OfficialNotice.objects.exists()


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "").replace("\n", "")


def test_the_issued_docx_and_pdf_keep_what_was_issued(client, absence_data, doc_settings, roles, county, school, tmp_path):
    notice = issue(roles.bureau, county, absence_data)
    roles.teacher.person.name = "改名后"
    roles.teacher.person.save()
    school.name = "新校名"
    school.save()
    DocumentSettings.objects.filter(region=county).update(issuing_body="别的机关")
    client.force_login(roles.bureau)
    docx = client.get(reverse("reports:notice_docx", args=[notice.pk]))
    assert docx.status_code == 200 and "filename*=UTF-8''" in docx["Content-Disposition"]
    path = tmp_path / "notice.docx"
    path.write_bytes(docx.content)
    text = docx_text(path)
    for expected in ("长沙县教育局", "长教通〔2026〕1号", "关于县级培训缺训与请假情况的通报", "各中小学、各学校：", "张老师", "组员", "李老师",
                     "长沙县星沙第一小学", "无故缺训", "2026年11月2日"):
        assert expected in text
    assert "改名后" not in text and "新校名" not in text and "别的机关" not in text and "外县教师" not in text
    pdf = client.get(reverse("reports:notice_pdf", args=[notice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in ("长沙县教育局", "长教通〔2026〕1号", "缺训与请假情况的通报", "张老师", "李老师", "请假未获批准"):
        assert expected in text
    assert "改名后" not in text
    assert roles.teacher.person.id_number not in text and roles.teacher.person.phone not in text


# --- Pages -------------------------------------------------------------------------


def test_the_settings_page_saves_and_the_notice_page_asks_for_it_first(client, roles, county):
    client.force_login(roles.bureau)
    page = client.get(reverse("reports:notice_new")).content.decode()
    assert "请先设置长沙县的发文机关" in page and reverse("reports:notice_settings") in page
    response = client.post(reverse("reports:notice_settings"), {"issuing_body": "长沙县教育局", "number_prefix": "长教通"})
    assert response.status_code == 302
    assert DocumentSettings.objects.get(region=county).number_prefix == "长教通"
    assert AuditEvent.objects.filter(action="report.document_settings").count() == 1
    response = client.post(reverse("reports:notice_settings"), {"issuing_body": "长沙县教育局", "number_prefix": "长教通〔2026〕"})
    assert response.status_code == 400 and "只写代字" in response.content.decode()
    for user in (roles.school_admin, roles.teacher):
        client.force_login(user)
        assert client.get(reverse("reports:notice_settings")).status_code == 403
        assert client.get(reverse("reports:notice_new")).status_code == 403


TOKEN = re.compile(r'name="issue_token" value="([^"]+)"')


def issue_token(page: str) -> str:
    """The one-time issue token of a preview page."""
    return TOKEN.search(page).group(1)


def test_preview_then_issue_from_the_page(client, absence_data, doc_settings, roles, county):
    client.force_login(roles.bureau)
    url = reverse("reports:notice_new") + f"?preview=1&kind=absence&scope=training&year=2026&project={absence_data.project_id}&session={absence_data.pk}"
    page = client.get(url).content.decode()
    assert "长教通〔2026〕X号" in page and "各中小学、各学校：" in page and "张老师" in page and "外县教师" not in page
    assert "缺训 2 人次（其中无故缺训 1 人次、请假未获批准 1 人次）" in page
    token = issue_token(page)
    response = client.post(url, {"title": "关于十月培训的通报", "date": "2026-11-20", "body": "改写的正文。", "action": "preview",
                                 "issue_token": token})
    assert response.status_code == 200 and "改写的正文。" in response.content.decode()
    assert issue_token(response.content.decode()) == token  # a redrawn preview keeps its token
    assert not OfficialNotice.objects.exists()
    response = client.post(url, {"title": "关于十月培训的通报", "date": "2026-11-20", "body": "改写的正文。", "action": "issue",
                                 "issue_token": token})
    notice = OfficialNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:notice_detail", args=[notice.pk])
    assert notice.body == "改写的正文。" and notice.scope["session"] == absence_data.pk and len(notice.rows) == 3
    assert set(notice.scope) == {"session", "issue_token"}
    detail = client.get(response["Location"]).content.decode()
    assert "长教通〔2026〕1号" in detail and "关于十月培训的通报" in detail


def test_the_same_preview_issued_twice_issues_one_notice(client, absence_data, doc_settings, roles, county):
    client.force_login(roles.bureau)
    url = reverse("reports:notice_new") + f"?preview=1&kind=absence&scope=training&year=2026&project={absence_data.project_id}&session={absence_data.pk}"
    post = {"title": "关于十月培训的通报", "date": "2026-11-20", "body": "正文。", "action": "issue",
            "issue_token": issue_token(client.get(url).content.decode())}
    first = client.post(url, post)
    second = client.post(url, {**post, "title": "改过的标题"})
    notice = OfficialNotice.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("reports:notice_detail", args=[notice.pk])
    assert notice.title == "关于十月培训的通报" and notice.doc_number == "长教通〔2026〕1号"
    assert AuditEvent.objects.filter(action="report.notice_issue").count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "该通报已经印发（长教通〔2026〕1号），没有重复印发。" in page
    # The service itself refuses a second issue of the same token (two submits passing the page check at once).
    again = notice_issue(actor=roles.bureau, region=county, kind="absence", scope={"session": absence_data.pk},
                         title="又一次", body="正文。", date=dt.date(2026, 11, 20),
                         issue_token=notice.scope["issue_token"])
    assert again.pk == notice.pk and OfficialNotice.objects.count() == 1
    # A fresh preview issues the next notice.
    response = client.post(url, {**post, "issue_token": issue_token(client.get(url).content.decode())})
    assert OfficialNotice.objects.count() == 2 and response.status_code == 302


def test_an_issue_without_a_valid_token_issues_nothing(client, absence_data, doc_settings, roles, county):
    client.force_login(roles.bureau)
    url = reverse("reports:notice_new") + f"?preview=1&kind=absence&scope=training&year=2026&project={absence_data.project_id}&session={absence_data.pk}"
    post = {"title": "关于十月培训的通报", "date": "2026-11-20", "body": "正文。", "action": "issue"}
    centre_token = notices.new_issue_token(roles.centre, county)  # signed for another officer
    for token in ("", "junk", centre_token, issue_token(client.get(url).content.decode())[:-2] + "xx"):
        response = client.post(url, {**post, "issue_token": token})
        page = response.content.decode()
        assert response.status_code == 400 and "页面已失效，请重新预览后再印发。" in page
        assert notices.issue_nonce(issue_token(page), roles.bureau, county)  # the page shown can be issued
    assert not OfficialNotice.objects.exists()


def test_commendation_from_the_page_with_a_reason_per_row(client, roles, doc_settings, county, school, group):
    client.force_login(roles.centre)
    url = reverse("reports:notice_new") + f"?preview=1&kind=commendation&year=2026&schools={school.pk}&groups={group.pk}"
    page = client.get(url).content.decode()
    assert "达标率（截至目前）" in page and "长沙县星沙第一小学" in page and "语文组" in page
    post = {"title": "关于表彰的通报", "date": "2026-11-20", "body": "予以表彰。", "action": "issue",
            f"reason_school_{school.pk}": "组织有力", f"reason_group_{group.pk}": "", "issue_token": issue_token(page)}
    response = client.post(url, post)
    assert response.status_code == 400 and "第 2 行（语文组）：请填写事由" in response.content.decode()
    response = client.post(url, {**post, "reason": "集体备课扎实"})
    notice = OfficialNotice.objects.get()
    assert response.status_code == 302 and notice.kind == "commendation"
    assert [(r["unit"], r["reason"]) for r in notice.rows] == [("长沙县星沙第一小学", "组织有力"), ("语文组", "集体备课扎实")]


@pytest.mark.parametrize("query, message", [
    ("kind=absence&scope=training&project=abc", "选择一个有效的选项"),
    ("kind=absence&scope=training&project=1&session=99999999999999999999999", "选择一个有效的选项"),
    ("kind=absence&scope=month&month=2026-13", "月份须在 1 至 12 之间"),
    ("kind=absence&scope=month&month=junk", "月份须写成 年-月"),
    ("kind=absence&scope=training&year=" + "1" + "0" * 30, "年份须在"),
    ("kind=commendation&schools=-1", "选择一个有效的选项"),
    ("kind=commendation", "请至少选择一所学校或一个教研组"),
    ("kind=nonsense", "选择一个有效的选项"),
])
def test_bad_scope_parameters_are_form_errors(client, roles, doc_settings, query, message):
    client.force_login(roles.bureau)
    response = client.get(reverse("reports:notice_new") + "?preview=1&" + query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_changing_the_kind_redraws_the_choices_without_errors(client, roles, doc_settings, absence_data, school):
    client.force_login(roles.bureau)
    page = client.get(reverse("reports:notice_new"), {"kind": "criticism", "year": "2026"})
    html = page.content.decode()
    assert page.status_code == 200 and "长沙县星沙第一小学" in html and "invalid-feedback" not in html
    page = client.get(reverse("reports:notice_new"), {"kind": "absence", "scope": "training", "year": "2026",
                                                      "project": absence_data.project_id})
    html = page.content.decode()
    assert page.status_code == 200 and "2026-10-15 县级骨干教师集中培训" in html and "长教通〔2026〕X号" not in html


def test_bad_region_and_ids_never_500(client, roles, doc_settings, other_county):
    client.force_login(roles.bureau)
    assert client.get(reverse("reports:notice_new") + "?region=" + "9" * 40).status_code == 400
    assert client.get(reverse("reports:notice_new") + f"?region={other_county.pk}").status_code == 404
    assert client.get(reverse("reports:notice_detail", args=[2**62])).status_code == 404


def test_who_reads_which_notice(client, absence_data, doc_settings, roles, county, school, people, far_school):
    notice = issue(roles.bureau, county, absence_data)
    # Only school_b's teacher is named in a second notice.
    only_b = notice_issue(actor=roles.bureau, region=county, kind="criticism", scope={"schools": [roles.other_teacher.person.current_employment.school_id], "reason": "台账缺失"},
                          title="关于通报批评的通报", body="予以通报批评。", date=dt.date(2026, 11, 3))
    far = OfficialNotice.objects.create(region=far_school.county, kind="absence", issuing_body="浏阳市教育局", number_year=2026,
                                        number_seq=1, doc_number="浏教通〔2026〕1号", title="外县通报", date=DAY,
                                        rows=[{"name": "x", "school_id": far_school.pk}])
    expectations = {
        "bureau": ({notice.pk, only_b.pk}, 200), "centre": ({notice.pk, only_b.pk}, 200),
        "school_admin": ({notice.pk}, 200), "other_admin": ({notice.pk, only_b.pk}, 200), "far_bureau": ({far.pk}, 200),
    }
    for role, (visible, status) in expectations.items():
        user = getattr(roles, role)
        assert set(notices.notices_visible_to(user).values_list("pk", flat=True)) == visible, role
        client.force_login(user)
        assert client.get(reverse("reports:notice_list")).status_code == status
        for pk in (notice.pk, only_b.pk, far.pk):
            expected = 200 if pk in visible else 404
            assert client.get(reverse("reports:notice_detail", args=[pk])).status_code == expected, (role, pk)
            assert client.get(reverse("reports:notice_pdf", args=[pk])).status_code == expected, (role, pk)
    page = client.get(reverse("reports:notice_list"))
    for role in ("teacher", "leader", "presenter"):
        client.force_login(getattr(roles, role))
        assert client.get(reverse("reports:notice_list")).status_code == 403
        assert client.get(reverse("reports:notice_detail", args=[notice.pk])).status_code == 403
    client.force_login(roles.school_admin)
    page = client.get(reverse("reports:notice_list")).content.decode()
    assert "长教通〔2026〕1号" in page and reverse("reports:notice_new") not in page


def test_a_name_starting_with_equals_stays_text(absence_data, doc_settings, roles, county, people, school, tmp_path):
    odd = people.teacher(school, username="odd", name="=HYPERLINK(1)")
    enrol(absence_data, odd)
    notice = issue(roles.bureau, county, absence_data)
    assert "=HYPERLINK(1)" in {r["name"] for r in notice.rows}
    from yanxiu.reports.documents import render

    path = tmp_path / "odd.docx"
    path.write_bytes(render(notices.notice_document(notice), "docx"))
    assert "=HYPERLINK(1)" in docx_text(path)


HOSTILE = [str(10**30), "-1", "abc", "", "\x00", "9" * 5000, "9223372036854775808", "0001-01-01", "9999-12-31", "１２３"]
READ = ["kind", "scope", "year", "project", "session", "month", "schools", "groups", "region", "page", "sort", "q", "number_year"]


@pytest.mark.parametrize("kind", ["absence", "commendation"])
def test_hostile_values_in_every_parameter_never_500(client, absence_data, doc_settings, roles, kind):
    client.force_login(roles.bureau)
    base = {"preview": "1", "kind": kind, "scope": "training", "project": str(absence_data.project_id), "year": "2026"}
    for name in READ:
        for value in HOSTILE:
            for url in (reverse("reports:notice_new"), reverse("reports:notice_list")):
                response = client.get(url, {**base, name: value})
                allowed = (200, 400, 404) if name == "region" else (200, 400)  # another county's id is a 404
                assert response.status_code in allowed, (url, name, value[:30], response.status_code)
    url = reverse("reports:notice_new") + f"?preview=1&kind=absence&scope=training&project={absence_data.project_id}"
    token = issue_token(client.get(url).content.decode())
    for value in HOSTILE:
        response = client.post(url, {"title": value, "date": value, "body": value, "action": "issue",
                                     "reason": value, "issue_token": token})
        assert response.status_code in (200, 302, 400), (value[:30], response.status_code)
        response = client.post(url, {"title": "标题", "date": "2026-11-20", "body": "正文", "action": "issue",
                                     "issue_token": value})
        assert response.status_code in (200, 302, 400), (value[:30], response.status_code)
    assert not OfficialNotice.objects.exists()  # no hostile date is a date a notice may carry
