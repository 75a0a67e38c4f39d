"""``yanxiu register --school CODE --year YYYY --xlsx FILE``."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.reports.office import xlsx_rows
from tests.reports.registers_data import YEAR, build

pytestmark = pytest.mark.django_db


def _cells_by_sheet(path) -> dict[str, list[str]]:
    """Every non-empty cell of every sheet of the workbook, as text (the file is a zip: its bytes say nothing)."""
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
                for ws in wb.worksheets}
    finally:
        wb.close()


@pytest.fixture
def data(roles, school, school_b, county):
    return build(roles, school, school_b, county)


def test_the_command_writes_the_schools_register(data, roles, school, tmp_path, capsys):
    target = tmp_path / "register.xlsx"
    call_command("register", "--school", school.code, "--year", str(YEAR), "--xlsx", str(target))
    assert "学时记录 6 条，教师 4 人" in capsys.readouterr().out
    sheet = xlsx_rows(target)  # opened by LibreOffice
    assert sheet[0][:4] == ["姓名", "身份证号", "登记学校", "日期"]
    rows = sheet[1:]
    assert len(rows) == 6 and {r[0] for r in rows} == {"张老师", "组员"}
    assert {r[7] for r in rows if r[0] == "张老师"} == {"校本讲座：大单元教学", "县级学科培训", "省级骨干教师培训", "市级班主任培训", "公开课：圆的认识"}
    assert next(r for r in rows if r[7] == "省级骨干教师培训")[3:5] == ["2025-11-03 至 2025-11-07", "省培"]
    assert next(r for r in rows if r[0] == "组员")[7] == '=HYPERLINK("http://x","y")'
    assert all("********" in r[1] for r in rows)
    sheets = _cells_by_sheet(target)
    assert set(sheets) == {"台账", "教师汇总"}, set(sheets)
    for title, cells in sheets.items():  # no full ID number anywhere, the masked one in each sheet
        assert not any(data.teacher.id_number in c for c in cells), title
        assert data.teacher.masked_id_number in cells, title
    teachers = list(load_workbook(target)["教师汇总"].iter_rows(values_only=True))
    zhang = next(r for r in teachers if r[0] == "张老师")
    assert zhang[4] == 5 and zhang[-2] == 47 and len(teachers) == 5


@pytest.mark.parametrize(("args", "message"), [
    (["--school", "9999999999", "--year", str(YEAR)], "找不到学校标识码"),
    (["--year", str(10**30)], "--year 须是"),
    (["--year", "0"], "--year 须是"),
    (["--year", "二〇二五"], "--year 须是"),
    (["--year", "abc"], "--year 须是"),
])
def test_bad_arguments_exit_2_with_a_chinese_message_and_no_file(data, school, tmp_path, args, message):
    target = tmp_path / "register.xlsx"
    argv = ["--school", school.code, *args] if args[0] != "--school" else args
    with pytest.raises(CommandError) as info:
        call_command("register", *argv, "--xlsx", str(target))
    assert info.value.returncode == 2 and message in str(info.value)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_from_the_command_line_the_status_is_2_and_the_message_on_stderr(data, school, tmp_path, capsys):
    from yanxiu.reports.management.commands.register import Command

    target = tmp_path / "r.xlsx"
    with pytest.raises(SystemExit) as info:
        Command().run_from_argv(["yanxiu", "register", "--school", school.code, "--year", str(10**30), "--xlsx", str(target)])
    assert info.value.code == 2
    assert "--year 须是 2000 到" in capsys.readouterr().err and not target.exists()
