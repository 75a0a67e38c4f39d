"""In the browser: the bureau dashboard draws its charts with the vendored ECharts, each table folds under its
chart and opens again, and the at-risk list names the teacher who is behind; once more at phone size."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.credits.factories import adopt, credit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = "/reports/dashboards/bureau/"


@pytest.fixture
def county_data(people, county, school, school_b):
    from yanxiu.credits.selectors import current_school_year
    from yanxiu.org.models import Cluster

    year = current_school_year()
    adopt("000", county)
    school.cluster = Cluster.objects.create(county=county, name="星沙片区")
    school.save()
    people.role("bureau_admin", username="bureau", region=county)
    behind = people.teacher(school, name="慢老师").person
    ahead = people.teacher(school_b, name="快老师").person
    # No hours at all: at any day of the year, neither the pace nor a booked session brings 48 hours.
    credit(ahead, 30, year=year)
    credit(ahead, 20, year=year, kind="centralised", title="县级培训")
    return {"behind": behind, "year": year}


def _open(page, data):
    login(page, "bureau", next_url=URL)
    page.locator("#panel-schools [data-chart] svg").first.wait_for()
    behind = data["behind"]
    masked = behind.id_number[:6] + "********" + behind.id_number[-4:]
    at_risk = page.locator("#panel-at_risk")
    assert "慢老师" in at_risk.inner_text() and masked in at_risk.inner_text() and "快老师" not in at_risk.inner_text()
    return page


def test_the_bureau_dashboard_draws_charts_and_toggles_tables(new_page, county_data):
    page = _open(new_page(), county_data)
    assert page.locator("[data-chart] svg").count() == 7  # every chart drawn
    table = page.locator("#panel-schools table")
    assert not table.is_visible()  # folded under its chart once the chart is drawn
    page.click("#panel-schools summary")
    table.wait_for(state="visible")
    assert "星沙片区" in table.inner_text() and "已达标" in table.inner_text()
    page.click("#panel-schools summary")
    table.wait_for(state="hidden")


def test_the_bureau_dashboard_on_a_phone(new_page, county_data):
    page = _open(new_page(mobile=True), county_data)
    width = page.evaluate("() => ({page: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert width["page"] <= width["viewport"] + 1, width
    page.click("#panel-kinds summary")
    page.locator("#panel-kinds table").wait_for(state="visible")
