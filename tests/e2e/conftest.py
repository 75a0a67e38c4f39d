"""Fixtures shared by the browser tests."""

import datetime as dt

import pytest
from django.utils import timezone

from yanxiu.training.models import Enrollment, Project, Session


@pytest.fixture
def live_session(roles, school, county):
    """A published school session running now, presented by the leader, the teacher enrolled."""
    project = Project.objects.create(owner_school=school, region=county, title="校本研修", school_year="2026-2027", status="approved")
    now = timezone.now()
    session = Session.objects.create(
        project=project, title="课例研究：整本书阅读", starts_at=now - dt.timedelta(minutes=5), ends_at=now + dt.timedelta(hours=1),
        place="录播教室", presenter=roles.leader.person, status="published",
    )
    Enrollment.objects.create(session=session, person=roles.teacher.person, school=school)
    return session
