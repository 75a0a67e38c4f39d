"""The register pages: scope, masking, the xlsx of exactly the rows shown (opened by LibreOffice), junk parameters."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.reports.office import xlsx_rows
from tests.reports.registers_data import YEAR, build

pytestmark = pytest.mark.django_db

ENTRIES = reverse("reports:register_entries")
SCHOOL = reverse("reports:register_school")


@pytest.fixture
def data(roles, school, school_b, county):
    return build(roles, school, school_b, county)


def _table(response) -> list[list[str]]:
    """The rows of the page's table as the reader sees them (cell texts)."""
    body = response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        rows.append([re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)])
    return rows


def _cells_by_sheet(path) -> dict[str, list[str]]:
    """Every non-empty cell of every sheet of the workbook, as text (the file is a zip: its bytes say nothing)."""
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
                for ws in wb.worksheets}
    finally:
        wb.close()


def _save(tmp_path, response, name="x.xlsx"):
    assert response.status_code == 200, response.status_code
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


def test_the_school_admin_sees_their_teachers_rows_masked_and_linked(client, data, roles, school_b):
    client.force_login(roles.school_admin)
    response = client.get(ENTRIES, {"year": YEAR, "sort": "date"})
    rows = _table(response)
    names = {r[0] for r in rows}
    assert names == {"张老师", "组员"} and len(rows) == 6
    content = response.content.decode()
    assert data.teacher.id_number not in content and data.teacher.masked_id_number in content
    assert reverse("reports:register_person", args=[data.teacher.pk]) in content
    assert reverse("credits:person", args=[data.teacher.pk]) in content  # the evidence: the credits page shows it
    # Another school's id in the filter filters nothing more than the admin's own rows.
    other = _table(client.get(ENTRIES, {"year": YEAR, "school": school_b.pk}))
    assert {r[0] for r in other} <= {"张老师", "组员"}
    assert client.get(reverse("reports:register_person", args=[data.other.pk])).status_code == 404


def test_the_rows_are_sorted_and_searched_on_the_page(client, data, roles):
    client.force_login(roles.bureau)
    by_hours = _table(client.get(ENTRIES, {"year": YEAR, "sort": "-hours"}))
    assert [r[8] for r in by_hours][:3] == ["24", "12", "7"]
    found = _table(client.get(ENTRIES, {"year": YEAR, "q": "李老"}))
    assert [r[0] for r in found] == ["李老师"]
    assert _table(client.get(ENTRIES, {"year": YEAR, "level": "city"}))[0][7] == "市级班主任培训"


def test_the_xlsx_is_the_rows_shown_and_opens_in_libreoffice(client, data, roles, tmp_path):
    client.force_login(roles.school_admin)
    query = {"year": YEAR, "sort": "-hours", "term": "1"}
    shown = _table(client.get(ENTRIES, query))
    path = _save(tmp_path, client.get(ENTRIES, {**query, "export": "xlsx"}))
    sheet = xlsx_rows(path)
    assert sheet[0][:4] == ["姓名", "身份证号", "登记学校", "日期"]
    # name, masked id, school, date, level, kind, category, title, hours: the same as the page, in its order.
    assert [r[:9] for r in sheet[1:]] == [r[:9] for r in shown]
    assert len(sheet) - 1 == len(shown) == 3  # 张老师's three trainings of the first term
    cells = [c for sheet in _cells_by_sheet(path).values() for c in sheet]
    assert not any(data.teacher.id_number in c for c in cells) and data.teacher.masked_id_number in cells


def test_a_name_or_title_starting_with_equals_stays_text(client, data, roles, tmp_path):
    client.force_login(roles.school_admin)
    path = _save(tmp_path, client.get(ENTRIES, {"year": YEAR, "q": "HYPERLINK", "export": "xlsx"}))
    sheet = xlsx_rows(path)
    assert sheet[1][7] == '=HYPERLINK("http://x","y")'
    cell = load_workbook(path).active.cell(row=2, column=8)
    assert cell.data_type == "s"


def test_the_teachers_own_register(client, data, roles):
    client.force_login(roles.teacher)
    assert client.get(ENTRIES).status_code == 302
    response = client.get(reverse("reports:register_mine"), {"year": YEAR})
    rows = _table(response)
    assert len(rows) == 5 and response.context["page_title"] == "我的台账"
    assert response.context["total"] == 47
    assert client.get(SCHOOL).status_code == 403
    assert client.get(reverse("reports:register_person", args=[data.member.pk])).status_code == 404


def test_the_group_leader_sees_their_members_masked(client, data, roles):
    client.force_login(roles.leader)
    rows = _table(client.get(ENTRIES, {"year": YEAR}))
    assert {r[0] for r in rows} == {"组员"} and "*" in rows[0][1]
    rows = _table(client.get(SCHOOL, {"year": YEAR}))
    assert {r[0] for r in rows} == {"组员", roles.leader.person.name}
    assert client.get(reverse("reports:register_person", args=[data.teacher.pk])).status_code == 404


def test_the_school_register_page_and_its_two_sheets(client, data, roles, tmp_path):
    client.force_login(roles.school_admin)
    response = client.get(SCHOOL, {"year": YEAR, "sort": "-total"})
    shown = _table(response)
    assert shown[0][0] == "张老师" and shown[0][4] == "5" and shown[0][-2] == "47"
    assert reverse("reports:register_person", args=[data.teacher.pk]) in response.content.decode()
    path = _save(tmp_path, client.get(SCHOOL, {"year": YEAR, "sort": "-total", "export": "xlsx"}))
    sheet = xlsx_rows(path)
    assert [r[0] for r in sheet[1:]] == [r[0] for r in shown]
    assert sheet[1][-2] == "47" and sheet[1][-1] == shown[0][-1]
    matrix = list(load_workbook(path)["教师×培训"].iter_rows(values_only=True))
    head = matrix[0]
    assert head[0] == "姓名" and head[-1] == "合计" and "省级骨干教师培训（2025-11-03）" in head
    zhang = next(r for r in matrix if r[0] == "张老师")
    assert zhang[head.index("省级骨干教师培训（2025-11-03）")] == 24 and zhang[-1] == 47
    assert matrix[-1][0] == "合计" and matrix[-1][-1] == 51  # 张老师 47 + 组员 4


def test_the_training_pages(client, data, roles):
    client.force_login(roles.school_admin)
    trainings = client.get(reverse("reports:register_trainings"), {"year": YEAR})
    assert "校本讲座：大单元教学" in trainings.content.decode()
    rows = {r[0]: r for r in _table(client.get(reverse("reports:register_session", args=[data.school_session.pk])))}
    assert rows["组员"][3:8] == ["1", "1", "1", "0", "0"]
    assert rows[roles.school_admin.person.name][7:9] == ["1", "发烧住院"]
    client.force_login(roles.other_admin)
    assert client.get(reverse("reports:register_session", args=[data.school_session.pk])).status_code == 404


@pytest.mark.parametrize("query", [
    {"year": str(10**30)}, {"year": "0"}, {"year": "abc"}, {"page": "abc"}, {"page": "9" * 50}, {"school": "abc"},
    {"school": "-1"}, {"term": "9"}, {"level": "\x00"}, {"sort": "9" * 200}, {"q": "x" * 5000}, {"group": str(2**70)},
])
def test_junk_parameters_never_break_a_page(client, data, roles, query):
    client.force_login(roles.bureau)
    for url in (ENTRIES, SCHOOL, reverse("reports:register_person", args=[data.teacher.pk]), reverse("reports:register_trainings"),
                reverse("reports:register_session", args=[data.school_session.pk])):
        status = client.get(url, query).status_code
        assert status in (200, 400), (url, query, status)
        if "year" in query:
            assert status == 400


def test_a_large_export_runs_as_a_job_with_the_same_rows(client, data, roles, settings, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    from django_tasks_db.management.commands import db_worker

    from yanxiu.core.models import Job

    client.force_login(roles.bureau)
    query = {"year": YEAR, "sort": "title", "export": "xlsx"}
    inline = list(load_workbook(io.BytesIO(client.get(ENTRIES, query).content)).active.iter_rows(values_only=True))
    settings.YANXIU_EXPORT_INLINE_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(ENTRIES, query)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                     max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    download = b"".join(client.get(reverse("core:job_download", args=[job.pk])).streaming_content)
    assert list(load_workbook(io.BytesIO(download)).active.iter_rows(values_only=True)) == inline
    assert len(inline) == 8  # the header and the 7 rows of the county


def _many_teachers(people, school, n):
    from tests.credits.factories import credit

    teachers = [people.teacher(school, name=f"教师{i:02d}").person for i in range(n)]
    for person in teachers:
        credit(person, 2, title="校本研修活动", year=YEAR)
    return teachers


@pytest.mark.parametrize("n", [5, 45])
def test_a_page_of_many_teachers_costs_the_same_queries_as_a_page_of_few(client, data, roles, people, school, n,
                                                                         django_assert_max_num_queries):
    """Whose credits page the reader may open is asked once for the page, not twice per teacher (37 and 117 before)."""
    teachers = _many_teachers(people, school, n)
    client.force_login(roles.school_admin)
    with django_assert_max_num_queries(30):
        response = client.get(ENTRIES, {"year": YEAR, "q": "校本研修活动"})
    assert len(_table(response)) == n
    content = response.content.decode()
    assert all(reverse("credits:person", args=[p.pk]) + f"?year={YEAR}" in content for p in teachers)


def test_the_evidence_links_only_where_the_credits_page_opens(client, data, roles):
    client.force_login(roles.leader)  # a group leader reads the register, not the members' credits pages
    content = client.get(ENTRIES, {"year": YEAR}).content.decode()
    assert "组员" in content and reverse("credits:person", args=[data.member.pk]) not in content
    client.force_login(roles.teacher)
    content = client.get(reverse("reports:register_mine"), {"year": YEAR}).content.decode()
    assert reverse("credits:mine") + f"?year={YEAR}" in content


def test_the_training_register_counts_enrolled_and_present_each_once(client, data, roles, people, school):
    from yanxiu.attendance.models import Attendance
    from yanxiu.training.models import Enrollment

    session = data.school_session  # 4 enrolled, 2 present (data)
    quitter = people.teacher(school, name="退出者").person
    Enrollment.objects.create(session=session, person=quitter, school=school, status="withdrawn")
    Attendance.objects.create(session=session, person=roles.leader.person, status="absent")
    client.force_login(roles.bureau)
    url = reverse("reports:register_trainings")
    rows = {r[1]: r for r in _table(client.get(url, {"year": YEAR}))}
    assert rows["校本讲座：大单元教学"][6:8] == ["4", "2"]
    assert rows["县级学科培训"][6:8] == ["0", "0"]
    by_enrolled = [r[1] for r in _table(client.get(url, {"year": YEAR, "sort": "-enrolled"}))]
    assert by_enrolled == ["校本讲座：大单元教学", "县级学科培训"]
    sheet = list(load_workbook(io.BytesIO(client.get(url, {"year": YEAR, "sort": "present", "export": "xlsx"}).content))
                 .active.iter_rows(values_only=True))
    assert [(r[1], r[6], r[7]) for r in sheet[1:]] == [("县级学科培训", 0, 0), ("校本讲座：大单元教学", 4, 2)]


def test_a_participant_links_to_their_register_only_when_the_reader_may_open_it(client, data, roles, people, school):
    from yanxiu.training.models import Enrollment

    Enrollment.objects.create(session=data.school_session, person=data.other, school=data.other.employments.get().school)
    for i in range(3):  # teachers of the school who did not take part
        people.teacher(school, name=f"未参训{i}")
    client.force_login(roles.school_admin)
    response = client.get(reverse("reports:register_session", args=[data.school_session.pk]))
    names = [r[0] for r in _table(response)]
    assert "李老师" in names and "张老师" in names
    content = response.content.decode()
    assert reverse("reports:register_person", args=[data.teacher.pk]) in content
    assert reverse("reports:register_person", args=[data.other.pk]) not in content  # another school's teacher
    # Asked for the rows shown only, not for every teacher the admin oversees.
    assert response.context["view"].readable == {data.teacher.pk, data.member.pk, roles.leader.person.pk,
                                                 roles.school_admin.person.pk}


def test_above_the_teacher_limit_the_export_is_refused_not_an_empty_file(client, data, roles, monkeypatch):
    from yanxiu.reports.views import registers as views

    monkeypatch.setattr(views, "MAX_TEACHER_ROWS", 3)  # the bureau's county: 6 teachers with a current post
    client.force_login(roles.bureau)
    response = client.get(SCHOOL, {"year": YEAR, "sort": "name", "export": "xlsx"})
    assert response.status_code == 302 and response["Location"] == f"{SCHOOL}?year={YEAR}&sort=name"
    page = client.get(response["Location"]).content.decode()
    assert "超过一次导出的上限 3 名，请先选择学校或片区后再导出" in page and "教师人数较多，请先选择学校或片区" in page
    client.force_login(roles.school_admin)  # the school's 4 teachers: refused at 3, written at 4
    assert client.get(SCHOOL, {"year": YEAR, "export": "xlsx"}).status_code == 302
    monkeypatch.setattr(views, "MAX_TEACHER_ROWS", 4)
    sheet = list(load_workbook(io.BytesIO(client.get(SCHOOL, {"year": YEAR, "export": "xlsx"}).content)).active.iter_rows(
        values_only=True))
    assert len(sheet) == 5 and sheet[0][0] == "姓名"


def _headers(response) -> list[str]:
    head = response.content.decode().split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", head, flags=re.S)]


def test_a_county_that_counts_credits_shows_them_to_its_region_staff(client, data, roles, county, tmp_path):
    from tests.credits.factories import adopt

    client.force_login(roles.bureau)
    assert "学分" not in _headers(client.get(ENTRIES, {"year": YEAR}))  # the county measures hours (preset 000)
    adopt("001-3", county, year=YEAR)  # from this year on the county counts 学分
    for user in (roles.bureau, roles.centre, roles.school_admin, roles.leader):
        client.force_login(user)
        assert "学分" in _headers(client.get(ENTRIES, {"year": YEAR})), user
    client.force_login(roles.bureau)
    sheet = xlsx_rows(_save(tmp_path, client.get(ENTRIES, {"year": YEAR, "export": "xlsx"})))
    assert "学分" in sheet[0] and len(sheet) == 8
    assert "学分" not in _headers(client.get(ENTRIES, {"year": YEAR - 1}))  # the year before still counts hours
