"""The dashboards' numbers, traced to the county of test_dashboard_world, and the bureau dashboard's
queries: the same number whatever the number of schools."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reports.test_dashboard_world import NOW, build
from yanxiu.org.models import Employment, School
from yanxiu.reports import dashboards

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(people, county, school, school_b):
    return build(people, county, school, school_b)


def test_bureau_dashboard_per_school(world, school, school_b):
    dash = dashboards.bureau_dashboard(School.objects.filter(county=school.county), 2025, user=world.bureau, now=NOW)
    assert dash.in_progress
    one, two = dash.lines
    assert (one.label, one.cluster, two.label, two.cluster) == (school.name, "星沙片区", school_b.name, "")
    assert one.teachers == 4 and one.counts["met"] == 1 and one.counts["in_progress"] == 1 and one.counts["at_risk"] == 2
    assert one.rate == Decimal("0.25") and one.rate_text == "25.0%"
    assert one.kind_hours == {"centralised": 20, "online": 0, "school_based": 90}
    assert one.level_hours == {"national": 0, "provincial": 20, "city": 0, "county": 10, "school": 80}
    assert (one.sessions_held, one.person_times, one.absences, one.leave) == (2, 3, 1, 1)
    assert one.late_results == ["课例研究一（02-10）"] and one.late_quotas == []
    assert one.at_risk == 1
    assert two.teachers == 1 and two.rate == 0 and two.kind_hours["school_based"] == 5 and two.level_hours["school"] == 5
    assert two.late_quotas == ["县级骨干教师培训"] and two.late_results == []
    assert [line.label for line in dash.late] == [school.name, school_b.name]
    assert [p.name for p in dash.at_risk] == ["甲老师", "戊老师"]


def test_bureau_dashboard_per_cluster_and_in_all(world, school):
    dash = dashboards.bureau_dashboard(School.objects.filter(county=school.county), 2025, user=world.bureau, now=NOW)
    assert [(c.label, c.teachers, c.rate) for c in dash.groups] == [("星沙片区", 4, Decimal("0.25")), ("未分片区", 1, Decimal("0"))]
    assert dash.total.teachers == 5 and dash.total.rate == Decimal("0.2") and dash.total.hours == 115
    assert dash.total.person_times == 3 and dash.total.at_risk == 2


def test_the_tables_say_progress_while_the_year_runs(world, school):
    dash = dashboards.bureau_dashboard(School.objects.filter(county=school.county), 2025, user=world.bureau, now=NOW)
    tables = {t.key: t for t in dashboards.bureau_tables(dash)}
    schools = tables["schools"]
    assert schools.headers == ["学校", "片区", "教师", "达标", "进行中", "有未达标风险", "已达标"]
    assert schools.rows[0] == [school.name, "星沙片区", 4, 1, 1, 2, "25.0%"]
    assert "未达标" not in schools.headers and "不合格" not in schools.headers
    assert schools.chart["categories"] == [school.name, "长沙县榔梨中学"]
    assert tables["at_risk"].rows[0][:2] == ["甲老师", world.a.id_number[:6] + "********" + world.a.id_number[-4:]]
    assert tables["at_risk"].rows[0][3:] == [10, 0, 19.95, 48, 38]


def test_after_the_year_the_verdict_columns(world, school):
    import datetime as dt

    from django.utils import timezone

    after = timezone.make_aware(dt.datetime(2026, 9, 5, 9, 0))
    dash = dashboards.bureau_dashboard(School.objects.filter(county=school.county), 2025, user=world.bureau, now=after)
    schools = {t.key: t for t in dashboards.bureau_tables(dash)}["schools"]
    assert not dash.in_progress
    assert schools.headers[-4:] == ["达标", "未达标", "不合格", "达标率"]
    assert dash.at_risk == []


def test_school_dashboard_per_group_and_teacher(world, school, group):
    for person in (world.a, world.b):
        person.employments.get().groups.add(group)
    dash = dashboards.school_dashboard(school, 2025, now=NOW)
    by_name = {line.label: line for line in dash.lines}
    assert set(by_name) == {"甲老师", "乙老师", "丙老师", "丁老师"}
    a = by_name["甲老师"]
    assert (a.person_times, a.absences, a.leave, a.level_hours["county"]) == (2, 0, 0, 10)
    assert (by_name["丙老师"].absences, by_name["丁老师"].leave) == (1, 1)
    (g,) = dash.groups
    assert (g.label, g.teachers, g.person_times, g.hours, g.at_risk) == ("语文组", 2, 3, 40, 1)
    assert g.counts["at_risk"] == 2 and g.rate == 0
    assert dash.total.sessions_held == 2 and dash.total.late_results == ["课例研究一（02-10）"]
    teachers = {t.key: t for t in dashboards.school_tables(dash)}["teachers"]
    assert teachers.rows[0][1] == by_name[teachers.rows[0][0]].code and "*" in teachers.rows[0][1]


def test_a_group_leaders_dashboard_has_their_group_only(world, school, group):
    from yanxiu.org.models import Group

    other = Group.objects.create(school=school, name="数学组", kind="research", subject="数学")
    world.a.employments.get().groups.add(group)
    world.b.employments.get().groups.add(group, other)
    members = Employment.objects.filter(school=school, groups=group)
    dash = dashboards.school_dashboard(school, 2025, employments=members, group_ids=[group.pk], now=NOW)
    assert {line.label for line in dash.lines} == {"甲老师", "乙老师"}
    assert [g.label for g in dash.groups] == ["语文组"]


def test_teacher_dashboard(world):
    mine = dashboards.teacher_dashboard(world.d, 2025, now=NOW)
    assert mine.row.status == "met" and mine.kind_hours["centralised"] == 20 and mine.level_hours["provincial"] == 20
    a = dashboards.teacher_dashboard(world.a, 2025, now=NOW)
    assert a.projection.at_risk and a.projection.projected == Decimal("19.95")


def _queries(user, schools) -> int:
    from yanxiu.org.scopes import scope_of

    scope_of(user)  # the user's roles, read once per request by the page anyway
    with CaptureQueriesContext(connection) as ctx:
        dashboards.bureau_dashboard(schools, 2025, user=user, now=NOW)
    return len(ctx.captured_queries)


def test_the_bureau_dashboard_asks_the_same_queries_for_more_schools(world, people, county):
    before = _queries(world.bureau, School.objects.filter(county=county))
    for n in range(4):
        extra = School.objects.create(code=f"43012100{n + 5:02d}", name=f"新校{n}", county=county, stage="primary")
        people.teacher(extra, name=f"新老师{n}")
    after = _queries(world.bureau, School.objects.filter(county=county))
    assert after == before
    assert after <= 20
