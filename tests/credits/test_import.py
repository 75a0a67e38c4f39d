import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from tests.conftest import make_id_number
from tests.credits.factories import YEAR, adopt
from yanxiu.credits.importer import COLUMNS, import_results
from yanxiu.credits.models import Certificate, CreditEntry

GOOD = ["培训名称", "省培", "集中培训", "师德", "24", "2025-10-08", "2025-10-12", "合格"]


def xlsx(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for row in rows:
        ws.append(row)
    for cell in ws["A"]:
        cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def two(people, school, roles):
    adopt("000", school.county)
    a = people.teacher(school, name="陈老师").person
    b = people.teacher(school, name="刘老师").person
    return a, b


def row(person, title="2025年省级骨干教师培训", **over):
    values = dict(zip(["培训名称", "级别", "类别", "内容类别", "学时", "开始日期", "结束日期", "结果"],
                      [title, "省培", "集中培训", "师德", "24", "2025-10-08", "2025-10-12", "合格"]))
    values.update(over)
    return [person.id_number, person.name, *values.values()]


def test_a_clean_file_credits_every_passed_row_and_issues_certificates(two, roles):
    a, b = two
    data = xlsx([row(a), row(b, 结果="不合格")])
    result = import_results(actor=roles.bureau, name="results.xlsx", data=data, school_year=YEAR)
    assert result.ok and result.rows == 2 and result.credited == 1 and result.failed_results == 1
    entry = CreditEntry.objects.get(person=a)
    assert entry.hours == 24 and entry.kind == "centralised" and entry.evidence["row"] == 2
    assert not CreditEntry.objects.filter(person=b).exists()
    assert Certificate.objects.get(person=a).hours == Decimal("24.00")


def test_bad_rows_are_refused_row_by_row_and_nothing_is_written(two, roles, people, school):
    a, b = two
    stranger = make_id_number(321)
    rows = [
        row(a),
        row(a),  # duplicate of row 2
        [stranger, "某某", *GOOD],  # unknown
        row(b) [:1] + ["刘某"] + row(b)[2:],  # name mismatch
        row(b, title="长培训", 学时="50", 开始日期="2025-10-08", 结束日期="2025-10-09"),  # over 2 days x 8
        row(b, title="暑期培训", 开始日期="2025-08-20", 结束日期="2025-08-22"),  # before the school year
        row(b, title="其他", 结果="通过"),
        row(b, title="其他2", 级别="乡培"),
    ]
    result = import_results(actor=roles.bureau, name="results.xlsx", data=xlsx(rows), school_year=YEAR)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "培训名称") in found
    assert (4, "身份证号") in found
    assert (5, "姓名") in found
    assert (6, "学时") in found
    assert (7, "开始日期") in found
    assert (8, "结果") in found
    assert (9, "级别") in found
    assert all(e.message for e in result.errors)
    messages = " ".join(e.message for e in result.errors)
    assert "第 2 行重复" in messages and "不在系统中" in messages and "不一致" in messages and "超过上限" in messages
    assert CreditEntry.objects.count() == 0


def test_an_already_credited_training_is_refused(two, roles):
    a, _b = two
    assert import_results(actor=roles.bureau, name="r.xlsx", data=xlsx([row(a)]), school_year=YEAR).ok
    again = import_results(actor=roles.bureau, name="r.xlsx", data=xlsx([row(a)]), school_year=YEAR)
    assert not again.ok and "已登记过" in again.errors[0].message
    assert CreditEntry.objects.count() == 1


def test_gbk_csv_and_the_command_with_json_and_dry_run(two, tmp_path, capsys):
    a, b = two
    lines = [",".join(COLUMNS), ",".join(row(a)), ",".join(row(b, 类别="网络研修"))]
    path = tmp_path / "结果.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))
    call_command("import_results", str(path), "--dry-run", "--json", "--year", str(YEAR))
    out = json.loads(capsys.readouterr().out.strip())
    assert out == {"ok": True, "rows": 2, "credited": 2, "not_passed": 0, "errors": []}
    assert CreditEntry.objects.count() == 0
    call_command("import_results", str(path), "--json", "--year", str(YEAR))
    assert json.loads(capsys.readouterr().out.strip())["credited"] == 2
    assert CreditEntry.objects.filter(kind="online").count() == 1


def test_the_command_exits_non_zero_with_row_errors(two, tmp_path, capsys):
    a, _ = two
    path = tmp_path / "bad.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(row(a, 学时="abc")) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("import_results", str(path), "--json", "--year", str(YEAR))
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out.strip())
    assert out["ok"] is False and out["errors"] == [{"row": 2, "column": "学时", "message": out["errors"][0]["message"]}]


def test_an_id_number_stored_as_a_number_is_explained(two, roles):
    a, _ = two
    bad = row(a)
    bad[0] = 4.30121e17
    result = import_results(actor=roles.bureau, name="r.xlsx", data=xlsx([bad]), school_year=YEAR)
    assert not result.ok and result.errors[0].column == "身份证号" and "文本" in result.errors[0].message
