"""Roster import: groups must exist unless creating them is chosen; a 学段 the school lacks is refused; the template."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn import ric

from yanxiu.org.choices import GroupKind
from yanxiu.org.models import Employment, Group, Person, School
from yanxiu.org.roster import COLUMNS, import_roster, preview_roster

pytestmark = pytest.mark.django_db

HEADER = "姓名,性别,身份证号,手机,学段,学科,职称,学历,编制,参加工作年月,教研组,备课组"


def id_number(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")


def roster(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode("utf-8")


LIU = id_number("43012119880412002")
CHEN = id_number("43012119920918001")


def two_rows(stage: str = "小学", research: str = "语文组", prep: str = "") -> bytes:
    return roster(
        f"刘丽,女,{LIU},13700000001,{stage},语文,一级教师,本科,在编,2010.09,{research},{prep}",
        f"陈刚,男,{CHEN},13700000002,小学,数学,二级教师,大专,临聘,2015-09,数学组,",
    )


@pytest.fixture
def groups(school):
    for name, kind in (("语文组", GroupKind.RESEARCH), ("数学组", GroupKind.RESEARCH), ("一年级语文备课组", GroupKind.PREPARATION)):
        Group.objects.get_or_create(school=school, name=name, defaults={"kind": kind})


def test_existing_groups_import_without_creating_any(school, groups):
    report = import_roster(actor=None, school=school, file_name="r.csv", data=two_rows(prep="一年级语文备课组"))
    assert report.ok, report.errors
    assert report.groups_created == [] and Group.objects.filter(school=school).count() == 3


def test_an_unknown_group_is_an_error_listing_the_schools_groups(school, groups):
    report = preview_roster(school=school, file_name="r.csv", data=two_rows(research="语文教研组", prep="二年级备课组"))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "教研组"), (2, "备课组")]
    assert "“语文教研组”" in report.errors[0].message and "数学组、语文组" in report.errors[0].message
    assert "一年级语文备课组" in report.errors[1].message
    imported = import_roster(actor=None, school=school, file_name="r.csv", data=two_rows(research="语文教研组"))
    assert not imported.ok and not Person.objects.exists() and Group.objects.filter(school=school).count() == 3


def test_a_school_without_groups_says_so(school):
    report = preview_roster(school=school, file_name="r.csv", data=two_rows())
    assert [(e.row, e.column) for e in report.errors] == [(2, "教研组"), (3, "教研组")]
    assert "（暂无）" in report.errors[0].message


def test_creating_missing_groups_is_an_explicit_choice(school, groups):
    data = two_rows(research="语文教研组")
    assert preview_roster(school=school, file_name="r.csv", data=data, create_groups=True).ok
    report = import_roster(actor=None, school=school, file_name="r.csv", data=data, create_groups=True)
    assert report.ok and report.groups_created == ["语文教研组"]
    assert Employment.objects.get(person__id_number=LIU).groups.get().name == "语文教研组"


def test_a_stage_the_school_does_not_have_is_an_error(school, groups):
    report = preview_roster(school=school, file_name="r.csv", data=two_rows(stage="高中"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "学段")]
    assert "高中" in report.errors[0].message and "小学" in report.errors[0].message and school.name in report.errors[0].message


def test_a_nine_year_school_takes_primary_and_junior_posts(county):
    school = School.objects.create(code="4301210009", name="长沙县九年制学校", county=county, stage="nine_year")
    for name in ("语文组", "数学组"):
        Group.objects.create(school=school, name=name, kind=GroupKind.RESEARCH)
    assert preview_roster(school=school, file_name="r.csv", data=two_rows(stage="初中")).ok
    report = preview_roster(school=school, file_name="r.csv", data=two_rows(stage="幼儿园"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "学段")]


def test_the_command_keeps_its_json_and_creates_groups_only_when_asked(school, groups, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(two_rows(research="语文教研组"))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_roster", str(path), "--school", school.code, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == {"ok", "rows", "errors"} and result["ok"] is False and result["rows"] == 2
    assert result["errors"][0]["row"] == 2 and result["errors"][0]["column"] == "教研组"
    out = io.StringIO()
    call_command("import_roster", str(path), "--school", school.code, "--json", "--create-groups", stdout=out)
    assert json.loads(out.getvalue()) == {"ok": True, "rows": 2, "errors": []}
    assert Group.objects.filter(school=school, name="语文教研组").exists()


def test_the_import_page_offers_the_choice_and_honours_it(client, roles, school, groups):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(roles.school_admin)
    url = reverse("org:roster_import", args=[school.pk])
    page = client.get(url).content.decode()
    assert reverse("org:roster_template", args=[school.pk]) in page and 'name="create_groups"' in page
    upload = SimpleUploadedFile("r.csv", two_rows(research="语文教研组"), content_type="text/csv")
    refused = client.post(url, {"action": "preview", "file": upload}).content.decode()
    assert "roster-errors" in refused and "语文教研组" in refused
    upload = SimpleUploadedFile("r.csv", two_rows(research="语文教研组"), content_type="text/csv")
    preview = client.post(url, {"action": "preview", "file": upload, "create_groups": "1"}).content.decode()
    assert 'id="roster-ok"' in preview
    client.post(url, {"action": "confirm", "create_groups": "1"})
    assert Group.objects.filter(school=school, name="语文教研组").exists()
    assert Person.objects.filter(id_number__in=[LIU, CHEN]).count() == 2


def test_the_template_has_the_headers_an_example_and_dropdowns(client, roles, school, groups):
    client.force_login(roles.school_admin)
    response = client.get(reverse("org:roster_template", args=[school.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers == [c.label for c in COLUMNS]
    assert ws.cell(row=2, column=1).value and ws.cell(row=2, column=headers.index("学段") + 1).value == "小学"
    options = wb["选项"]
    assert options.sheet_state == "hidden"

    def listed(header: str) -> list[str]:
        rule = next(dv for dv in ws.data_validations.dataValidation
                    if str(dv.sqref).startswith(ws.cell(row=1, column=headers.index(header) + 1).column_letter + "2"))
        ref = rule.formula1.split("!")[1].replace("$", "")
        return [c.value for row in options[ref] for c in row]

    assert listed("性别") == ["男", "女"]
    assert listed("学段") == ["小学"]  # only the school's own 学段
    assert listed("教研组") == ["数学组", "语文组"] and listed("备课组") == ["一年级语文备课组"]


def test_a_filled_in_template_imports(client, roles, school, groups):
    client.force_login(roles.school_admin)
    wb = load_workbook(io.BytesIO(client.get(reverse("org:roster_template", args=[school.pk])).content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    values = {"姓名": "刘丽", "性别": "女", "身份证号": LIU, "手机": "13700000001", "出生日期": "", "学段": "小学", "学科": "语文",
              "职称": "一级教师", "学历": "本科", "编制": "在编", "参加工作年月": "2010-09", "教研组": "语文组", "备课组": ""}
    for index, header in enumerate(headers, start=1):
        ws.cell(row=2, column=index, value=values.get(header, ws.cell(row=2, column=index).value))
    buffer = io.BytesIO()
    wb.save(buffer)
    report = import_roster(actor=None, school=school, file_name="template.xlsx", data=buffer.getvalue())
    assert report.ok, report.errors
    assert Person.objects.get(id_number=LIU).name == "刘丽"
