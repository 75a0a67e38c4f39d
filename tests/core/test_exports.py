"""Exports write user data as text, never as formulas, and downloads carry clean Chinese names.

The written files are read back with python-calamine (a different reader
than the openpyxl that wrote them) and by looking at the sheet XML itself:
no ``<f>`` element may exist anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tests.credits.factories import YEAR, adopt, credit
from yanxiu.core import downloads, xlsx

SRC = Path(__file__).resolve().parents[2] / "src" / "yanxiu"

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/"))


def assert_no_formula(data: bytes) -> None:
    assert not re.search(r"<f[\s>/]", sheet_xml(data)), "a formula was written"


def cells(data: bytes) -> list:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [value for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for value in row]


def disposition_name(response) -> str:
    header = response["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert match, header
    from urllib.parse import unquote

    return unquote(match.group(1))


# --- The helpers ---------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_like_strings_are_written_as_text(write_only):
    wb = xlsx.workbook(write_only=write_only)
    ws = wb.create_sheet("名单") if write_only else wb.active
    xlsx.append(ws, ["姓名", "数量"])
    for value in HOSTILE:
        xlsx.append(ws, [value, 3, None, "普通"])
    data = xlsx.to_bytes(wb)
    assert_no_formula(data)
    values = cells(data)
    for value in HOSTILE:
        # The text is intact. A bare carriage return survives when the writer escapes it (openpyxl with lxml
        # writes &#13;); without lxml it is written raw and XML readers turn it into a line feed.
        assert value in values or value.replace("\r", "\n") in values
    # Numbers stay numbers, next to a text cell too.
    assert sum(1 for v in values if v == 3 and not isinstance(v, str)) == len(HOSTILE)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(book.sheet_names[-1]).to_python()
    assert rows[1][0] == HOSTILE[0] and rows[1][1] in (3, 3.0) and rows[1][3] == "普通"
    assert 'quotePrefix="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()


def test_plain_values_are_left_alone():
    assert not any(xlsx.is_formula_like(v) for v in ["张老师", "2025-10-01", 3, None, -2, " =x", "a=b"])
    assert all(xlsx.is_formula_like(v) for v in HOSTILE)


def test_csv_values_get_an_apostrophe():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(xlsx.csv_row(["张老师", '=HYPERLINK("http://x","y")', "@A1", 5]))
    assert out.getvalue().strip() == '张老师,"\'=HYPERLINK(""http://x"",""y"")",\'@A1,5'


def test_download_names_are_cleaned_and_bounded():
    name = downloads.filename("签到表", "../../etc/passwd", 'a\\b:c*?"<>|\x00\x1f\u202egnp.exe', "2026-11-30", ext="xlsx")
    assert name.endswith("-2026-11-30.xlsx") and name.startswith("签到表-")
    assert not set(name) & set('/\\:*?"<>|\x00\x1f\u202e')
    long = downloads.filename("学时证明", "长" * 500, "2025", ext="pdf")
    assert len(long) <= downloads.NAME_LENGTH + 4 and long.endswith(".pdf")
    assert downloads.filename("", None, ext="zip") == "download.zip"
    assert downloads.filename("a", ext="../x") == "a.x"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    header = downloads.content_disposition("签到表-评课专题-2026-11-30.xlsx", fallback="signin-7.xlsx")
    assert header == (
        'attachment; filename="signin-7.xlsx"; '
        f"filename*=UTF-8''{quote('签到表-评课专题-2026-11-30.xlsx', safe='')}"
    )
    inline = downloads.content_disposition('a"b\r\n.ics', inline=True)
    assert inline.startswith('inline; filename="a_b.ics"; filename*=UTF-8\'\'') and "\r" not in inline and "\n" not in inline


# --- Every export ----------------------------------------------------------------------


@pytest.fixture
def hostile_teacher(roles):
    person = roles.teacher.person
    type(person).objects.filter(pk=person.pk).update(name=HOSTILE[0])
    person.refresh_from_db()
    return person


@pytest.mark.django_db
def test_the_staff_list_writes_names_as_text(client, roles, hostile_teacher):
    client.force_login(roles.school_admin)
    response = client.get(reverse("org:staff_export"))
    assert response.status_code == 200
    assert_no_formula(response.content)
    assert HOSTILE[0] in cells(response.content)
    name = disposition_name(response)
    assert name.startswith("教师名册-") and name.endswith(".xlsx")
    assert 'filename="staff-' in response["Content-Disposition"]


@pytest.fixture
def hostile_session(roles, county, school):
    from tests.attendance.conftest import Sessions
    from yanxiu.attendance import services

    start = timezone.now() - dt.timedelta(hours=3)
    session = Sessions(county, school).make(title="=1+1 评课/专题", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                                            enroll=[roles.teacher])
    type(session).objects.filter(pk=session.pk).update(place="@会议室")
    session.refresh_from_db()
    services.attendance_sign_in(actor=roles.teacher, session=session, method="qr", now=start)
    return session


@pytest.mark.django_db
def test_the_sign_in_sheet_writes_names_and_titles_as_text(client, roles, hostile_teacher, hostile_session):
    client.force_login(roles.school_admin)
    response = client.get(reverse("attendance:export", args=[hostile_session.pk]))
    assert response.status_code == 200
    assert_no_formula(response.content)
    values = cells(response.content)
    assert HOSTILE[0] in values and any(str(v).startswith("=1+1 评课/专题") for v in values)
    day = f"{timezone.localtime(hostile_session.starts_at):%Y-%m-%d}"
    assert disposition_name(response) == f"签到表-=1+1 评课_专题-{day}.xlsx"
    assert f'filename="signin-{hostile_session.pk}.xlsx"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_the_absence_list_writes_names_as_text(client, roles, people, school, hostile_session):
    extra = people.teacher(school, username="absent1", name="@缺训")
    from yanxiu.training.models import Enrollment

    Enrollment.objects.create(session=hostile_session, person=extra.person, school=school)
    client.force_login(roles.school_admin)
    response = client.get("/attendance/absences/", {"format": "xlsx"})
    assert response.status_code == 200
    assert_no_formula(response.content)
    assert "@缺训" in cells(response.content)
    assert disposition_name(response).startswith("缺训名单-")


@pytest.mark.django_db
def test_the_transcript_writes_titles_as_text_and_is_named_after_the_person(client, roles, school):
    adopt("000", school.county)
    person = roles.teacher.person
    credit(person, 3, title="=cmd|' /C calc'!A0")
    client.force_login(roles.teacher)
    response = client.get(reverse("credits:transcript_xlsx", args=[person.pk]) + f"?year={YEAR}")
    assert response.status_code == 200
    assert_no_formula(response.content)
    assert "=cmd|' /C calc'!A0" in cells(response.content)
    assert disposition_name(response) == f"学时证明-{person.name}-{YEAR}-{YEAR + 1}.xlsx"
    pdf = client.get(reverse("credits:transcript_pdf", args=[person.pk]) + f"?year={YEAR}")
    assert disposition_name(pdf) == f"学时证明-{person.name}-{YEAR}-{YEAR + 1}.pdf"


@pytest.mark.django_db
def test_the_certificate_zip_names_its_entries_safely(client, roles, school):
    from yanxiu.credits.services import certificate_issue

    adopt("000", school.county)
    person = roles.teacher.person
    type(person).objects.filter(pk=person.pk).update(name="../../张/老师")
    person.refresh_from_db()
    certificate_issue(actor=None, person=person, title="省级/骨干\\培训", organiser="湖南省教育厅", hours=24, school_year=YEAR,
                      source_key="import:x", school=school, issued_on=dt.date(2025, 10, 12))
    client.force_login(roles.school_admin)
    response = client.get(reverse("credits:school_certificates", args=[school.pk]) + f"?year={YEAR}")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 1 and "/" not in names[0] and "\\" not in names[0] and names[0].startswith("_.._张_老师-省级_骨干_培训-")
    assert disposition_name(response) == f"培训证书-{school.name}-{YEAR}-{YEAR + 1}.zip"


@pytest.mark.django_db
def test_the_library_zip_sign_in_sheets_have_no_formulas(roles, school, hostile_teacher, hostile_session, settings, tmp_path):
    from yanxiu.archive import exports

    settings.MEDIA_ROOT = tmp_path / "media"
    target = io.BytesIO()
    counts = exports.write_library_zip(target, user=roles.school_admin, school=school, year=2026)
    assert counts["sheets"] == 1
    with zipfile.ZipFile(target) as archive:
        sheet = next(n for n in archive.namelist() if n.endswith("签到表.xlsx"))
        data = archive.read(sheet)
    assert_no_formula(data)
    assert HOSTILE[0] in cells(data)


@pytest.mark.django_db
def test_the_roster_template_writes_group_names_as_text(client, roles, school):
    from yanxiu.org.choices import GroupKind
    from yanxiu.org.models import Group

    Group.objects.create(school=school, name=HOSTILE[0], kind=GroupKind.RESEARCH)
    client.force_login(roles.school_admin)
    response = client.get(reverse("org:roster_template", args=[school.pk]))
    assert response.status_code == 200
    assert_no_formula(response.content)
    assert HOSTILE[0] in cells(response.content)
    assert disposition_name(response) == f"教职工花名册模板-{school.name}.xlsx"


@pytest.mark.django_db
def test_the_calendar_feed_has_a_chinese_name(client, roles):
    from yanxiu.training import services

    feed = services.calendar_feed_for(roles.teacher.person)
    response = client.get(reverse("training:calendar_feed", args=[feed.token]))
    assert response["Content-Disposition"] == f"inline; filename=\"yanxiu.ics\"; filename*=UTF-8''{quote('培训日程.ics')}"


def test_every_workbook_is_written_through_the_helper():
    """No module writes worksheet rows around core.xlsx (which is what makes the rule hold for every export)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "xlsx.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"from openpyxl import .*\bWorkbook\b|openpyxl\.Workbook\(|\bws\.append\(|\.active\.append\(", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_every_download_is_named_through_the_helper():
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "downloads.py" and path.parent.name == "core":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"Content-Disposition|FileResponse\(", text):
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_stored_files_are_served_under_their_cleaned_title_with_an_ascii_fallback():
    from yanxiu.core import uploads

    class Stored:
        name = "archive/1/0123abcd.pptx"

        def open(self, mode="rb"):
            return io.BytesIO(b"PK\x03\x04")

    response = uploads.material_response(Stored(), download_name="第一讲/课件\u202e", fallback="material-7")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"material-7.pptx\"; filename*=UTF-8''{quote('第一讲_课件_.pptx', safe='')}"
    )
