"""The policy list on the scoped list view: each region's policy in force, searchable; others' policies are not found."""

import pytest
from django.urls import reverse

from tests.credits.factories import adopt

pytestmark = pytest.mark.django_db


def test_the_list_is_searched_and_scoped_to_the_readers_regions(client, roles, school, far_school):
    mine = adopt("000", school.county)
    far = adopt("001-3", far_school.county)
    client.force_login(roles.bureau)
    html = client.get(reverse("policy:list")).content.decode()
    assert reverse("policy:detail", args=[mine.pk]) in html and reverse("policy:detail", args=[far.pk]) not in html
    found = client.get(reverse("policy:list"), {"q": school.county.name}).content.decode()
    assert reverse("policy:detail", args=[mine.pk]) in found
    none = client.get(reverse("policy:list"), {"q": "没有这个区域"}).content.decode()
    assert reverse("policy:detail", args=[mine.pk]) not in none and "还没有区域政策。" in none
    assert "预设（来自文件）" in none  # the presets stay below the list


def test_a_policy_of_a_region_the_user_may_not_read_is_not_found(client, roles, school, far_school):
    far = adopt("000", far_school.county)
    for user in (roles.bureau, roles.teacher):
        client.force_login(user)
        assert client.get(reverse("policy:detail", args=[far.pk])).status_code == 404
        assert client.get(reverse("policy:edit", args=[far.pk])).status_code == 404
    client.force_login(roles.far_bureau)
    assert client.get(reverse("policy:detail", args=[far.pk])).status_code == 200
