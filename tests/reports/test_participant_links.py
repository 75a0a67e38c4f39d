"""The training pages link to the upper-level participant list for those who may open it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.reports.test_participants import project, quota

pytestmark = pytest.mark.django_db


def test_the_quota_and_project_pages_link_to_the_list_for_its_readers_only(client, roles, county, school):
    national = project(county)
    q = quota(national, school, places=2)
    list_url, project_url = reverse("reports:quota_participants", args=[q.pk]), reverse("reports:project_participants", args=[national.pk])
    client.force_login(roles.school_admin)
    page = client.get(reverse("training:quota_detail", args=[q.pk])).content.decode()
    assert list_url in page and project_url not in page
    client.force_login(roles.bureau)
    assert list_url in client.get(reverse("training:quota_detail", args=[q.pk])).content.decode()
    assert project_url in client.get(reverse("training:project_detail", args=[national.pk])).content.decode()
    county_level = project(county, level="county", title="县级培训")
    q2 = quota(county_level, school, places=1)
    assert reverse("reports:quota_participants", args=[q2.pk]) not in client.get(reverse("training:quota_detail", args=[q2.pk])).content.decode()
