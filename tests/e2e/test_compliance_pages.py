"""The county's compliance page pages its schools in place: the next page brings its own chart."""

import pytest

from tests.conftest import login
from tests.credits.factories import YEAR, adopt, credit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_next_page_of_schools_is_swapped_in_with_its_chart(new_page, roles, school, school_b, monkeypatch):
    from yanxiu.credits import views

    monkeypatch.setattr(views.CountyListView, "paginate_by", 1)
    adopt("000", school.county)
    credit(roles.teacher.person, 50)
    credit(roles.other_teacher.person, 50)
    first, second = sorted([school, school_b], key=lambda s: s.code)
    page = new_page()
    login(page, "bureau", next_url=f"/credits/county/{school.county.pk}/?year={YEAR}")
    chart = page.locator("#county-table [data-chart] svg")
    chart.wait_for()
    assert first.name in page.locator("#county-table table").inner_text()
    page.locator("#county-table a[rel=next]").click()
    page.wait_for_url("**page=2**")
    page.locator("#county-table table", has_text=second.name).wait_for()
    # The swapped-in chart element is drawn again, from the second page's data.
    page.wait_for_function("() => { const el = document.querySelector('#county-table [data-chart]'); return el && el._chart; }")
    assert page.evaluate("() => JSON.parse(document.getElementById('county-chart').textContent).categories") == [second.name]
    assert page.locator("#county-table [data-chart] svg").count() == 1
    assert "学年进行中" not in page.locator("main").inner_text()  # the whole page stayed, the summary with it
    assert page.locator("#year-pick").count() == 1
