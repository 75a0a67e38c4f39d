"""``yanxiu quality --school CODE --exam NAME --json [--compare NAME]``: exact keys, values and errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest_quality import add_scores, make_exam

pytestmark = pytest.mark.django_db

KEYS = ["grade", "class", "subject", "counted", "absent", "exempt", "average", "excellent_rate", "pass_rate", "targets"]


def _run(*args) -> list[dict]:
    out = StringIO()
    call_command("quality", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_json_lines_exact(school):
    exam = make_exam(school, "期末")
    add_scores(exam, 3, 2, "语文", [95, 90.5, 80, 50, "缺考", "免考"])
    add_scores(exam, 3, 2, "英语", ["", ""])
    add_scores(exam, 3, 1, "数学", ["请假"])
    lines = _run("--school", school.code, "--exam", "期末", "--json")
    assert [list(line) for line in lines] == [KEYS, KEYS]
    all_absent, chinese = lines
    assert all_absent == {"grade": 3, "class": "三（1）班", "subject": "数学", "counted": 0, "absent": 1, "exempt": 0,
                          "average": None, "excellent_rate": None, "pass_rate": None,
                          "targets": {"average": False, "excellent_rate": False, "pass_rate": False}}
    assert chinese == {"grade": 3, "class": "三（2）班", "subject": "语文", "counted": 4, "absent": 1, "exempt": 1,
                       "average": 78.875, "excellent_rate": 0.5, "pass_rate": 0.75,
                       "targets": {"average": False, "excellent_rate": False, "pass_rate": False}}


def test_compare_prints_most_improved(school):
    before, after = make_exam(school, "期中"), make_exam(school, "期末")
    add_scores(before, 2, 1, "数学", [90, 80])
    add_scores(before, 2, 2, "数学", [90, 80])
    add_scores(after, 2, 1, "数学", [100, 90])
    add_scores(after, 2, 2, "数学", [100, 90])
    lines = _run("--school", school.code, "--exam", "期末", "--json", "--compare", "期中")
    assert len(lines) == 4
    improved = [line["most_improved"] for line in lines[2:]]
    assert improved[0] == {"grade": 2, "subject": "数学", "measure": "average", "classes": [
        {"class": "二（1）班", "before": 85.0, "after": 95.0, "rise": 10.0},
        {"class": "二（2）班", "before": 85.0, "after": 95.0, "rise": 10.0}]}
    assert improved[1]["measure"] == "excellent_rate" and len(improved[1]["classes"]) == 2
    assert lines[0]["targets"] == {"average": True, "excellent_rate": True, "pass_rate": True}  # grade 2: 92 / 85% / 100%


def test_table_output(school):
    exam = make_exam(school, "期末")
    add_scores(exam, 1, 1, "语文", [100, 95])
    out = StringIO()
    call_command("quality", "--school", school.code, "--exam", exam.name, stdout=out)
    text = out.getvalue()
    assert "一（1）班" in text and "97.50" in text and "100.00%" in text and "六项达标 3" in text


@pytest.mark.parametrize("args, word", [
    (["--school", "nope", "--exam", "期末"], "nope"),
    (["--school", "{school}", "--exam", "不存在"], "不存在"),
    (["--school", "{school}", "--exam", "期末", "--compare", "没有"], "没有"),
])
def test_errors_exit_2(school, args, word):
    make_exam(school, "期末")
    args = [a.format(school=school.code) for a in args]
    with pytest.raises(CommandError) as err:
        call_command("quality", *args, "--json")
    assert err.value.returncode == 2 and word in str(err.value)


def test_exit_status_and_message_on_stderr(school, capsys):
    from yanxiu.routine.management.commands.quality import Command

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["yanxiu", "quality", "--school", "0000000000", "--exam", "x", "--json"])
    captured = capsys.readouterr()
    assert exit_.value.code == 2 and "找不到学校标识码为“0000000000”的学校" in captured.err and captured.out == ""
