"""Page titles, the language switcher, and no internal codes on history and policy pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Every action code a service records has a label: tests/core/test_action_labels.py.


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_a_page_without_its_own_title_reads_the_brand_once(client, roles):
    client.force_login(roles.teacher)
    html = client.get(reverse("reports:home")).content.decode()
    assert not title_of(html).endswith("研修 · 研修")
    assert "<title>研修 · 研修</title>" not in html


def test_a_page_title_is_followed_by_the_brand(client, roles):
    client.force_login(roles.teacher)
    assert title_of(client.get(reverse("attendance:my")).content.decode()) == "我的考勤与反思 · 研修"
    client.logout()
    assert title_of(client.get(reverse("accounts:login")).content.decode()) == "登录 · 研修"


def test_each_language_is_offered_in_its_own_name(client, roles):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '>English</option>' in html and '>简体中文</option>' in html and "英语" not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:login")).content.decode()
    assert '>English</option>' in html and '>简体中文</option>' in html


def test_a_postings_history_shows_labels_not_codes(client, roles, school):
    import datetime as dt

    from tests.credits.factories import adopt, credit
    from yanxiu.credits.services import posting_create

    adopt("000", school.county)
    credit(roles.teacher.person, 4, title="校本研修：同课异构")
    posting = posting_create(actor=roles.school_admin, school=school, title="第一学期学时公示",
                             period_start=dt.date(2020, 9, 1), period_end=dt.date.today(), days=5)
    client.force_login(roles.school_admin)
    html = client.get(reverse("credits:posting_detail", args=[posting.pk])).content.decode()
    assert "发布公示" in html and "posting.create" not in html


def test_policy_pages_cite_the_seed_document_by_title(client, roles, county):
    from yanxiu.policy.models import Policy

    client.force_login(roles.bureau)
    html = client.get(reverse("policy:list")).content.decode()
    assert "《校本培训工作总结》（每位教师每学年必须取得48学时，其中校本培训不少于24学时）" in html
    assert "seeds/" not in html
    preset = Policy.objects.filter(region__isnull=True, preset_key="001-3").first()
    html = client.get(reverse("policy:detail", args=[preset.pk])).content.decode()
    assert "《区教师培训工作计划》" in html and "seeds/" not in html


@pytest.mark.parametrize("source,shown", [
    ("seeds/000：校本培训工作总结（每位教师48学时）", "《校本培训工作总结》（每位教师48学时）"),
    ("seeds/001 篇3：区教师培训工作计划", "《区教师培训工作计划》"),
    ("《某县继续教育管理办法》第五条", "《某县继续教育管理办法》第五条"),
    ("县教育局文件", "县教育局文件"),
    ("", ""),
])
def test_source_title(source, shown):
    from yanxiu.policy.presets import source_title

    assert source_title(source) == shown


def test_history_pages_show_choice_labels_and_names_not_codes(client, roles, school, county):
    from yanxiu.org.models import Cluster
    from yanxiu.org.services import school_update

    cluster = Cluster.objects.create(county=county, name="星沙片区")
    school.save()  # a first history row to compare with
    school_update(actor=roles.bureau, school=school, stage="nine_year", cluster=cluster)
    client.force_login(roles.bureau)
    page = client.get(reverse("org:school_history", args=[school.pk])).content.decode()
    html = page[page.index("<table"):page.index("</table>")]
    assert "九年一贯制" in html and "小学" in html and "nine_year" not in html and "primary" not in html
    assert "星沙片区" in html and f"→ {cluster.pk}<" not in html
