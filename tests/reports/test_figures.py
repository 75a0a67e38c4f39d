"""Every figure of the year-end summary traced to constructed records (tests/reports/summary_data.py)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.credits.factories import YEAR
from tests.reports.summary_data import NOW, build, expected_weeks
from yanxiu.reports.figures import Figure, by_key, school_figures, value_text

#: Queries of one school's figures (measured: 45 on SQLite and PostgreSQL with the data below); a ceiling, not a target.
MAX_QUERIES = 60


@pytest.fixture
def data(people, school, school_b):
    return build(people, school, school_b)


@pytest.fixture
def figures(data, school):
    return school_figures(school, YEAR, now=NOW)


@pytest.fixture
def values(figures):
    return by_key(figures)


def test_the_teachers_and_their_hours_come_from_the_compliance_rows(values):
    assert values["teachers"] == 5
    assert values["average_hours"] == 41.2  # (50 + 40 + 20 + 48 + 48) / 5
    assert values["compliance_rate"] == 0.4  # A and E met; B failed (absent), C and D below
    assert values["teachers_below"] == 3
    assert values["kinds_below"] == [{"label": "校本研修", "minimum": 24, "unit": "学时", "count": 2}]  # C 20, D 18


def test_the_hours_distribution_has_the_policys_bands_and_the_spread(values):
    distribution = values["hours_distribution"]
    assert distribution["unit"] == "学时" and distribution["minimum"] == 48
    assert [(b["label"], b["count"]) for b in distribution["bands"]] == [
        ("不足24学时", 1), ("24至不足48学时", 1), ("48学时及以上", 3)]
    assert (distribution["min"], distribution["median"], distribution["max"]) == (20, 48, 50)


def test_teachers_and_compliance_rate_equal_what_the_compliance_command_prints(values, school):
    out = io.StringIO()
    call_command("compliance", "--school", school.code, "--year", str(YEAR), "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert values["teachers"] == len(rows) == 5
    met = sum(1 for row in rows if row["status_code"] == "met")
    assert values["compliance_rate"] == met / len(rows)
    assert values["average_hours"] == round(sum(row["total"] for row in rows) / len(rows), 2)


def test_sessions_person_times_absences_and_leave_count_the_held_sessions_only(values):
    assert values["sessions_held"] == 3
    assert values["sessions_by_kind"] == [{"label": "专题讲座", "count": 2}, {"label": "集体备课", "count": 1}]
    assert values["person_times"] == 6
    assert values["absences"] == 1  # B at S1
    assert values["approved_leave"] == 1  # E at S2


def test_preparations_checks_and_the_weekly_rule(values, school):
    assert values["collective_preparations"] == 4
    assert values["preparations_by_subject"] == [{"label": "数学", "count": 1, "hours": 1.5},
                                                 {"label": "语文", "count": 3, "hours": 6}]
    weeks = expected_weeks(school)
    assert values["groups_missing_prep_weeks"] == [
        {"label": "数学组", "count": weeks, "weeks": weeks},
        {"label": "语文组", "count": weeks - 3, "weeks": weeks},
    ]
    assert values["routine_inspections"] == 2


def test_public_lessons_and_awards_count_accepted_or_imported_records_of_the_year(values):
    assert values["public_lessons"] == 2
    assert values["awards"] == 3
    assert values["awards_by_level"] == [
        {"label": "市级一等奖", "level": "市级", "rank": "一等奖", "count": 1},
        {"label": "县级一等奖", "level": "县级", "rank": "一等奖", "count": 1},
        {"label": "县级二等奖", "level": "县级", "rank": "二等奖", "count": 1},
    ]


def test_the_needs_survey_of_the_year(values):
    assert values["needs_responses"] == 4
    assert values["needs_response_rate"] == 0.8
    assert values["needs_top"] == [{"label": "教学技能", "count": 3}, {"label": "师德修养", "count": 2},
                                   {"label": "信息技术", "count": 1}]


def test_a_school_without_records_gets_zeros_not_nulls(people, school_b):
    values = by_key(school_figures(school_b, YEAR, now=NOW))
    for key in ("teachers", "sessions_held", "person_times", "collective_preparations", "public_lessons",
                "routine_inspections", "awards", "absences", "approved_leave", "needs_responses"):
        assert values[key] == 0, key
    assert values["compliance_rate"] is None  # no teachers: no rate
    assert values["average_hours"] == 0


def test_every_figure_has_a_label_and_a_source_and_is_json(figures):
    keys = [f.key for f in figures]
    assert len(keys) == len(set(keys))
    for f in figures:
        assert isinstance(f, Figure) and f.label and len(f.source) > 10
        assert json.loads(json.dumps(f.as_json(), ensure_ascii=False)) == {"key": f.key, "label": f.label, "value": f.value,
                                                                          "source": f.source}
    sources = {f.key: f.source for f in figures}
    assert "yanxiu compliance --school" in sources["teachers"]
    assert "2025-09-01至2026-08-31" in sources["sessions_held"]
    assert "2025学年培训需求调研" in sources["needs_responses"]


def test_values_as_the_appendix_prints_them(values):
    assert value_text("compliance_rate", values["compliance_rate"]) == "40.0%"
    assert value_text("compliance_rate", None) == "—"
    assert value_text("awards_by_level", values["awards_by_level"]) == "市级一等奖 1 项；县级一等奖 1 项；县级二等奖 1 项"
    assert value_text("kinds_below", values["kinds_below"]) == "校本研修（最低 24 学时）不足 2 人"
    assert value_text("sessions_held", 3) == "3"
    assert value_text("needs_top", []) == "无"


def test_one_schools_figures_take_a_bounded_number_of_queries(data, school):
    with CaptureQueriesContext(connection) as ctx:
        school_figures(school, YEAR, now=NOW)
    print(f"RESULT school_figures queries={len(ctx.captured_queries)}")
    assert len(ctx.captured_queries) <= MAX_QUERIES
