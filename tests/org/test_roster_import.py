"""Roster import: reading office files, validation, all-or-nothing import, the command.

The fixture files in tests/data/roster/ were written by LibreOffice (see the
README there), not by the libraries the importer uses.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.cn import ric

from yanxiu.accounts.models import Role, RoleAssignment, User
from yanxiu.core.models import AuditEvent
from yanxiu.org import roster
from yanxiu.org.choices import GroupKind, Position, Title
from yanxiu.org.models import Employment, Group, Person, Region, School
from yanxiu.org.roster import import_roster as _import_roster
from yanxiu.org.roster import preview_roster as _preview_roster


# The good files name groups the school does not have yet; these tests create them
# with the file, an explicit choice (unknown groups are errors otherwise: test_roster_checks.py).
def import_roster(**kwargs):
    return _import_roster(**{"create_groups": True, **kwargs})


def preview_roster(**kwargs):
    return _preview_roster(**{"create_groups": True, **kwargs})

DATA = Path(__file__).resolve().parent.parent / "data" / "roster"
GOOD_FILES = ["good.xlsx", "good.xls", "good.ods", "good_gbk.csv", "good_utf8_bom.csv"]


def id_number(birth: str, seq: str) -> str:
    body = "430121" + birth + seq
    return body + ric.calc_check_digit(body + "0")


ZHANG = id_number("19850312", "001")  # 张伟, row 4 of the good roster
LI = id_number("19900520", "002")  # 李娜, row 5
CHEN = id_number("19881130", "046")  # 陈静, row 8, no phone
ZHOU = id_number("19870606", "019")  # 周喆, ends in X (written as a lower-case x)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def county(db) -> Region:
    province = Region.objects.create(code="430000", name="湖南省", level="province")
    city = Region.objects.create(code="430100", name="长沙市", level="city", parent=province)
    return Region.objects.create(code="430121", name="长沙县", level="county", parent=city)


@pytest.fixture
def school(county) -> School:
    return School.objects.create(code="4301210001", name="长沙县实验小学", stage="primary", county=county)


@pytest.fixture
def other_school(county) -> School:
    return School.objects.create(code="4301210002", name="长沙县星沙小学", stage="primary", county=county)


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(username="root", password="x")


def make_admin(school: School, username: str) -> User:
    user = User.objects.create_user(username=username, password="x")
    RoleAssignment.objects.create(user=user, role=Role.SCHOOL_ADMIN, school=school)
    return user


def where(report) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in report.errors]


# --- Reading: every format gives the same rows ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", GOOD_FILES)
def test_preview_of_good_files_is_clean_and_writes_nothing(school, name):
    report = preview_roster(school=school, file_name=name, data=read(name))

    assert report.errors == []
    assert report.ok is True
    # 7 teachers; the two rows with only a pre-filled 序号 and the empty trailing rows are not data.
    assert report.rows == 7
    assert report.created == 7 and report.updated == 0
    assert Person.objects.count() == 0
    assert Employment.objects.count() == 0
    assert Group.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", GOOD_FILES)
def test_import_of_good_files(school, superuser, name):
    report = import_roster(actor=superuser, school=school, file_name=name, data=read(name))

    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated) == (7, 7, 0)
    assert Person.objects.count() == 7
    assert Employment.objects.current().filter(school=school).count() == 7

    zhang = Employment.objects.select_related("person", "person__user").get(person__id_number=ZHANG)
    assert zhang.person.name == "张伟"
    assert zhang.person.gender == "M"
    assert zhang.person.birth_date == dt.date(1985, 3, 12)
    assert zhang.title == Title.FIRST  # 小学高级 is the old name of 一级教师
    assert zhang.education == "bachelor"
    assert zhang.employment_type == "established"
    assert zhang.teaching_since == dt.date(2008, 9, 1)
    assert zhang.start_date == dt.date(2015, 9, 1)
    assert zhang.position == Position.TEACHER
    assert zhang.tier == "backbone"
    assert sorted(g.name for g in zhang.groups.all()) == ["一年级语文备课组", "语文组"]
    account = zhang.person.user
    assert re.fullmatch(r"t[0-9a-z]{7}", account.username)  # no phone or ID digits to guess from
    assert account.must_change_password is True
    assert account.has_usable_password() is False
    assert account.display_name == "张伟"
    assert account.is_active and not account.is_staff and not account.is_superuser
    assert account.date_joined is not None and account.last_login is None

    li = Employment.objects.select_related("person").get(person__id_number=LI)
    assert li.person.phone == "13900000002"  # full-width digits in the file
    assert li.education == "bachelor"  # 大学本科
    assert li.teaching_since == dt.date(2012, 9, 1)

    wang = Person.objects.get(id_number=id_number("19920101", "024"))
    assert wang.name == "王芳"  # "王  芳" aligned with spaces
    assert wang.employments.get().employment_type == "contract"  # 临聘
    assert wang.employments.get().title == Title.NONE
    assert wang.employments.get().teaching_since == dt.date(2014, 9, 1)  # 2014/9

    liu = Employment.objects.get(person__id_number=id_number("19780815", "013"))
    assert liu.title == Title.FIRST  # 中学一级
    assert liu.education == "master"
    assert liu.position == Position.DIRECTOR
    assert liu.teaching_since == dt.date(2000, 9, 1)  # 200009

    chen = Person.objects.select_related("user").get(id_number=CHEN)
    assert re.fullmatch(r"t[0-9a-z]{7}", chen.user.username)  # no phone: still no ID digits
    assert len({p.user.username for p in Person.objects.select_related("user")}) == 7
    assert chen.employments.get().teaching_since == dt.date(2010, 9, 1)  # 2010年9月

    zhao = Employment.objects.get(person__id_number=id_number("19951201", "057"))
    assert zhao.teaching_since == dt.date(2018, 9, 1)  # a date cell
    assert zhao.education == "bachelor"  # "本　科" with an ideographic space
    assert zhao.title == Title.THIRD

    zhou = Person.objects.get(id_number=ZHOU)
    assert ZHOU.endswith("X")
    assert zhou.employments.get().teaching_since == dt.date(2016, 9, 1)  # the number 2016.09

    research = Group.objects.get(school=school, name="语文组")
    prep = Group.objects.get(school=school, name="一年级语文备课组")
    assert research.kind == GroupKind.RESEARCH and research.subject == "语文"
    assert Group.objects.get(school=school, name="综合组").subject == ""  # 体育, 美术, 信息技术
    assert prep.kind == GroupKind.PREPARATION and prep.parent == research
    assert set(Group.objects.filter(school=school).values_list("name", flat=True)) == {
        "语文组", "数学组", "英语组", "综合组", "一年级语文备课组"
    }
    assert Group.objects.get(name="综合组").members.count() == 3

    event = AuditEvent.objects.get(action="roster.import")
    assert event.actor == superuser
    assert event.target_id == str(school.pk)
    assert event.detail["created"] == 7 and event.detail["rows"] == 7
    assert event.detail["groups_created"] == ["语文组", "数学组", "英语组", "综合组", "一年级语文备课组"]
    # Every created person and employment has its creation in the history, with who and why.
    assert Person.history.filter(history_type="+").count() == 7
    created = Employment.history.filter(history_type="+", history_user=superuser)
    assert created.count() == 7 and set(created.values_list("history_change_reason", flat=True)) == {"花名册导入"}
    first = Person.history.earliest("history_id")
    assert first.id_number == Person.objects.get(pk=first.id).id_number


@pytest.mark.django_db
def test_history_rows_can_be_switched_off_for_bulk_loads(school, superuser, monkeypatch):
    monkeypatch.setattr(roster, "HISTORY_ON_CREATE", False)

    assert import_roster(actor=superuser, school=school, file_name="good.xlsx", data=read("good.xlsx")).ok

    assert not Person.history.exists() and not Employment.history.exists()


# --- Validation ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_preview_lists_every_problem_with_row_and_column(school):
    report = preview_roster(school=school, file_name="bad.xlsx", data=read("bad.xlsx"))

    assert report.ok is False
    assert report.rows == 9
    assert where(report) == [
        (4, "身份证号"),  # check digit
        (5, "身份证号"),  # 15-digit number
        (6, "身份证号"),  # same person as row 3
        (7, "性别"),  # contradicts the ID number
        (8, "学段"),  # 大学
        (9, "手机"),
        (9, "出生日期"),
        (10, "姓名"),
        (11, "学历"),
        (11, "参加工作年月"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "校验位" in messages[(4, "身份证号")]
    assert "15 位" in messages[(5, "身份证号")]
    assert "第 3 行" in messages[(6, "身份证号")] and "第 6 行" in messages[(6, "身份证号")]
    assert "男" in messages[(7, "性别")]
    assert "大学" in messages[(8, "学段")] and "小学" in messages[(8, "学段")]
    assert "1991-03-03" in messages[(9, "出生日期")]
    assert "不能为空" in messages[(10, "姓名")]
    assert report.to_json()["errors"][0] == {"row": 4, "column": "身份证号", "message": messages[(4, "身份证号")]}


@pytest.mark.django_db
def test_id_numbers_stored_as_numbers_are_refused(school):
    report = preview_roster(school=school, file_name="numeric_id.xlsx", data=read("numeric_id.xlsx"))

    assert where(report) == [(3, "身份证号"), (4, "身份证号")]
    for error in report.errors:
        assert "丢失" in error.message and "文本" in error.message


@pytest.mark.django_db
def test_id_numbers_in_scientific_notation_are_refused(school):
    report = preview_roster(school=school, file_name="scientific_id.xlsx", data=read("scientific_id.xlsx"))

    assert where(report) == [(3, "身份证号")]
    assert "1.10105E+17" in report.errors[0].message
    assert "科学计数法" in report.errors[0].message and "文本" in report.errors[0].message


@pytest.mark.django_db
def test_missing_id_column_is_one_error_on_the_header_row(school):
    report = preview_roster(school=school, file_name="no_id_column.csv", data=read("no_id_column.csv"))

    assert report.ok is False
    assert where(report) == [(2, "身份证号")]
    assert report.rows == 0


@pytest.mark.django_db
def test_header_column_names_are_reported_as_written_in_the_file(school):
    data = read("good_utf8_bom.csv").replace("张伟".encode(), b"", 1)
    report = preview_roster(school=school, file_name="good.csv", data=data)

    assert [(e.row, e.column) for e in report.errors] == [(4, "姓名（必填）")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file_name", "data", "fragment"),
    [
        ("roster.docx", b"PK\x03\x04", "不支持"),
        ("roster.xlsx", b"this is not a workbook", "无法读取"),
        ("roster.csv", b"", "空"),
        ("roster.csv", "备注\n随便写点什么\n".encode(), "表头"),
    ],
)
def test_unreadable_files_give_one_error(school, file_name, data, fragment):
    report = preview_roster(school=school, file_name=file_name, data=data)

    assert report.ok is False
    assert len(report.errors) == 1
    assert fragment in report.errors[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2008.09", dt.date(2008, 9, 1)),
        ("2008-09", dt.date(2008, 9, 1)),
        ("2008/9", dt.date(2008, 9, 1)),
        ("200809", dt.date(2008, 9, 1)),
        ("2008年9月", dt.date(2008, 9, 1)),
        ("２００８．０９", dt.date(2008, 9, 1)),
        ("2008.10", dt.date(2008, 10, 1)),
        (2008.09, dt.date(2008, 9, 1)),
        (2008.1 + 0.02, dt.date(2008, 12, 1)),
        (200809.0, dt.date(2008, 9, 1)),
        (dt.date(2008, 9, 15), dt.date(2008, 9, 15)),
        (dt.datetime(2008, 9, 1, 0, 0), dt.date(2008, 9, 1)),
        ("39692", dt.date(2008, 9, 1)),  # an Excel serial number
    ],
)
def test_year_month_formats(value, expected):
    parsed, _has_day = roster._parse_date(value, column="参加工作年月", month_only=True)
    assert parsed == expected


@pytest.mark.parametrize("value", [2008.1, "2008.13", "去年", "08.09"])
def test_year_month_refused(value):
    with pytest.raises(roster._ValueError):
        roster._parse_date(value, column="参加工作年月", month_only=True)


# --- Import: all or nothing, updates, conflicts, permissions -----------------------------------


@pytest.mark.django_db
def test_import_with_one_bad_row_writes_nothing(school, superuser):
    # bad.xlsx has a perfectly good first row; it must not be imported alone.
    users_before = User.objects.count()
    report = import_roster(actor=superuser, school=school, file_name="bad.xlsx", data=read("bad.xlsx"))

    assert report.ok is False
    assert report.created == 0
    assert len(report.errors) == 10
    assert Person.objects.count() == 0
    assert Employment.objects.count() == 0
    assert Group.objects.count() == 0
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_reimport_updates_the_employments_of_this_school(school, superuser):
    assert import_roster(actor=superuser, school=school, file_name="good.xlsx", data=read("good.xlsx")).ok

    again = import_roster(actor=superuser, school=school, file_name="good.ods", data=read("good.ods"))
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)

    report = import_roster(actor=superuser, school=school, file_name="update.csv", data=read("update.csv"))
    assert report.ok, report.errors
    assert (report.rows, report.created, report.updated) == (3, 1, 2)
    assert Person.objects.count() == 8
    assert Employment.objects.count() == 8

    zhang = Employment.objects.select_related("person").get(person__id_number=ZHANG)
    assert zhang.title == Title.SENIOR
    assert zhang.person.phone == "13800000011"
    assert zhang.start_date == dt.date(2015, 9, 1)  # not in the file: kept
    assert zhang.tier == "backbone"  # not in the file: kept
    assert sorted(g.name for g in zhang.groups.all()) == ["一年级语文备课组", "语文组"]
    li = Employment.objects.get(person__id_number=LI)
    assert [g.name for g in li.groups.all()] == ["综合组"]  # moved from 数学组
    assert Employment.history.filter(history_type="~").count() == 1
    assert AuditEvent.objects.filter(action="roster.import").count() == 3


@pytest.mark.django_db
def test_teacher_of_another_school_is_refused_and_sent_to_transfer(school, other_school, superuser):
    import_roster(actor=superuser, school=other_school, file_name="update.csv", data=read("update.csv"))

    report = preview_roster(school=school, file_name="good.xlsx", data=read("good.xlsx"))
    assert where(report) == [(4, "身份证号码"), (5, "身份证号码")]
    assert "长沙县星沙小学" in report.errors[0].message
    assert "调动" in report.errors[0].message

    result = import_roster(actor=superuser, school=school, file_name="good.xlsx", data=read("good.xlsx"))
    assert result.ok is False
    assert not Employment.objects.filter(school=school).exists()


@pytest.mark.django_db
def test_former_teacher_gets_a_new_employment_and_keeps_the_account(school, other_school, superuser):
    import_roster(actor=superuser, school=other_school, file_name="update.csv", data=read("update.csv"))
    old = Employment.objects.get(person__id_number=ZHANG)
    old.start_date, old.end_date, old.end_reason = dt.date(2020, 9, 1), dt.date(2024, 8, 31), "调出"
    old.save()
    account = old.person.user_id
    Employment.objects.filter(person__id_number=LI).update(start_date=dt.date(2020, 9, 1), end_date=dt.date(2024, 8, 31))

    report = import_roster(actor=superuser, school=school, file_name="good.xlsx", data=read("good.xlsx"))

    assert report.ok, report.errors
    assert report.created == 7
    zhang = Person.objects.get(id_number=ZHANG)
    assert zhang.user_id == account
    assert zhang.employments.count() == 2
    assert zhang.current_employment.school == school


@pytest.mark.django_db
def test_usernames_are_never_made_of_the_phone_or_the_id_number(school, superuser, monkeypatch):
    User.objects.create_user(username="tzzzzzzz", password="x")
    draws = iter([["tzzzzzzz"] * 7, [f"tfresh{n}0" for n in range(7)]])
    monkeypatch.setattr(roster, "new_usernames", lambda count: next(draws)[:count])

    import_roster(actor=superuser, school=school, file_name="good.xlsx", data=read("good.xlsx"))

    # A name already taken is drawn again; none is derived from the person.
    assert Person.objects.get(id_number=ZHANG).user.username == "tfresh00"
    assert sorted(Person.objects.values_list("user__username", flat=True)) == [f"tfresh{n}0" for n in range(7)]


@pytest.mark.django_db
def test_permission(school, other_school):
    stranger = make_admin(other_school, "other-admin")
    with pytest.raises(PermissionDenied):
        import_roster(actor=stranger, school=school, file_name="good.xlsx", data=read("good.xlsx"))
    assert not Person.objects.exists()

    admin = make_admin(school, "admin")
    assert import_roster(actor=admin, school=school, file_name="good.xlsx", data=read("good.xlsx")).ok


@pytest.mark.django_db
def test_system_import_without_actor(school):
    report = import_roster(actor=None, school=school, file_name="good_gbk.csv", data=read("good_gbk.csv"))

    assert report.ok
    assert AuditEvent.objects.get(action="roster.import").actor is None


# --- The management command ----------------------------------------------------------------


@pytest.mark.django_db
def test_command_json_on_a_bad_file_exits_1(school):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_roster", str(DATA / "bad.xlsx"), "--school", school.code, "--json", stdout=out)

    assert exited.value.code == 1
    payload = json.loads(out.getvalue())
    assert set(payload) == {"ok", "rows", "errors"}
    assert payload["ok"] is False and payload["rows"] == 9
    assert payload["errors"][0] == {"row": 4, "column": "身份证号", "message": "身份证号校验位不正确，请核对是否抄错。"}
    assert "身份证号" in out.getvalue()  # ensure_ascii=False
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_command_json_on_a_good_file_imports(school):
    out = io.StringIO()
    call_command("import_roster", str(DATA / "good.xlsx"), "--school", school.code, "--create-groups", "--json", stdout=out)

    assert json.loads(out.getvalue()) == {"ok": True, "rows": 7, "errors": []}
    assert Person.objects.count() == 7


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(school):
    out = io.StringIO()
    call_command("import_roster", str(DATA / "good.xls"), "--school", school.code, "--create-groups", "--dry-run", stdout=out)

    assert "检查通过" in out.getvalue() and "新增 7 人" in out.getvalue()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_command_text_output_lists_errors(school):
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_roster", str(DATA / "bad.xlsx"), "--school", school.code, stdout=out)

    lines = out.getvalue().splitlines()
    assert "第 4 行 [身份证号]：身份证号校验位不正确，请核对是否抄错。" in lines
    assert "第 8 行 [学段]：学段“大学”无法识别，可填：幼儿园、小学、初中、九年一贯制、高中、职高。" in lines


@pytest.mark.django_db
def test_command_unknown_school(school):
    with pytest.raises(CommandError):
        call_command("import_roster", str(DATA / "good.xlsx"), "--school", "9999999999", stdout=io.StringIO())
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_roster", str(DATA / "good.xlsx"), "--school", "9999999999", "--json", stdout=out)
    assert json.loads(out.getvalue())["ok"] is False


@pytest.mark.django_db
def test_group_names_must_keep_their_kind(school, superuser):
    Group.objects.create(school=school, name="数学组", kind=GroupKind.PREPARATION)
    data = read("good_utf8_bom.csv").decode("utf-8-sig").replace("一年级语文备课组", "英语组")

    report = preview_roster(school=school, file_name="good.csv", data=data.encode())

    assert [(e.row, e.column) for e in report.errors] == [(4, "备课组"), (5, "教研组"), (10, "教研组")]
    assert "其他行填作教研组" in report.errors[0].message
    assert "备课组" in report.errors[1].message


@pytest.mark.django_db
def test_preview_after_import_counts_known_teachers(school, superuser):
    import_roster(actor=superuser, school=school, file_name="good.xlsx", data=read("good.xlsx"))

    report = preview_roster(school=school, file_name="update.csv", data=read("update.csv"))

    assert (report.ok, report.created, report.updated) == (True, 1, 2)


@pytest.mark.django_db
def test_tab_separated_text_saved_as_csv(school):
    text = read("update.csv").decode().replace('","', "\t").replace('"', "").replace(",", "\t")

    report = preview_roster(school=school, file_name="roster.csv", data=text.encode("gb18030"))

    assert report.ok, report.errors
    assert report.rows == 3


@pytest.mark.django_db
def test_a_school_admin_learns_only_that_the_number_is_registered_elsewhere(school, other_school, county, superuser):
    import_roster(actor=superuser, school=other_school, file_name="update.csv", data=read("update.csv"))
    admin = make_admin(school, "admin-here")
    report = preview_roster(school=school, file_name="good.xlsx", data=read("good.xlsx"), actor=admin)
    assert where(report) == [(4, "身份证号码"), (5, "身份证号码")]
    assert all("长沙县星沙小学" not in e.message and "已在其他学校登记" in e.message for e in report.errors)
    result = import_roster(actor=admin, school=school, file_name="good.xlsx", data=read("good.xlsx"))
    assert all("长沙县星沙小学" not in e.message for e in result.errors)

    bureau = User.objects.create_user(username="bureau-here", password="x")
    RoleAssignment.objects.create(user=bureau, role=Role.BUREAU_ADMIN, region=county)
    report = preview_roster(school=school, file_name="good.xlsx", data=read("good.xlsx"), actor=bureau)
    assert "长沙县星沙小学" in report.errors[0].message
