"""The result import refuses hostile spreadsheets with one clear error, never loading them."""

import json

import pytest
from django.core.management import call_command

from tests.core.test_sheets import FAR_CELL, _bomb
from tests.credits.factories import YEAR
from yanxiu.credits.importer import import_results
from yanxiu.credits.models import ImportBatch

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("data, phrase", [(FAR_CELL, "1048576 行 × 16384 列"), (_bomb(lie=True), "压缩炸弹")])
def test_hostile_result_lists_are_refused(roles, data, phrase):
    result = import_results(actor=roles.bureau, name="r.xlsx", data=data, school_year=YEAR)
    assert not result.ok and result.rows == 0
    [error] = result.errors
    assert error.row == 1 and phrase in error.message
    assert not ImportBatch.objects.exists()


def test_the_command_keeps_its_json_for_a_refused_file(db, tmp_path, capsys):
    path = tmp_path / "far.xlsx"
    path.write_bytes(FAR_CELL)
    with pytest.raises(SystemExit):
        call_command("import_results", str(path), "--dry-run", "--json", "--year", str(YEAR))
    out = json.loads(capsys.readouterr().out.strip())
    assert list(out) == ["ok", "rows", "credited", "not_passed", "errors"]
    assert out["ok"] is False and out["errors"][0]["row"] == 1 and "XFD1048576" in out["errors"][0]["message"]
