"""The dashboard pages: who may open which, filters, the table under each chart, and the xlsx of each table
opened by LibreOffice."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from tests.reports.office import xlsx_rows
from tests.reports.test_dashboard_world import NOW, build

pytestmark = pytest.mark.django_db

BUREAU = reverse("reports:dashboard_bureau")
SCHOOL = reverse("reports:dashboard_school")
MINE = reverse("reports:dashboard_mine")
AT_RISK = reverse("reports:at_risk")


@pytest.fixture
def world(people, county, school, school_b):
    return build(people, county, school, school_b)


@pytest.fixture(autouse=True)
def march():
    """Pages read the clock: 2 March 2026, in the 2025-2026 school year."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def get(client, user, url, **query):
    client.force_login(user)
    return client.get(url, query)


def masked(person):
    return person.id_number[:6] + "********" + person.id_number[-4:]


def test_bureau_dashboard_shows_charts_tables_and_the_at_risk_teachers(client, world, school):
    response = get(client, world.bureau, BUREAU, year=2025)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-chart="stacked-bar"') == 7 and "data-table-view" in html
    assert "已达标" in html and "25.0%" in html and "星沙片区" in html
    assert "甲老师" in html and masked(world.a) in html and world.a.id_number not in html
    assert "课例研究一（02-10）" in html and "县级骨干教师培训" in html
    assert "未达标</th>" not in html and "不合格</th>" not in html  # progress, not a verdict


def test_school_admins_and_teachers_cannot_open_the_bureau_dashboard(client, world):
    assert get(client, world.admin, BUREAU).status_code == 403
    teacher = world.a.user
    assert get(client, teacher, BUREAU).status_code == 403


def test_bureau_filters_by_cluster_and_school(client, world, school, school_b, far_school):
    html = get(client, world.bureau, BUREAU, year=2025, cluster=world.cluster.pk).content.decode()
    assert school.name in html and "戊老师" not in html
    html = get(client, world.bureau, BUREAU, year=2025, school=school_b.pk).content.decode()
    assert "戊老师" in html and "甲老师" not in html
    assert get(client, world.bureau, BUREAU, school=far_school.pk).status_code == 404
    assert get(client, world.bureau, BUREAU, year=10**30).status_code == 400
    assert get(client, world.bureau, BUREAU, cluster="abc").status_code == 400
    assert get(client, world.bureau, BUREAU, cluster=999999, export="nothing").status_code == 200


def test_each_table_exports_as_xlsx(client, world, school, tmp_path):
    response = get(client, world.bureau, BUREAU, year=2025, export="schools")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "schools.xlsx"
    path.write_bytes(response.content)
    rows = xlsx_rows(path)
    assert rows[0] == ["学校", "片区", "教师", "达标", "进行中", "有未达标风险", "已达标"]
    assert rows[1] == [school.name, "星沙片区", "4", "1", "1", "2", "25.0%"]
    response = get(client, world.bureau, BUREAU, year=2025, export="at_risk")
    path = tmp_path / "at_risk.xlsx"
    path.write_bytes(response.content)
    rows = xlsx_rows(path)
    assert rows[1] == ["甲老师", masked(world.a), school.name, "10", "0", "19.95", "48", "38"]


def test_school_dashboard_for_its_admin_only(client, world, school, school_b):
    response = get(client, world.admin, SCHOOL, year=2025)
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲老师" in html and "戊老师" not in html and masked(world.a) in html and world.a.id_number not in html
    figures = html[html.index('id="panel-figures"'):]
    assert "总结引用的数据" in figures and "25.0%" in figures  # compliance_rate 0.25, as reports.figures computes it
    assert get(client, world.admin, SCHOOL, school=school_b.pk).status_code == 404
    assert get(client, world.other_admin, SCHOOL, school=school.pk).status_code == 404
    assert get(client, world.a.user, SCHOOL).status_code == 403
    # Region staff open any school of their region from their dashboard.
    assert get(client, world.bureau, SCHOOL, school=school.pk).status_code == 200
    assert get(client, world.bureau, SCHOOL).status_code == 302


def test_school_dashboard_of_a_group_leader(client, world, people, school, group):
    leader = people.role("group_leader", username="leader", group=group)
    world.a.employments.get().groups.add(group)
    html = get(client, leader, SCHOOL, year=2025).content.decode()
    assert "甲老师" in html and "乙老师" not in html and "仅显示您所负责教研组的教师" in html


def test_the_at_risk_list_of_a_school_admin_is_their_schools(client, world, school, school_b, tmp_path):
    html = get(client, world.admin, AT_RISK, year=2025).content.decode()
    assert "甲老师" in html and "戊老师" not in html and masked(world.a) in html
    assert get(client, world.admin, AT_RISK, school=school_b.pk).status_code == 404
    html = get(client, world.bureau, AT_RISK, year=2025).content.decode()
    assert "甲老师" in html and "戊老师" in html
    response = get(client, world.bureau, AT_RISK, year=2025, school=school_b.pk, export="xlsx")
    path = tmp_path / "list.xlsx"
    path.write_bytes(response.content)
    rows = xlsx_rows(path)
    assert rows[0] == ["学校", "姓名", "身份证号", "已获学时", "已报名待开展", "按当前进度预计", "学年要求", "还差"]
    assert rows[1:] == [[school_b.name, "戊老师", masked(world.e), "5", "0", "9.97", "48", "43"]]
    assert get(client, world.a.user, AT_RISK).status_code == 403


def test_my_dashboard(client, world):
    html = get(client, world.a.user, MINE, year=2025).content.decode()
    assert "10 / 48" in html and "有未达标风险" in html and "19.95" in html
    assert "学年进行中" in html  # the reason sentence: progress, not a verdict
    assert get(client, world.bureau, MINE).status_code == 403


HOSTILE = [str(10**30), "-1", "abc", "", "\x00", "9" * 5000, "9223372036854775808", "１２３"]


@pytest.mark.parametrize("url", [BUREAU, SCHOOL, MINE, AT_RISK])
def test_hostile_parameters_never_answer_a_server_error(client, world, url):
    for user in (world.bureau, world.admin, world.a.user):
        client.force_login(user)
        for name in ("year", "cluster", "school", "export", "page", "sort"):
            for value in HOSTILE:
                response = client.get(url, {name: value})
                assert response.status_code < 500, (user, name, value[:20], response.status_code)


def test_the_school_dashboards_figures_read_as_the_summary_words_them(client, world):
    html = get(client, world.admin, SCHOOL, year=2025).content.decode()
    figures = html[html.index('id="panel-figures"'):]
    row = next(tr for tr in figures.split("<tr>") if "<td>教师学时分布</td>" in tr)
    # The four teachers in the bands of the 48-hour minimum (甲 the fewest, 10), not the figure's raw dict.
    assert ('<td class="text-end">不足24学时 2 人；24至不足48学时 1 人；48学时及以上 1 人；最少 10，中位数 25，最多 50</td>'
            in row)
    assert "unit：" not in figures and "minimum：" not in figures and "bands" not in figures
