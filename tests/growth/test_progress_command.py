"""``yanxiu growth_progress``: JSON Lines on constructed teachers, the table, and its error exits."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yanxiu.growth.management.commands.growth_progress import Command

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def constructed(growth):
    """Two young teachers under 六个一 and a backbone teacher under 五个一, with records inside and outside term 1."""
    from yanxiu.growth.models import MentorPair, TierAssignment
    from yanxiu.org.models import Employment

    growth.adopt("001-1-young")
    growth.adopt("001-1-backbone")
    Employment.objects.filter(school=growth.school).update(tier="young")
    young, member = growth.roles.teacher.person, growth.roles.member.person
    backbone = growth.people.teacher(growth.school, name="骨干老师").person
    TierAssignment.objects.create(person=backbone, school=growth.school, school_year=YEAR, tier="backbone", source="manual")
    for day in range(17):
        growth.record(young, "observation", dt.date(YEAR, 9, 1) + dt.timedelta(days=day))
    growth.record(young, "observation", dt.date(YEAR + 1, 2, 3))  # term 2: not in term 1
    growth.record(young, "research_lesson", dt.date(YEAR + 1, 3, 1))  # year item: counts over the school year
    growth.record(young, "case", dt.date(YEAR, 10, 1), source="imported")
    growth.record(member, "observation", dt.date(YEAR, 9, 5))
    growth.record(member, "observation", dt.date(YEAR, 9, 6), accepted=False)  # not accepted: not counted
    for day in range(20):
        growth.record(backbone, "observation", dt.date(YEAR, 11, 1) + dt.timedelta(days=day))
    growth.record(backbone, "article", dt.date(YEAR, 12, 1), venue="湖南教育")
    MentorPair.objects.create(school=growth.school, mentor=backbone, apprentice=member, school_year=YEAR, goals="站稳讲台")
    return growth, young, member, backbone


def _lines(*args):
    out = io.StringIO()
    call_command("growth_progress", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _by_name(lines):
    return {line["name"]: line for line in lines}


def test_one_json_object_per_teacher_per_line(constructed):
    growth, young, member, backbone = constructed
    lines = _lines("--school", growth.school.code, "--year", str(YEAR), "--term", "1", "--json", "--today", "2026-01-31")
    from yanxiu.org.models import Employment

    assert len(lines) == Employment.objects.current().filter(school=growth.school).count()
    assert all(list(line) == ["id_number", "name", "tier", "template", "items"] for line in lines)
    rows = _by_name(lines)
    assert rows["张老师"] == {
        "id_number": young.id_number, "name": "张老师", "tier": "young", "template": "青年教师“六个一”",
        "items": [
            {"kind": "public_lesson", "target": 1, "done": 1, "behind": False},
            {"kind": "case", "target": 1, "done": 1, "behind": False},
            {"kind": "reading_note", "target": 1, "done": 0, "behind": False},
            {"kind": "article", "target": 1, "done": 0, "behind": False},
            {"kind": "test_paper", "target": 1, "done": 0, "behind": False},
            {"kind": "goal", "target": 1, "done": 0, "behind": False},
            {"kind": "observation", "target": 17, "done": 17, "behind": False},
        ],
    }
    assert {i["kind"]: i for i in rows["组员"]["items"]}["observation"] == {"kind": "observation", "target": 17, "done": 1, "behind": True}
    assert rows["骨干老师"]["tier"] == "backbone" and rows["骨干老师"]["template"] == "骨干教师“五个一”"
    assert {i["kind"]: (i["done"], i["behind"]) for i in rows["骨干老师"]["items"]} == {
        "research_topic": (0, False), "public_lesson": (0, False), "article": (1, False), "lecture": (0, False),
        "apprentice": (1, False), "observation": (20, False),
    }


def test_after_the_year_the_year_items_are_due(constructed):
    growth, *_people = constructed
    rows = _by_name(_lines("--school", growth.school.code, "--year", str(YEAR), "--term", "2", "--json", "--today", "2026-08-01"))
    items = {i["kind"]: i for i in rows["张老师"]["items"]}
    assert items["observation"] == {"kind": "observation", "target": 17, "done": 1, "behind": True}
    assert items["public_lesson"]["done"] == 1 and not items["public_lesson"]["behind"]
    assert items["reading_note"]["behind"] and items["test_paper"]["behind"]


def test_a_term_with_its_own_dates_counts_by_them(constructed):
    from yanxiu.growth.models import SchoolTerm

    growth, *_people = constructed
    SchoolTerm.objects.create(school=growth.school, school_year=YEAR, number=1, start=dt.date(YEAR, 9, 10), end=dt.date(YEAR + 1, 1, 20))
    rows = _by_name(_lines("--school", growth.school.code, "--year", str(YEAR), "--term", "1", "--json", "--today", "2026-01-25"))
    assert {i["kind"]: i["done"] for i in rows["张老师"]["items"]}["observation"] == 8  # 10..17 September


def test_without_json_a_chinese_table(constructed):
    growth, *_people = constructed
    out = io.StringIO()
    call_command("growth_progress", "--school", growth.school.code, "--year", str(YEAR), "--term", "1", "--today", "2026-01-31",
                 stdout=out)
    text = out.getvalue()
    assert "2025—2026 学年第一学期" in text and "组员\t青年教师\t青年教师“六个一”\t" in text and "听课 1/17（落后）" in text
    assert "进度落后" in text and growth.roles.teacher.person.id_number not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "0000000000", "--year", "2025", "--term", "1"], "找不到学校标识码"),
        (["--year", "1949", "--term", "1"], "--year 须是 1950 到 2100"),
        (["--year", "2101", "--term", "1"], "--year 须是 1950 到 2100"),
        (["--year", "二〇二五", "--term", "1"], "--year 须是"),
        (["--year", "2025", "--term", "3"], "--term 只能是 1 或 2"),
        (["--year", "2025", "--term", "0"], "--term 只能是 1 或 2"),
        (["--year", "2025", "--term", "1", "--today", "2026-02-30"], "--today 须是 YYYY-MM-DD"),
    ],
)
def test_bad_arguments_exit_with_status_2_and_a_chinese_message(growth, capsys, monkeypatch, args, message):
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)  # keep the test's connection open
    if "--school" not in args:
        args = ["--school", growth.school.code, *args]
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["yanxiu", "growth_progress", *args, "--json", "--skip-checks"])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_call_command_raises_the_same_error(growth):
    with pytest.raises(CommandError, match="学期只能|--term") as error:
        call_command("growth_progress", "--school", growth.school.code, "--year", "2025", "--term", "2x")
    assert error.value.returncode == 2
