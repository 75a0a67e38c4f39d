"""Import of exam scores from sheets written by LibreOffice (xlsx, xls) and a GBK CSV made by a script.

tests/data/routine/ holds the files (``make_fixtures.py`` writes them): a
期末 score book with two title rows and a two-row merged header (xlsx, xls),
a sheet of bad cells (xlsx) and a 月考 sheet saved as GBK CSV with 成绩 over
the subjects.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from yanxiu.core.models import AuditEvent
from yanxiu.routine.choices import ExamKind, ScoreStatus
from yanxiu.routine.importing import ExamInput, import_scores, preview_scores
from yanxiu.routine.models import Exam, ExamScore

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "routine"
TODAY = dt.date(2026, 1, 20)
FINAL = ExamInput(name="2024—2025学年第一学期期末质量监测", date=dt.date(2025, 1, 10))


def _file(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _scores(exam: Exam) -> dict[tuple, tuple]:
    return {(s.grade, s.class_no, s.student_name, s.subject): (s.status, s.score) for s in exam.scores.all()}


@pytest.mark.parametrize("name", ["scores.xlsx", "scores.xls"])
def test_a_merged_two_row_header_and_every_messy_form(school, name):
    report = import_scores(actor=None, school=school, file_name=name, data=_file(name), exam=FINAL, today=TODAY)
    assert report.ok, report.errors
    assert report.rows == 11 and report.scores == 33 and report.subjects == ["语文", "数学", "英语"]
    assert report.ignored == ["序号", "语文·名次", "数学·名次", "总分"]
    exam = Exam.objects.get(school=school)
    assert (exam.name, exam.kind, exam.school_year, exam.term, exam.full_marks) == (FINAL.name, ExamKind.FINAL, 2024, 1, 100)
    assert exam.file_name == name and exam.created_by is None
    got = _scores(exam)
    assert len(got) == 33
    assert got[(3, 1, "张小明", "数学")] == (ScoreStatus.SCORED, Decimal("98.5"))  # half points
    assert got[(3, 1, "李华", "语文")] == (ScoreStatus.SCORED, Decimal("89.5"))  # full-width digits, the name's spaces gone
    assert got[(3, 1, "李华", "英语")] == (ScoreStatus.ABSENT, None)
    assert got[(3, 1, "王芳", "数学")] == (ScoreStatus.EXEMPT, None)
    assert got[(3, 1, "=SUM(A1:A2)", "语文")] == (ScoreStatus.LEAVE, None)  # a name starting with = is text
    assert got[(3, 1, "赵六", "语文")] == (ScoreStatus.EMPTY, None)
    assert got[(3, 1, "孙七", "数学")] == (ScoreStatus.SCORED, Decimal("58"))  # the class merged down from the row above
    assert {k[:2] for k in got} == {(3, 1), (3, 2), (4, 2)}  # 三（1）班 三(1) 三年级一班 3.1 | 3-2 ３－２ 3.2 | 四(2)班 4.2
    assert [got[(3, 2, n, "英语")] for n in ("周八", "吴九", "郑十")] == [(ScoreStatus.EMPTY, None)] * 3  # not taken: kept
    assert "平均分" not in {k[2] for k in got}  # the summary row is no student
    assert ExamScore.objects.get(exam=exam, student_name="冯二", subject="语文").row == 16  # the sheet's row number
    event = AuditEvent.objects.get(action="routine.scores_import")
    assert event.school_id == school.pk and event.detail["scores"] == 33 and event.detail["classes"] == 3
    assert "张小明" not in json.dumps(event.detail, ensure_ascii=False)  # no student names in the audit row


def test_the_class_summary_of_the_report(school):
    report = preview_scores(school=school, file_name="scores.xlsx", data=_file("scores.xlsx"), exam=FINAL, today=TODAY)
    assert report.ok and report.dry_run and not Exam.objects.exists()
    by_class = {(c.grade, c.class_no): c for c in report.classes}
    assert by_class[(3, 1)].students == 6 and by_class[(3, 2)].students == 3 and by_class[(4, 2)].students == 2
    cells = {c["subject"]: c for c in by_class[(3, 2)].cells(report.subjects)}
    assert cells["英语"]["taken"] is False and cells["英语"]["empty"] == 3
    assert cells["数学"] == {"subject": "数学", "taken": True, "scored": 2, "absent": 1, "leave": 0, "exempt": 0, "empty": 0}


def test_a_gbk_csv_with_score_merged_over_the_subjects(school):
    exam = ExamInput(name="五年级10月月考", date=dt.date(2024, 10, 25))
    report = import_scores(actor=None, school=school, file_name="scores_gbk.csv", data=_file("scores_gbk.csv"), exam=exam,
                           today=TODAY)
    assert report.ok, report.errors
    saved = Exam.objects.get(name="五年级10月月考")
    assert saved.kind == ExamKind.MONTHLY and (saved.school_year, saved.term) == (2024, 1)
    got = _scores(saved)
    assert got[(5, 1, "陈一", "数学")] == (ScoreStatus.SCORED, Decimal("92.5"))
    assert got[(5, 1, "林二", "数学")] == (ScoreStatus.LEAVE, None)
    assert got[(5, 2, "黄三", "英语")] == (ScoreStatus.EXEMPT, None)
    assert got[(5, 2, "何四", "语文")] == (ScoreStatus.EMPTY, None)


def test_every_bad_cell_is_named_by_row_and_column_and_nothing_is_written(school):
    report = import_scores(actor=None, school=school, file_name="bad_scores.xlsx", data=_file("bad_scores.xlsx"),
                           exam=ExamInput(name="三年级期中", date=dt.date(2025, 4, 20)), today=TODAY)
    assert not report.ok and not Exam.objects.exists() and not ExamScore.objects.exists() and not AuditEvent.objects.exists()
    got = [(e.row, e.column) for e in report.errors]
    assert got == [(4, "班级"), (5, "语文"), (6, "语文"), (7, "语文"), (8, "语文"), (9, "班级"), (10, "姓名"), (11, "姓名"),
                   (12, "姓名"), (13, "班级"), (13, "数学")]
    text = {(e.row, e.column): e.message for e in report.errors}
    assert "302" in text[(4, "班级")] and "超过满分 100" in text[(5, "语文")] and "不能小于 0" in text[(6, "语文")]
    assert "须写成数字" in text[(7, "语文")] and "一位小数" in text[(8, "语文")] and "与第 3 行同班同名" in text[(10, "姓名")]


def test_the_exam_is_new_named_and_dated_within_bounds(school):
    data = _file("scores_gbk.csv")

    def problems(exam: ExamInput) -> list[str]:
        report = preview_scores(school=school, file_name="scores_gbk.csv", data=data, exam=exam, today=TODAY)
        return [f"{e.column}:{e.message}" for e in report.errors]

    assert problems(ExamInput(name="  ", date=TODAY)) == ["考试名称:请填写考试名称（如“2025年秋季期末质量监测”）。",
                                                          "考试类型:无法从考试名称判断考试类型：名称中请写明“期末”“期中”“月考”或“单元”，或选择考试类型。"]
    assert problems(ExamInput(name="质量监测", date=TODAY, kind=ExamKind.MIDTERM)) == []
    assert "过长" in problems(ExamInput(name="期末" * 31, date=TODAY))[0]
    assert "控制字符" in problems(ExamInput(name="期末\x00", date=TODAY))[0]
    assert "晚于今天" in problems(ExamInput(name="期末", date=TODAY + dt.timedelta(days=1)))[0]
    assert "1950" in problems(ExamInput(name="期末", date=dt.date(1949, 12, 31)))[0]
    assert "不在可登记的学年内" in problems(ExamInput(name="期末", date=dt.date(1950, 1, 15)))[0]
    assert problems(ExamInput(name="期末", date=dt.date(1950, 9, 15))) == []
    for bad in ("0", "1001", "99.55", "abc", "NaN", "-5"):
        assert problems(ExamInput(name="期末", date=TODAY, full_marks=bad))[0].startswith("满分:"), bad
    assert problems(ExamInput(name="期末", date=TODAY, full_marks="150")) == []
    assert import_scores(actor=None, school=school, file_name="scores_gbk.csv", data=data,
                         exam=ExamInput(name="五年级月考", date=TODAY), today=TODAY).ok
    again = problems(ExamInput(name="五年级月考", date=TODAY))
    assert again == ["考试名称:本校已有名为“五年级月考”的考试，请换一个名称。"] and Exam.objects.count() == 1


def test_full_marks_bound_the_scores(school):
    exam = ExamInput(name="期末", date=dt.date(2025, 1, 10), full_marks="90")
    report = preview_scores(school=school, file_name="scores_gbk.csv", data=_file("scores_gbk.csv"), exam=exam, today=TODAY)
    assert [(e.row, e.column) for e in report.errors] == [(4, "数学"), (6, "语文"), (6, "数学")]


def test_only_who_manages_the_school_imports(roles, school):
    with pytest.raises(PermissionDenied):
        import_scores(actor=roles.other_admin, school=school, file_name="scores_gbk.csv", data=_file("scores_gbk.csv"),
                      exam=ExamInput(name="月考", date=TODAY), today=TODAY)
    with pytest.raises(PermissionDenied):
        preview_scores(school=school, file_name="scores_gbk.csv", data=_file("scores_gbk.csv"),
                       exam=ExamInput(name="月考", date=TODAY), actor=roles.teacher, today=TODAY)
    report = import_scores(actor=roles.school_admin, school=school, file_name="scores_gbk.csv", data=_file("scores_gbk.csv"),
                           exam=ExamInput(name="月考", date=TODAY), today=TODAY)
    assert report.ok and Exam.objects.get().created_by == roles.school_admin


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def test_hostile_files_are_refused_with_a_message(school):
    exam = ExamInput(name="期末", date=dt.date(2025, 1, 10))

    def first_error(name: str, data: bytes) -> str:
        report = import_scores(actor=None, school=school, file_name=name, data=data, exam=exam, today=TODAY)
        assert not report.ok and not Exam.objects.exists()
        return report.errors[0].message

    assert "不支持的文件类型" in first_error("scores.exe", b"MZ")
    assert "文件是空的" in first_error("scores.csv", b"")
    assert "无法读取" in first_error("scores.xlsx", b"PK\x03\x04 not a zip")
    assert "没有找到表头行" in first_error("scores.csv", _csv("a,b,c", "1,2,3"))
    assert "表头下面没有学生成绩行" in first_error("scores.csv", _csv("班级,姓名,语文"))
    assert "控制字符" in first_error("scores.csv", _csv("班级,姓名,语文", "三(1)班,张\x07三,90"))
    assert "过长" in first_error("scores.csv", _csv("班级,姓名,语文", "三(1)班," + "x" * 200_000 + ",90"))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (50 * 1024 * 1024) + "</worksheet>")
    assert "压缩" in first_error("scores.xlsx", bomb.getvalue())


def test_a_formula_like_name_is_kept_as_text_and_bounds_hold(school, settings):
    data = _csv("班级,姓名,语文", "三(1)班,=HYPERLINK(\"http://x\"),90", "三(1)班,+1,80", "三(1)班,@cmd,70")
    report = import_scores(actor=None, school=school, file_name="s.csv", data=data,
                           exam=ExamInput(name="期末", date=dt.date(2025, 1, 10)), today=TODAY)
    assert report.ok
    assert set(ExamScore.objects.values_list("student_name", flat=True)) == {'=HYPERLINK("http://x")', "+1", "@cmd"}
    settings.YANXIU_IMPORT_MAX_ROWS = 3
    report = preview_scores(school=school, file_name="s.csv", data=data, exam=ExamInput(name="期末二", date=TODAY), today=TODAY)
    assert not report.ok and "超过导入上限" in report.errors[0].message


def test_a_grade_column_and_a_class_number(school):
    data = _csv("年级,班级,姓名,语文,数学", "三年级,1班,张三,90,80", ",2,李四,85,缺考", "四,四(1)班,王五,70,60")
    report = import_scores(actor=None, school=school, file_name="s.csv", data=data,
                           exam=ExamInput(name="期中", date=dt.date(2025, 4, 20)), today=TODAY)
    assert report.ok, report.errors
    assert sorted({(s.grade, s.class_no) for s in ExamScore.objects.all()}) == [(3, 1), (3, 2), (4, 1)]
    assert Exam.objects.get().term == 2


# --- The command ---------------------------------------------------------------------------------


def _command(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_scores", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_the_command_dry_run_then_import_with_json(school):
    path = str(DATA / "scores.xls")
    code, out = _command(path, "--school", school.code, "--exam", "期末考试", "--date", "2025-01-10", "--dry-run", "--json")
    assert code == 0 and json.loads(out) == {"ok": True, "rows": 11, "errors": []} and not Exam.objects.exists()
    code, out = _command(path, "--school", school.code, "--exam", "期末考试", "--date", "2025-01-10", "--full-marks", "100")
    assert code == 0 and "导入完成，共 11 名学生、3 个班" in out and "未导入的列：序号" in out
    assert Exam.objects.get().scores.count() == 33
    code, out = _command(path, "--school", school.code, "--exam", "期末考试", "--date", "2025-01-10", "--json")
    assert code == 1 and json.loads(out) == {"ok": False, "rows": 11, "errors": [
        {"row": 0, "column": "考试名称", "message": "本校已有名为“期末考试”的考试，请换一个名称。"}]}


def test_the_command_reports_bad_files_and_options(school):
    code, out = _command(str(DATA / "bad_scores.xlsx"), "--school", school.code, "--exam", "期中", "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["rows"] == 11 and len(report["errors"]) == 11
    assert set(report["errors"][0]) == {"row", "column", "message"} and report["errors"][0]["row"] == 4
    code, out = _command(str(DATA / "bad_scores.xlsx"), "--school", school.code, "--exam", "期中")
    assert code == 1 and "第 4 行 [班级]：" in out and "未写入任何数据" in out
    code, out = _command(str(DATA / "scores.xls"), "--school", "nope", "--exam", "期末", "--json")
    assert code == 1 and "找不到学校" in json.loads(out)["errors"][0]["message"]
    code, out = _command(str(DATA / "scores.xls"), "--school", school.code, "--exam", "期末", "--date", "2025-13-01", "--json")
    assert code == 1 and "考试日期" in json.loads(out)["errors"][0]["message"]
    code, out = _command(str(DATA / "missing.xlsx"), "--school", school.code, "--exam", "期末", "--json")
    assert code == 1 and "找不到文件" in json.loads(out)["errors"][0]["message"]
    code, out = _command(str(DATA / "scores.xls"), "--school", school.code, "--exam", "期末", "--full-marks", "x", "--json")
    assert code == 1 and json.loads(out)["errors"][0]["column"] == "满分"
    assert not Exam.objects.exists()


def test_a_book_of_one_sheet_per_class(school):
    """The class in each sheet's name (三（1）班) or title (三年级三班期末成绩); a notes sheet without a header is skipped;
    several sheets read, each problem names its sheet."""
    exam = ExamInput(name="期末", date=dt.date(2025, 1, 10))
    report = preview_scores(school=school, file_name="per_class.xlsx", data=_file("per_class.xlsx"), exam=exam, today=TODAY)
    assert [(e.row, e.column) for e in report.errors] == [(3, "工作表“三（2）班”·语文")]
    assert "超过满分 100" in report.errors[0].message
    report = preview_scores(school=school, file_name="per_class.xlsx", data=_file("per_class.xlsx"),
                            exam=ExamInput(name="期末", date=dt.date(2025, 1, 10), full_marks="150"), today=TODAY)
    assert report.ok, report.errors
    assert [(c.grade, c.class_no, c.students) for c in report.classes] == [(3, 1, 2), (3, 2, 2), (3, 3, 1)]
    assert report.rows == 5 and report.scores == 10 and report.subjects == ["语文", "数学"]


def test_a_sheet_reaching_far_is_refused_before_it_is_loaded(school):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["班级", "姓名", "语文"])
    sheet.append(["三(1)班", "张三", 90])
    sheet["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    report = import_scores(actor=None, school=school, file_name="far.xlsx", data=out.getvalue(),
                           exam=ExamInput(name="期末", date=dt.date(2025, 1, 10)), today=TODAY)
    assert not report.ok and "XFD1048576" in report.errors[0].message and not Exam.objects.exists()
