"""Pages each role meets on day one, in the browser at desktop (1280×800) and phone (390×844) size:
the needs-survey form, the error pages, the presenter's home and the session page's links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": False, "phone": True}


def _open(new_page, size: str):
    page = new_page(mobile=SIZES[size])
    if size == "desktop":
        page.set_viewport_size({"width": 1280, "height": 800})
    return page


@pytest.fixture
def categories(county):
    from yanxiu.training.models import ContentCategory

    return [
        ContentCategory.objects.create(region=county, code=f"A0{i}", name=name, compulsory=i == 1)
        for i, name in enumerate(["师德师风与依法执教", "信息技术应用能力提升", "作业设计与评价", "班主任工作"], start=1)
    ]


def _assert_checkbox_group_usable(page, field: str):
    group = page.locator(f"#id_{field}")
    expect(group).to_be_visible()
    assert "form-check-input" not in (group.get_attribute("class") or "")
    boxes = page.locator(f"input[name={field}]")
    assert boxes.count() >= 2
    labels = page.locator(f"#id_{field} label.form-check-label")
    for i in range(labels.count()):
        label = labels.nth(i)
        box = label.bounding_box()
        text = label.inner_text()
        # Readable: a label is wider than two characters and no taller than two lines.
        assert box["width"] > 2 * 16 or len(text) <= 2, (field, text, box)
        assert box["height"] < 60, (field, text, box)
    # A tap on a label toggles its own box and no other.
    before = [boxes.nth(i).is_checked() for i in range(boxes.count())]
    labels.nth(1).click()
    after = [boxes.nth(i).is_checked() for i in range(boxes.count())]
    assert after[1] != before[1]
    assert [a for i, a in enumerate(after) if i != 1] == [b for i, b in enumerate(before) if i != 1]


@pytest.mark.parametrize("size", SIZES)
def test_the_needs_survey_forms_are_usable(new_page, roles, school, categories, size):
    from yanxiu.needs import services
    from yanxiu.training.models import school_year_of

    admin = _open(new_page, size)
    # A school starts a needs survey as a questionnaire from the default template (the old fixed questions).
    login(admin, "schooladmin", next_url="/needs/new/")
    expect(admin.locator("input[name=purpose]").first).to_be_visible()
    admin.fill("input[name=title]", "本学期培训需求调研")
    admin.click("form button[type=submit]")
    expect(admin.locator("text=本学期培训需求调研").first).to_be_visible()

    survey = services.survey_create(
        actor=roles.school_admin, school=school, school_year=school_year_of(timezone.localdate()), title="培训需求调研",
        closes_on=timezone.localdate() + dt.timedelta(days=7), categories=categories,
    )
    teacher = _open(new_page, size)
    login(teacher, "teacher", next_url=f"/needs/{survey.pk}/respond/")
    for field in ("categories", "kinds", "times"):
        boxes = teacher.locator(f"input[name={field}]")
        for i in range(boxes.count()):
            assert not boxes.nth(i).is_checked()
        _assert_checkbox_group_usable(teacher, field)
    teacher.fill("textarea[name=suggestion]", "希望多一些课堂观察")
    teacher.click("button[type=submit]")
    teacher.locator(".alert-success").wait_for()
    from yanxiu.needs.models import NeedsResponse

    response = NeedsResponse.objects.get(survey=survey)
    assert response.categories.count() == 1 and len(response.kinds) == 1 and len(response.times) == 1


@pytest.mark.parametrize("size", SIZES)
def test_error_pages_are_chinese_in_the_layout_with_the_reason_and_a_way_back(new_page, roles, size):
    page = _open(new_page, size)
    login(page, "teacher", next_url="/training/my/")
    response = page.goto("/attendance/sessions/")
    assert response.status == 403
    expect(page.locator("#error-reason")).to_have_text("您没有可管理考勤的培训活动。")
    expect(page.locator("nav.navbar")).to_be_visible()
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_url("**/")
    expect(page.locator("h1")).to_contain_text("您好")
    response = page.goto("/training/sessions/987654/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    assert "Not Found" not in page.content()


def _presenter_sessions(roles, school, county):
    from yanxiu.attendance.models import Reflection
    from yanxiu.training.models import Enrollment, Project, Session

    project = Project.objects.create(owner_school=school, region=county, title="校本研修", school_year="2026-2027",
                                     status="approved")
    now = timezone.now()
    past = Session.objects.create(project=project, title="上周的专题讲座", starts_at=now - dt.timedelta(days=7),
                                  ends_at=now - dt.timedelta(days=7) + dt.timedelta(hours=2), place="报告厅",
                                  presenter_account=roles.presenter, status="published", content="x")
    coming = Session.objects.create(project=project, title="下周的专题讲座", starts_at=now + dt.timedelta(days=7),
                                    ends_at=now + dt.timedelta(days=7, hours=2), place="报告厅",
                                    presenter_account=roles.presenter, status="published", content="x")
    Enrollment.objects.create(session=past, person=roles.teacher.person, school=school)
    text = "本次讲座的收获与课堂改进设想。" * 20  # long enough for the rule in force (200 characters)
    Reflection.objects.create(session=past, person=roles.teacher.person, body=text, plain_text=text,
                              status="submitted", submitted_at=now)
    return past, coming


@pytest.mark.parametrize("size", SIZES)
def test_the_presenter_opens_sheet_screen_and_reflections_from_home(new_page, roles, school, county, size):
    past, coming = _presenter_sessions(roles, school, county)
    page = _open(new_page, size)
    login(page, "presenter")
    block = page.locator("#presented-sessions")
    expect(block).to_contain_text("上周的专题讲座")
    expect(block).to_contain_text("下周的专题讲座")
    item = block.locator(".presented-session", has_text="上周的专题讲座")
    item.get_by_role("link", name="考勤表").click()
    expect(page.locator("h1")).to_have_text("上周的专题讲座")
    expect(page.locator("table")).to_contain_text("张老师")
    page.go_back()
    item.get_by_role("link", name="反思").click()
    expect(page.locator("#bulk-accept")).to_contain_text("张老师")
    page.locator("input[name=ids]").first.check()
    page.get_by_role("button", name="通过所选反思").click()
    expect(page.locator(".alert-success")).to_contain_text("已通过 1 份反思")
    page.goto("/")
    block.locator(".presented-session", has_text="下周的专题讲座").get_by_role("link", name="签到屏").click()
    expect(page.locator("#screen-live svg")).to_be_visible()
    # The menu tile of the presenter's home opens too.
    page.goto("/attendance/sessions/")
    expect(page.locator("h1")).to_have_text("考勤管理")


@pytest.mark.parametrize("size", SIZES)
def test_the_session_page_links_what_each_user_may_open(new_page, roles, school, county, size):
    from yanxiu.training.models import Enrollment, Project, Session

    project = Project.objects.create(owner_school=school, region=county, title="校本研修", school_year="2026-2027",
                                     status="approved")
    now = timezone.now()
    session = Session.objects.create(project=project, title="正在进行的研修", starts_at=now - dt.timedelta(minutes=10),
                                     ends_at=now + dt.timedelta(hours=1), place="三楼会议室", presenter_name="王教授",
                                     status="published", content="x")
    Enrollment.objects.create(session=session, person=roles.teacher.person, school=school)
    admin = _open(new_page, size)
    login(admin, "schooladmin", next_url=f"/training/sessions/{session.pk}/")
    links = admin.locator("#attendance-links")
    for name in ("签到屏", "考勤表", "笔记与反思"):
        expect(links.get_by_role("link", name=name)).to_be_visible()
    links.get_by_role("link", name="考勤表").click()
    expect(admin.locator("h1")).to_have_text("正在进行的研修")

    teacher = _open(new_page, size)
    login(teacher, "teacher", next_url=f"/training/sessions/{session.pk}/")
    expect(teacher.locator("#attendance-links")).to_have_count(0)
    expect(teacher.get_by_role("link", name="评价本次培训")).to_be_visible()
    teacher.get_by_role("link", name="提交笔记与反思").click()
    expect(teacher.locator("textarea[name=body], [name=body]").first).to_be_attached()
