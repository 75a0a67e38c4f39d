"""The roster import refuses hostile spreadsheets with one clear error, never loading them."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.core.test_sheets import FAR_CELL, _bomb
from yanxiu.org.models import Person, Region, School
from yanxiu.org.roster import import_roster, preview_roster


@pytest.fixture
def school(db) -> School:
    province = Region.objects.create(code="430000", name="湖南省", level="province")
    city = Region.objects.create(code="430100", name="长沙市", level="city", parent=province)
    county = Region.objects.create(code="430121", name="长沙县", level="county", parent=city)
    return School.objects.create(code="4301210001", name="长沙县实验小学", stage="primary", county=county)


def test_the_far_cell_roster_is_refused_in_preview_and_import(school):
    for run in (preview_roster, lambda **kw: import_roster(actor=None, **kw)):
        report = run(school=school, file_name="far.xlsx", data=FAR_CELL)
        assert not report.ok and report.rows == 0
        [error] = report.errors
        assert (error.row, error.column) == (0, "")
        assert "1048576 行 × 16384 列" in error.message and "上限" in error.message
    assert not Person.objects.exists()


def test_a_zip_bomb_roster_is_refused(school):
    report = preview_roster(school=school, file_name="bomb.xlsx", data=_bomb(lie=True))
    assert not report.ok and "压缩炸弹" in report.errors[0].message


def test_the_command_keeps_its_json_for_a_refused_file(school, tmp_path, capsys):
    path = tmp_path / "far.xlsx"
    path.write_bytes(FAR_CELL)
    with pytest.raises(SystemExit) as exc:
        call_command("import_roster", str(path), "--school", school.code, "--dry-run", "--json")
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out.strip())
    assert list(out) == ["ok", "rows", "errors"]
    assert out["ok"] is False and out["rows"] == 0
    assert [list(e) for e in out["errors"]] == [["row", "column", "message"]]
    assert out["errors"][0]["row"] == 0 and "XFD1048576" in out["errors"][0]["message"]


def test_csv_rows_past_the_ceiling_are_refused_while_reading(school, settings):
    settings.YANXIU_IMPORT_MAX_ROWS = 4
    lines = ["姓名,性别,身份证号,学段,学科,职称,学历,编制,参加工作年月"] + ["张三,男,x,小学,语文,一级,本科,在编,2008.09"] * 5
    report = preview_roster(school=school, file_name="r.csv", data="\n".join(lines).encode())
    assert not report.ok and [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert "4 行" in report.errors[0].message
