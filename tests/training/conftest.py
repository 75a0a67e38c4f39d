"""Training fixtures: a school project with a session, a bureau project, a catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


def at(days: int, hour: int = 15, minute: int = 10) -> dt.datetime:
    """A local datetime ``days`` from today at hour:minute."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def category(county):
    from yanxiu.training.models import ContentCategory

    return ContentCategory.objects.create(region=county, code="A01", name="师德师风", compulsory=True, mandated=True)


@pytest.fixture
def own_category(county):
    from yanxiu.training.models import ContentCategory

    return ContentCategory.objects.create(region=county, code="B01", name="校本特色课程", compulsory=False, mandated=False)


@pytest.fixture
def school_project(roles, school, own_category):
    from yanxiu.training import services

    project = services.project_create(
        actor=roles.school_admin, owner_school=school, title="课堂观察与评课", kind="observation",
        category=own_category, school_year="2026-2027",
    )
    services.project_submit(actor=roles.school_admin, project=project)
    return services.project_approve(actor=roles.centre, project=project, comment="同意")


@pytest.fixture
def ready_session(roles, school_project):
    """A school session with all four fixed items, not yet published."""
    from yanxiu.training import services

    return services.session_create(
        actor=roles.school_admin, project=school_project, title="评课专题", starts_at=at(3), ends_at=at(3, 16, 40),
        place="三楼会议室", presenter_name="王教授", content="如何观课议课", requirements="带听课本",
    )


@pytest.fixture
def published_session(roles, ready_session):
    from yanxiu.training import services

    return services.session_publish(actor=roles.school_admin, session=ready_session)


@pytest.fixture
def bureau_project(roles, county):
    from yanxiu.training import services

    return services.project_create(
        actor=roles.bureau, region=county, title="县级骨干教师培训", level="county", kind="centralised",
        school_year="2026-2027",
    )


@pytest.fixture
def bureau_session(roles, bureau_project):
    from yanxiu.training import services

    session = services.session_create(
        actor=roles.bureau, project=bureau_project, title="骨干培训第一讲", starts_at=at(5, 9, 0), ends_at=at(5, 11, 15),
        place="县教师发展中心", presenter_name="刘专家", content="新课标解读",
    )
    return services.session_publish(actor=roles.bureau, session=session)
