"""The growth set-up pages: terms, the tier rule and tiers, titles, task templates,
the tier on the person page and the employment form without a tier field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yanxiu.growth import calendar
from yanxiu.growth.models import HonourTitle, SchoolTerm, TaskTemplate, TierAssignment
from yanxiu.growth.progress import template_in_force
from yanxiu.growth.services.templates import next_period, template_adopt
from yanxiu.growth.services.tiers import tier_assign, title_add

pytestmark = pytest.mark.django_db


def _now(school):
    return calendar.term_of(school, timezone.localdate())


@pytest.fixture
def setup(growth):
    """A template in force now, a title and a tier, so every page has an object to show."""
    now = _now(growth.school)
    admin, teacher = growth.roles.school_admin, growth.roles.teacher.person
    template = template_adopt(actor=admin, school=growth.school, preset_key="001-1-young", year=now.school_year, term=1)
    title = title_add(actor=admin, person=teacher, kind="backbone", level="county", year=now.school_year, body="长沙县教育局",
                      valid_until=dt.date(now.school_year + 3, 8, 31))
    growth.template, growth.title, growth.now = template, title, now
    return growth


def _pages(g) -> dict[str, str]:
    person = g.roles.teacher.person.pk
    return {
        "setup": reverse("growth:setup"), "terms": reverse("growth:terms"), "tier_rule": reverse("growth:tier_rule"),
        "tiers": reverse("growth:tiers"), "tier_assign": reverse("growth:tier_assign", args=[person]),
        "tier_history": reverse("growth:tier_history", args=[person]), "titles": reverse("growth:titles"),
        "title_add": reverse("growth:title_add"), "title_review": reverse("growth:title_review", args=[g.title.pk]),
        "templates": reverse("growth:templates"), "template_adopt": reverse("growth:template_adopt"),
        "template_edit": reverse("growth:template_edit", args=[g.template.pk]),
        "template_history": reverse("growth:template_history", args=[g.template.pk]),
    }


def test_every_page_opens_for_the_school_admin(client, setup):
    client.force_login(setup.roles.school_admin)
    for name, url in _pages(setup).items():
        response = client.get(url)
        assert response.status_code == 200, name
    home = client.get(reverse("growth:setup")).content.decode()
    assert "青年教师“六个一”" in home and "默认校历" in home


def test_teachers_are_refused_and_other_schools_are_not_found(client, setup, roles):
    pages = _pages(setup)
    client.force_login(roles.teacher)
    for name, url in pages.items():
        assert client.get(url).status_code == 403, name
    assert client.get(pages["setup"], {"school": setup.school.pk}).status_code == 403
    client.force_login(roles.other_admin)
    for name in ("tier_assign", "tier_history", "title_review", "template_edit", "template_history"):
        assert client.get(pages[name]).status_code == 404, name
    for name in ("setup", "tiers", "titles", "templates"):
        assert client.get(pages[name], {"school": setup.school.pk}).status_code == 404, name
    own = client.get(pages["templates"]).content.decode()  # their own school: nothing of the other school's
    assert "六个一" not in own
    post = client.post(reverse("growth:tiers_recompute"), {"school": setup.school.pk})
    assert post.status_code == 404 and not TierAssignment.objects.exists()


def test_the_bureau_works_on_a_school_it_names(client, setup, roles):
    client.force_login(roles.bureau)
    # Without ?school= the bureau works on the first school it manages (by code).
    page = client.get(reverse("growth:setup"))
    assert page.status_code == 200 and page.context["school"].code == "4301210001"
    assert client.get(reverse("growth:tiers"), {"school": setup.school.pk}).status_code == 200
    client.force_login(roles.far_bureau)
    assert client.get(reverse("growth:tiers"), {"school": setup.school.pk}).status_code == 404


def _terms(year, first_end, second_start):
    return {"term1_start": f"{year}-09-01", "term1_end": first_end, "term2_start": second_start, "term2_end": f"{year + 1}-07-10"}


def test_terms_in_the_wrong_order_are_refused_with_the_message(client, setup):
    client.force_login(setup.roles.school_admin)
    year = setup.now.school_year
    url = f"{reverse('growth:terms')}?year={year}"
    page = client.get(url).content.decode()
    assert f"{year}-09-01" in page and f"{year + 1}-07-31" in page  # the default calendar is shown
    bad = client.post(url, _terms(year, f"{year + 1}-02-20", f"{year + 1}-02-10"))
    assert bad.status_code == 400
    assert "学期日期须依次为：第一学期开始 &lt; 第一学期结束 &lt; 第二学期开始 &lt; 第二学期结束" in bad.content.decode()
    assert not SchoolTerm.objects.exists()
    good = client.post(url, _terms(year, f"{year + 1}-01-20", f"{year + 1}-02-20"))
    assert good.status_code == 302
    assert calendar.term(setup.school, year, 2).start == dt.date(year + 1, 2, 20)
    home = client.get(good["Location"]).content.decode()
    assert "本校设置" in home and f"{year + 1}-02-20" in home


def _tier_rows(client, **query):
    response = client.get(reverse("growth:tiers"), query)
    assert response.status_code == 200
    return {row.person.name: row for row, _cells in response.context["rows"]}


def test_recompute_then_a_hand_set_tier_keeps_its_history_and_its_value(client, setup, people):
    g = setup
    young = people.teacher(g.school, name="新老师", teaching_since=dt.date(g.now.school_year - 1, 9, 1))
    client.force_login(g.roles.school_admin)
    rule = client.post(reverse("growth:tier_rule"), {"basis": "teaching_age", "young_below_years": 5, "backbone_until_years": 15,
                                                      "young_max_age": 35})
    assert rule.status_code == 302
    year = g.now.school_year
    assert client.post(reverse("growth:tiers_recompute"), {"year": year}).status_code == 302
    rows = _tier_rows(client, year=year)
    assert rows["新老师"].tier_now == "young" and rows["张老师"].tier_now == "mature" and rows["张老师"].tier_source == "rule"
    assign = reverse("growth:tier_assign", args=[g.roles.teacher.person.pk])
    refused = client.post(f"{assign}?year={year}", {"tier": "backbone", "reason": " "})
    assert refused.status_code == 400 and "理由" in refused.content.decode()
    assert client.post(f"{assign}?year={year}", {"tier": "backbone", "reason": "县级骨干教师"}).status_code == 302
    assert client.post(reverse("growth:tiers_recompute"), {"year": year}).status_code == 302
    rows = _tier_rows(client, year=year)
    assert rows["张老师"].tier_now == "backbone" and rows["张老师"].tier_source == "manual" and rows["新老师"].tier_now == "young"
    assert set(_tier_rows(client, year=year, source="manual")) == {"张老师"}
    history = client.get(reverse("growth:tier_history", args=[g.roles.teacher.person.pk]))
    text = history.content.decode()
    assert text.index("县级骨干教师") < text.index("按教龄")  # newest first: the hand-set row, then the rule's
    assert [r.tier for r in history.context["rows"]] == ["backbone", "mature"]
    young.person.refresh_from_db()
    assert young.person.employments.get().tier == "young"  # the staff list reads the employment, kept in step


def _edit_data(template, *, target: int, reason: str = "听课要求提高"):
    items = list(template.items.all())
    data = {"name": template.name, "tier": template.tier, "period": template.period, "reason": reason,
            "items-TOTAL_FORMS": len(items) + 1, "items-INITIAL_FORMS": len(items), "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 20}
    for n, item in enumerate(items):
        data.update({f"items-{n}-kind": item.kind, f"items-{n}-label": item.label, f"items-{n}-per": item.per,
                     f"items-{n}-target": target if item.kind == "observation" else item.target,
                     f"items-{n}-also_counts": ",".join(item.also_counts)})
    data.update({f"items-{len(items)}-kind": "", f"items-{len(items)}-per": "term"})  # the empty extra row
    return data


def test_a_template_edit_starts_next_term_and_the_old_version_stays_in_force(client, setup):
    g = setup
    client.force_login(g.roles.school_admin)
    url = reverse("growth:template_edit", args=[g.template.pk])
    year, term = next_period(g.school, today=timezone.localdate())
    starts = calendar.term(g.school, year, term)
    assert starts.start.isoformat() in client.get(url).content.decode()
    no_reason = client.post(url, _edit_data(g.template, target=20, reason=""))
    assert no_reason.status_code == 400 and TaskTemplate.objects.count() == 1
    response = client.post(url, _edit_data(g.template, target=20))
    assert response.status_code == 302
    new = TaskTemplate.objects.get(family=g.template.family, version=2)
    assert (new.valid_from_year, new.valid_from_term) == (year, term)
    assert new.items.get(kind="observation").target == 20 and new.items.count() == g.template.items.count()
    assert new.items.get(kind="public_lesson").also_counts == ["research_lesson"]
    templates = list(TaskTemplate.objects.filter(school=g.school))
    assert template_in_force(templates, tier="young", leader=False, year=g.now.school_year, term=g.now.number) == g.template
    listing = client.get(reverse("growth:templates"))
    states = {(r.template.version, r.state) for r, _cells in listing.context["rows"]}
    assert states == {(1, "current"), (2, "next")}
    history = client.get(response["Location"]).content.decode()
    assert "本学期在用" in history and "待生效" in history and "听课要求提高" in history


def test_a_template_needs_one_item_and_its_retirement_a_reason(client, setup):
    g = setup
    client.force_login(g.roles.school_admin)
    data = _edit_data(g.template, target=20)
    for n in range(g.template.items.count()):
        data[f"items-{n}-DELETE"] = "on"
    url = reverse("growth:template_edit", args=[g.template.pk])
    empty = client.post(url, data)
    assert empty.status_code == 400 and "模板至少要有一项要求" in empty.content.decode()
    bad_row = _edit_data(g.template, target=0)
    observation_row = [k for k, v in bad_row.items() if v == "observation"][0].split("-")[1]
    response = client.post(url, bad_row)
    assert response.status_code == 400
    assert f"第 {int(observation_row) + 1} 项 数量" in response.content.decode()
    tampered = client.post(url, {**data, "items-TOTAL_FORMS": "9" * 30})
    assert tampered.status_code == 400 and TaskTemplate.objects.count() == 1
    retire = reverse("growth:template_retire", args=[g.template.pk])
    refused = client.post(retire, {"reason": ""}, follow=True)
    assert "停用理由" in refused.content.decode() and TaskTemplate.objects.count() == 1
    client.post(retire, {"reason": "改用八个一"})
    assert TaskTemplate.objects.get(version=2).retired


def test_adopting_a_preset_from_a_term(client, setup):
    client.force_login(setup.roles.school_admin)
    page = client.get(reverse("growth:template_adopt")).content.decode()
    assert "骨干教师“五个一”" in page and "每学期听课不少于 20 节" in page
    year = setup.now.school_year
    response = client.post(reverse("growth:template_adopt"), {"preset_key": "leaders", "year": year, "term": 2})
    assert response.status_code == 302
    leaders = TaskTemplate.objects.get(preset_key="leaders")
    assert leaders.for_leaders and (leaders.valid_from_year, leaders.valid_from_term) == (year, 2)
    bad = client.post(reverse("growth:template_adopt"), {"preset_key": "nope", "year": 3000, "term": 1})
    assert bad.status_code == 400


def test_titles_are_added_filtered_flagged_and_reviewed(client, setup):
    g = setup
    client.force_login(g.roles.school_admin)
    member = g.roles.member.person
    response = client.post(reverse("growth:title_add"), {"person": member.pk, "kind": "rising_star", "level": "school", "year": 2019,
                                                         "body": "星沙一小", "valid_until": "2021-08-31"})
    assert response.status_code == 302
    page = client.get(reverse("growth:titles"), {"status": "expired"})
    assert [row.person.name for row, _c in page.context["rows"]] == ["组员"] and "已过有效期" in page.content.decode()
    assert [row.kind for row, _c in client.get(reverse("growth:titles"), {"kind": "backbone"}).context["rows"]] == ["backbone"]
    old = HonourTitle.objects.get(person=member)
    review = reverse("growth:title_review", args=[old.pk])
    refused = client.post(review, {"school_year": g.now.school_year, "passed": "0", "comment": ""})
    assert refused.status_code == 400 and "考核不通过时须填写意见" in refused.content.decode()
    assert client.post(review, {"school_year": g.now.school_year, "passed": "0", "comment": "有效期已过且未履职"}).status_code == 302
    old.refresh_from_db()
    assert old.status == "revoked" and old.reviews.get().comment == "有效期已过且未履职"
    kept = reverse("growth:title_review", args=[g.title.pk])
    assert client.post(kept, {"school_year": g.now.school_year, "passed": "1"}).status_code == 302
    again = client.post(kept, {"school_year": g.now.school_year, "passed": "1"})
    assert again.status_code == 400 and "已考核过" in again.content.decode()


def test_the_person_page_shows_the_tier_and_the_titles(client, setup):
    g = setup
    teacher = g.roles.teacher
    tier_assign(actor=g.roles.school_admin, person=teacher.person, school_year=g.now.school_year, tier="backbone", reason="县级骨干")
    employment = teacher.person.employments.get()
    client.force_login(g.roles.school_admin)
    page = client.get(reverse("org:person_detail", args=[employment.pk])).content.decode()
    summary = page[page.index('id="growth-summary"'):]
    assert "骨干教师" in summary and "手工指定" in summary and "县级骨干教师" in summary and "梯队历史" in summary
    client.force_login(teacher)
    own = client.get(reverse("org:person_detail", args=[employment.pk])).content.decode()
    assert "县级骨干教师" in own and "梯队历史" not in own


def test_the_employment_form_has_no_tier_and_links_to_the_tier_list(client, setup):
    g = setup
    employment = g.roles.teacher.person.employments.get()
    client.force_login(g.roles.school_admin)
    page = client.get(reverse("org:employment_edit", args=[employment.pk])).content.decode()
    assert 'name="tier"' not in page
    assert f'{reverse("growth:tiers")}?school={g.school.pk}' in page


def test_a_school_makes_a_template_of_its_own(client, setup):
    from yanxiu.core.models import AuditEvent

    g = setup
    client.force_login(g.roles.school_admin)
    url = reverse("growth:template_create")
    assert "新建任务模板" in client.get(url).content.decode()
    data = {"name": "新教师“一课一反思”", "tier": "novice", "period": "term", "year": g.now.school_year, "term": 1,
            "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0",
            "items-0-kind": "observation", "items-0-label": "每周听课两节", "items-0-target": "2", "items-0-per": "week",
            "items-1-kind": "case", "items-1-label": "每月一篇教学反思", "items-1-target": "1", "items-1-per": "month"}
    no_target = client.post(url, {**data, "tier": ""})
    assert no_target.status_code == 400 and "请选择适用梯队" in no_target.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    made = TaskTemplate.objects.get(name="新教师“一课一反思”")
    assert (made.version, made.tier, made.preset_key, made.items.count()) == (1, "novice", "", 2)
    assert AuditEvent.objects.filter(action="growth.template_create", school_id=g.school.pk).exists()
    client.force_login(g.roles.teacher)
    assert client.post(url, data).status_code == 403


def test_summary_year_without_a_school_follows_the_calendar_rule():
    """A person without a current school: the person page's growth summary counts the school year as the growth
    file pages do (from August), not by a rule of its own."""
    from yanxiu.growth.templatetags.growth_tags import _school_year

    for day in (dt.date(2025, 8, 20), dt.date(2025, 9, 1), dt.date(2026, 3, 1), dt.date(2026, 7, 31)):
        assert _school_year(None, day) == calendar.nominal_school_year(day)
    assert _school_year(None, dt.date(2025, 8, 20)) == 2025
