"""Import of past growth records from registers written by LibreOffice and a GBK CSV.

tests/data/growth/ holds the files (``make_fixtures.py`` writes them): a
成果登记 register of every kind (xlsx, xls, ods), a register of bad rows
(xlsx) and a 听课记录 book saved as GBK CSV without a 类型 column.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from yanxiu.core.models import AuditEvent
from yanxiu.growth.choices import RecordKind
from yanxiu.growth.importing import import_records, preview_records
from yanxiu.growth.models import GrowthRecord, GrowthYear
from yanxiu.org.models import Employment, Person

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "growth"
_spec = importlib.util.spec_from_file_location("growth_fixtures", DATA / "make_fixtures.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)
ZHANG, LI = fixtures.ZHANG, fixtures.LI
TODAY = dt.date(2026, 1, 15)


def _person(school, name: str, id_number: str, *, start=dt.date(2015, 9, 1), end=None):
    person = Person.objects.create(name=name, gender="M" if int(id_number[16]) % 2 else "F",
                                   birth_date=dt.datetime.strptime(id_number[6:14], "%Y%m%d").date(), id_number=id_number)
    Employment.objects.create(person=person, school=school, start_date=start, end_date=end, stage="primary", subject="语文",
                              education="bachelor", teaching_since=dt.date(2008, 9, 1))
    return person


@pytest.fixture
def staff(school):
    """张伟 and 李娜 (the files give their ID numbers), 王芳 (matched by name), two teachers named 刘洋."""
    return {
        "张伟": _person(school, "张伟", ZHANG),
        "李娜": _person(school, "李娜", LI),
        "王芳": _person(school, "王芳", fixtures.id_number("19920101", "024")),
        "刘洋1": _person(school, "刘洋", fixtures.id_number("19780815", "013")),
        "刘洋2": _person(school, "刘洋", fixtures.id_number("19800202", "033")),
    }


def _file(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.mark.parametrize("name", ["register.xlsx", "register.xls", "register.ods"])
def test_a_register_of_every_kind_is_imported(school, staff, name):
    data = _file(name)
    preview = preview_records(school=school, file_name=name, data=data, today=TODAY)
    assert preview.ok, preview.errors
    assert (preview.rows, preview.created) == (13, 13)
    assert not GrowthRecord.objects.exists()  # the preview writes nothing
    report = import_records(actor=None, school=school, file_name=name, data=data, today=TODAY)
    assert report.ok, report.errors
    assert report.created == 13 and set(report.by_kind) == set(RecordKind.values)
    records = {r.import_row: r for r in GrowthRecord.objects.all()}
    assert set(records) == set(range(4, 17))  # two title rows, the header on row 3
    assert all(r.status == "accepted" and r.source == "imported" and r.school == school and r.credit_entry_id is None
               for r in records.values())
    zhang, li, wang = staff["张伟"], staff["李娜"], staff["王芳"]
    observation = records[4]
    assert (observation.person, observation.kind, observation.date) == (zhang, "observation", dt.date(2024, 10, 2))  # serial 45567
    assert (observation.observed, observation.observed_name, observation.class_name) == (li, "李娜", "七（2）班")  # as typed
    assert observation.critique == "重点突出，朗读指导到位" and observation.content == "第一课时"
    assert (records[5].level, records[5].date) == ("county", dt.date(2024, 11, 5))
    assert (records[6].person, records[6].level, records[6].date) == (wang, "city", dt.date(2024, 12, 3))  # by name
    assert (records[7].person, records[7].date) == (zhang, dt.date(2025, 1, 8))  # full-width ID digits
    assert records[8].date == dt.date(2025, 3, 10) and records[9].date == dt.date(2025, 3, 12)  # 年月日, full-width
    assert records[10].date == dt.date(2025, 3, 20)  # text with a time
    assert (records[11].date, records[11].venue, records[11].level, records[11].rank) == (dt.date(2025, 4, 1), "湖南教育", "province", "独立")
    topic = records[12]
    assert (topic.date, topic.role, topic.topic_status, topic.content) == (dt.date(2025, 4, 15), "lead", "ongoing", "县级规划课题")
    assert records[13].date == dt.date(2025, 5, 1)  # serial number as text
    student = records[15]
    assert (student.kind, student.student_award, student.rank, student.level) == ("award", True, "first", "county")
    assert student.title == "=SUM(1,2)作文竞赛"  # text, never a formula
    assert (records[16].rank, records[16].level, records[16].date) == ("second", "county", dt.date(2025, 6, 1))
    audit = AuditEvent.objects.get(action="growth.record_import")
    assert audit.school_id == school.pk and audit.detail["created"] == 13 and audit.detail["rows"] == 13


def test_an_equals_sign_stays_text_in_an_export(school, staff):
    """A title starting with = goes out as a text cell (core/xlsx), as stored."""
    from openpyxl import Workbook

    from yanxiu.core import xlsx

    import_records(actor=None, school=school, file_name="register.xlsx", data=_file("register.xlsx"), today=TODAY)
    title = GrowthRecord.objects.get(import_row=15).title
    sheet = Workbook().active
    xlsx.append(sheet, [title])
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=SUM(1,2)作文竞赛"


def test_a_gbk_csv_book_of_observations_takes_its_kind_from_the_title(school, staff):
    report = import_records(actor=None, school=school, file_name="observations_gbk.csv", data=_file("observations_gbk.csv"),
                            today=TODAY)
    assert report.ok, report.errors
    rows = list(GrowthRecord.objects.order_by("import_row").values_list("import_row", "kind", "person__name", "date",
                                                                       "observed_name", "subject", "critique"))
    assert rows == [
        (3, "observation", "张伟", dt.date(2025, 9, 3), "李娜", "数学", "情境创设好"),
        (4, "observation", "李娜", dt.date(2025, 9, 10), "张伟", "语文", "朗读充分"),
        (5, "observation", "王芳", dt.date(2025, 9, 15), "李娜", "数学", "练习设计有梯度"),
    ]


def test_a_register_without_kind_column_or_title_names_the_missing_column(school, staff):
    data = "姓名,日期,名称\n张伟,2025-03-01,一节课\n".encode("gbk")
    report = preview_records(school=school, file_name="x.csv", data=data, today=TODAY)
    assert not report.ok and report.errors[0].row == 1 and "类型" in report.errors[0].column


EXPECTED_BAD = [
    (4, "类型", "“家访”无法识别"),
    (5, "日期", "“去年”无法识别为日期"),
    (6, "日期", "早于 1950 年"),
    (7, "日期", "晚于今天"),
    (8, "日期", "不是有效的日期"),
    (9, "姓名", "本校没有名为“赵六”的教师"),
    (10, "姓名", "本校有 2 位名为“刘洋”的教师"),
    (11, "等次", "须填写等次"),
    (12, "学科", "须填写学科"),
    (13, "名称", "名称过长（250 个字，最多 200 个）"),
    (14, "身份证号", "校验位不正确"),
    (15, "角色", "角色“旁听”无法识别"),
    (16, "姓名", "姓名“王五”与该身份证号登记的姓名“张伟”不一致"),
    (17, "名称", "与第 3 行重复"),
]


def test_every_bad_row_is_named_and_nothing_is_written(school, staff):
    report = import_records(actor=None, school=school, file_name="bad.xlsx", data=_file("bad.xlsx"), today=TODAY)
    assert not report.ok and report.rows == 15
    found = [(e.row, e.column, e.message) for e in report.errors]
    assert len(found) == len(EXPECTED_BAD), found
    for (row, column, message), (want_row, want_column, want_text) in zip(found, EXPECTED_BAD):
        assert (row, column) == (want_row, want_column) and want_text in message, (row, column, message)
    assert not GrowthRecord.objects.exists()  # row 3 is right, and not written either
    assert not AuditEvent.objects.filter(action="growth.record_import").exists()


def test_importing_the_same_register_again_doubles_nothing(school, staff):
    assert import_records(actor=None, school=school, file_name="register.xlsx", data=_file("register.xlsx"), today=TODAY).ok
    again = import_records(actor=None, school=school, file_name="register.xls", data=_file("register.xls"), today=TODAY)
    assert not again.ok and len(again.errors) == 13
    assert all(e.column == "题目" and "已有这条记录" in e.message for e in again.errors)
    assert GrowthRecord.objects.count() == 13


def test_past_teachers_and_other_schools(school, school_b, staff):
    """A teacher who left imports what happened before leaving; someone never at the school is refused."""
    left = _person(school, "孙丽", fixtures.id_number("19860203", "022"), end=dt.date(2025, 1, 31))
    Employment.objects.create(person=left, school=school_b, start_date=dt.date(2025, 2, 1), stage="junior", subject="语文",
                              education="bachelor", teaching_since=dt.date(2008, 9, 1))
    stranger = _person(school_b, "钱进", fixtures.id_number("19800101", "011"))
    data = (f"姓名,身份证号,类型,日期,名称\n孙丽,{left.id_number},讲座,2024-12-01,讲座甲\n"
            f"孙丽,{left.id_number},讲座,2025-03-01,讲座乙\n钱进,{stranger.id_number},讲座,2024-12-01,讲座丙\n"
            "钱进,,讲座,2024-12-01,讲座丁\n").encode()
    report = preview_records(school=school, file_name="p.csv", data=data, today=TODAY)
    found = [(e.row, e.column) for e in report.errors]
    assert found == [(3, "日期"), (4, "身份证号"), (5, "姓名")], report.errors
    assert "2025-01-31 离开本校" in report.errors[0].message and "430121********" in report.errors[1].message
    ok = import_records(actor=None, school=school, file_name="p.csv", data=data.split(b"\n", 2)[0] + b"\n" +
                        data.split(b"\n")[1] + b"\n", today=TODAY)
    assert ok.ok and GrowthRecord.objects.get().school == school  # kept by the school it happened at


def test_a_signed_off_year_takes_no_import(school, staff):
    GrowthYear.objects.create(person=staff["张伟"], school_year=2024, signed_off_at=dt.datetime(2025, 8, 1, tzinfo=dt.timezone.utc))
    data = "姓名,类型,日期,名称\n张伟,讲座,2025-03-01,讲座甲\n张伟,讲座,2025-09-03,讲座乙\n".encode()
    report = preview_records(school=school, file_name="l.csv", data=data, today=TODAY)
    assert [(e.row, e.column) for e in report.errors] == [(2, "日期")] and "已签署" in report.errors[0].message


def test_imported_records_count_towards_progress(growth, school, staff):
    Employment.objects.filter(person=staff["张伟"]).update(tier="backbone")
    growth.adopt("001-1-backbone", year=2024, term=1)
    import_records(actor=None, school=school, file_name="register.xlsx", data=_file("register.xlsx"), today=TODAY)
    from yanxiu.growth.progress import person_progress

    progress = person_progress(staff["张伟"], year=2024, term=1, today=TODAY)
    done = {item.kind: item.done for item in progress.items}
    assert done["observation"] == 1 and done["article"] == 1  # observed in term 1, the paper in the year


def test_the_reader_bounds_apply(school, staff, settings):
    settings.YANXIU_IMPORT_MAX_COLUMNS = 10
    report = preview_records(school=school, file_name="register.xlsx", data=_file("register.xlsx"), today=TODAY)
    assert not report.ok and report.errors[0].row == 0 and "超过导入上限" in report.errors[0].message


def test_only_the_schools_admin_imports(school, roles):
    with pytest.raises(PermissionDenied):
        import_records(actor=roles.other_admin, school=school, file_name="register.xlsx", data=_file("register.xlsx"))
    with pytest.raises(PermissionDenied):
        preview_records(actor=roles.teacher, school=school, file_name="register.xlsx", data=_file("register.xlsx"))


def _command(*args) -> tuple[dict, int]:
    out = io.StringIO()
    try:
        call_command("import_growth", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return json.loads(out.getvalue()), code


def test_the_command_dry_run_and_json_report(school, staff):
    path = str(DATA / "register.xlsx")
    report, code = _command(path, "--school", school.code, "--dry-run", "--json")
    assert (report, code) == ({"ok": True, "rows": 13, "errors": []}, 0)
    assert not GrowthRecord.objects.exists()
    report, code = _command(path, "--school", school.code, "--json")
    assert (report, code) == ({"ok": True, "rows": 13, "errors": []}, 0) and GrowthRecord.objects.count() == 13
    report, code = _command(str(DATA / "bad.xlsx"), "--school", school.code, "--json")
    assert code == 1 and report["ok"] is False and report["rows"] == 15 and set(report) == {"ok", "rows", "errors"}
    assert report["errors"][0] == {"row": 4, "column": "类型", "message": report["errors"][0]["message"]}
    assert all(set(e) == {"row", "column", "message"} for e in report["errors"])
    report, code = _command(path, "--school", "9999999999", "--json")
    assert code == 1 and report["ok"] is False and report["errors"][0]["row"] == 0


def test_the_command_prints_a_summary(school, staff):
    out = io.StringIO()
    call_command("import_growth", str(DATA / "observations_gbk.csv"), "--school", school.code, "--dry-run", stdout=out)
    assert "检查通过，共 3 行，将导入 3 条记录（听课 3）" in out.getvalue()


def test_cells_starting_with_an_equals_sign_are_text(school, staff):
    """A teacher's name written as a formula is an unknown name shown as written; an observed name is stored as text."""
    data = ("姓名,类型,日期,名称,授课教师,学科\n"
            "\"=HYPERLINK(\"\"http://x\"\",\"\"张伟\"\")\",听课,2025-03-01,一节课,李娜,语文\n"
            "张伟,听课,2025-03-02,另一节课,\"=cmd|' /C calc'!A0\",语文\n").encode()
    report = preview_records(school=school, file_name="f.csv", data=data, today=TODAY)
    assert [(e.row, e.column) for e in report.errors] == [(2, "姓名")]
    assert "“=HYPERLINK(\"http://x\",\"张伟\")”" in report.errors[0].message
    ok = import_records(actor=None, school=school, file_name="f.csv", data=data.replace(data.split(b"\n")[1] + b"\n", b""),
                        today=TODAY)
    assert ok.ok and GrowthRecord.objects.get().observed_name == "=cmd|' /C calc'!A0"
