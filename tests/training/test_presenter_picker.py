"""The presenter picker: teachers in pinyin order, each option searchable by name, pinyin and initials."""

from __future__ import annotations

import re

import pytest

from yanxiu.core import pinyin
from yanxiu.training.forms import SessionForm

pytestmark = pytest.mark.django_db

NAMES = ["周喆", "安静", "张伟", "曾小贤", "白云", "欧阳娜娜"]


def test_pinyin_keys():
    assert sorted(NAMES, key=pinyin.sort_key) == ["安静", "白云", "欧阳娜娜", "曾小贤", "张伟", "周喆"]
    assert pinyin.initials("张伟") == "zw" and pinyin.search_text("欧阳娜娜") == "欧阳娜娜 ouyangnana oynn"
    assert pinyin.sort_key("x" * 10_000)[0] == " ".join(["x" * pinyin.MAX_CHARS])  # bounded


@pytest.fixture
def project(roles, school):
    from yanxiu.training.models import Project

    return Project.objects.create(owner_school=school, region=school.county, title="校本研修", level="school",
                                  school_year="2026-2027", status="approved")


def test_the_presenter_list_is_in_pinyin_order_and_searchable(people, roles, school, project):
    for name in NAMES:
        people.teacher(school, name=name)
    html = str(SessionForm(project=project)["presenter"])
    assert 'data-searchable="1"' in html and "select_filter.js" in html
    labels = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)
    assert [n for n in labels if n in NAMES] == ["安静", "白云", "欧阳娜娜", "曾小贤", "张伟", "周喆"]
    assert labels == sorted(labels, key=pinyin.sort_key)
    assert 'data-search="张伟 zhangwei zw"' in html
    # The form still takes the chosen person.
    zhang = next(p for p in SessionForm(project=project).fields["presenter"].queryset if p.name == "张伟")
    form = SessionForm({"title": "评课", "presenter": zhang.pk, "invite_scope": "school", "late_tolerance_minutes": 10,
                        "early_leave_tolerance_minutes": 10}, project=project)
    form.is_valid()
    assert "presenter" not in form.errors and form.cleaned_data["presenter"] == zhang
