"""At phone size (390 px) tables scroll sideways instead of squeezing text to one character per line;
charts draw their labels in the bundled font."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.attendance.conftest import Sessions
from tests.conftest import login
from tests.credits.factories import adopt, credit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every table cell with text is at least two characters wide, and the page itself does not scroll sideways.
SQUEEZED_CELLS = """() => {
  const bad = [];
  document.querySelectorAll("main table td, main table th").forEach((cell) => {
    const text = cell.innerText.trim();
    if (text.length < 2) return;
    const size = parseFloat(getComputedStyle(cell).fontSize);
    const width = cell.getBoundingClientRect().width;
    if (width < size * 2) bad.push(`${text.slice(0, 20)} (${Math.round(width)}px)`);
  });
  return {bad, pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth};
}"""


def assert_not_squeezed(page):
    result = page.evaluate(SQUEEZED_CELLS)
    assert not result["bad"], result["bad"]
    assert result["pageWidth"] <= result["viewport"] + 1, result


@pytest.fixture
def data(roles, school, county):
    from yanxiu.attendance import services as attendance
    from yanxiu.credits.services import posting_create

    sessions = Sessions(county, school)
    now = timezone.now()
    for n in range(3):
        session = sessions.make(title=f"第{n + 1}次集体备课：“双减”背景下的分层作业设计与课堂观察", presenter=roles.leader.person,
                                enroll=[roles.teacher, roles.member], starts_at=now - dt.timedelta(minutes=5 + n),
                                ends_at=now + dt.timedelta(minutes=85))
        attendance.attendance_sign_in(actor=roles.teacher, session=session, method="qr")
    adopt("000", school.county)
    for n in range(3):
        credit(roles.teacher.person, 4, title=f"校本研修：同课异构与评课议课专题（第{n + 1}期）")
    today = timezone.localdate()
    posting = posting_create(actor=roles.school_admin, school=school, title="本学期校本研修学时公示",
                             period_start=today - dt.timedelta(days=30), period_end=today)
    return {"session": session, "posting": posting}


def test_my_attendance_the_sheet_and_a_posting_are_readable_on_a_phone(new_page, roles, data):
    teacher = new_page(mobile=True)
    login(teacher, "teacher", next_url="/attendance/my/")
    teacher.locator("main table").first.wait_for()
    assert_not_squeezed(teacher)
    teacher.goto(f"/credits/postings/{data['posting'].pk}/")
    teacher.locator("main table").first.wait_for()
    assert_not_squeezed(teacher)

    admin = new_page(mobile=True)
    login(admin, "schooladmin", next_url=f"/attendance/session/{data['session'].pk}/")
    admin.locator("main table").first.wait_for()
    assert_not_squeezed(admin)


def test_county_chart_labels_use_the_bundled_font(new_page, roles, school):
    adopt("000", school.county)
    credit(roles.teacher.person, 50)
    page = new_page(mobile=True)
    login(page, "bureau", next_url=f"/credits/county/{school.county.pk}/")
    page.locator("[data-chart] svg text").first.wait_for()
    families = page.evaluate("""() => [...document.querySelectorAll('[data-chart] svg text')].map(
        (t) => t.getAttribute('font-family') || t.style.fontFamily || getComputedStyle(t).fontFamily)""")
    assert families and all("Yanxiu Sans" in f for f in families), families[:3]
    assert page.evaluate("""() => document.fonts.check('14px "Yanxiu Sans"', '研修')""")
