"""Typing pinyin initials in the presenter picker finds the teacher, on a phone too."""

import pytest

from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "phone"])
def test_the_presenter_is_found_by_initials_or_name(new_page, people, roles, school, mobile):
    from yanxiu.training.models import Project, Session

    for name in ["周喆", "安静", "张伟", "曾小贤", "白云", "欧阳娜娜"]:
        people.teacher(school, name=name)
    project = Project.objects.create(owner_school=school, region=school.county, title="校本研修", level="school",
                                     school_year="2026-2027", status="approved")
    page = new_page(mobile=mobile)
    login(page, "schooladmin", next_url=f"/training/projects/{project.pk}/sessions/new/")
    search = page.locator("#id_presenter-search")
    search.fill("zw")
    names = page.eval_on_selector_all("#id_presenter option", "os => os.map(o => o.text).filter(t => t.trim() && !t.startsWith('-'))")
    assert names == ["张伟"]
    assert page.eval_on_selector("#id_presenter", "s => s.selectedOptions[0].text") == "张伟"
    search.fill("欧阳")
    names = page.eval_on_selector_all("#id_presenter option", "os => os.map(o => o.text).filter(t => t.trim() && !t.startsWith('-'))")
    assert "欧阳娜娜" in names and "周喆" not in names
    search.fill("")
    names = page.eval_on_selector_all("#id_presenter option", "os => os.map(o => o.text).filter(t => t.trim() && !t.startsWith('-'))")
    assert names.index("安静") < names.index("张伟") < names.index("周喆")
    page.select_option("#id_presenter", label="张伟")
    page.fill("input[name=title]", "同课异构")
    page.click("button[type=submit]")
    page.wait_for_url("**/training/sessions/**")
    assert Session.objects.get(title="同课异构").presenter.name == "张伟"
