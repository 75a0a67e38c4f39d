import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_each_admin_their_waiting_work(client, roles):
    client.force_login(roles.school_admin)
    html = client.get(reverse("reports:home")).content.decode()
    assert "即将开展的研修活动" in html and "逾期未报名额" not in html
    client.force_login(roles.bureau)
    html = client.get(reverse("reports:home")).content.decode()
    assert "逾期未报名额" in html


def test_the_home_page_lists_a_teachers_next_sessions(client, roles, school):
    from yanxiu.training.models import Enrollment, Project, Session

    project = Project.objects.create(
        title="校本研修", owner_school=school, region=school.county, level="school", kind="school_based",
        school_year="2026-2027", status="approved",
    )
    start = timezone.now() + dt.timedelta(days=2)
    session = Session.objects.create(
        project=project, title="单元整体教学设计", starts_at=start, ends_at=start + dt.timedelta(hours=1),
        place="会议室", content="x", status="published",
    )
    Enrollment.objects.create(session=session, person=roles.teacher.person)
    client.force_login(roles.teacher)
    assert "单元整体教学设计" in client.get(reverse("reports:home")).content.decode()
